"""Elemental reference energies for CHGNet formation energies in the MP legacy convention.

The reference set (``data/chgnet_references/references.json``, rebuilt by
``scripts/build_chgnet_references.py``) holds, per element, a chemical potential μ in
eV/atom on CHGNet's energy scale, chosen so that

    E_form = (E_CHGNet + ΔC_legacy−MP2020 − Σ_i n_i μ_i) / N

reproduces the Matbench ``mp_e_form`` labels (MP legacy corrections), where ``ΔC`` is
:func:`~matdiscover.science.models.chgnet_path.conventions.legacy_minus_mp2020_correction`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pymatgen.core import Composition, Structure

from matdiscover.errors import ConfigurationError, InvalidComposition
from matdiscover.science.models.chgnet_path.conventions import legacy_minus_mp2020_correction

#: Default location of the reference file in a source checkout.
DEFAULT_REFERENCES_PATH = (
    Path(__file__).resolve().parents[5] / "data" / "chgnet_references" / "references.json"
)


@dataclass(frozen=True)
class ElementReference:
    """One element's reference chemical potential.

    Attributes:
        energy_per_atom: μ in eV/atom (CHGNet scale, legacy convention).
        source: How μ was obtained, e.g. ``"physical"``, ``"physical+fit"``, ``"fit"``,
            ``"legacy-gas"``.
        n_train: Number of training compounds containing the element (0 = prior only).
        sigma: Extra uncertainty in eV/atom of this element's μ beyond the base σ.
    """

    energy_per_atom: float
    source: str
    n_train: int
    sigma: float


@dataclass(frozen=True)
class ChgnetReferences:
    """A complete reference set with provenance.

    Attributes:
        elements: Element symbol → :class:`ElementReference`.
        method: Reference method name (see the README next to the JSON file).
        model_version: CHGNet checkpoint version used to compute the energies.
        created: ISO date of the build.
        convention: Energy-correction convention of the resulting formation energies.
        sigma_base: Base 1σ uncertainty of a formation energy in eV/atom (out-of-fold
            RMSE of the scheme on the training prototypes).
        tag: Short identifier used in model names, e.g. ``"refs-2026-11-26"``.
    """

    elements: dict[str, ElementReference]
    method: str
    model_version: str
    created: str
    convention: str
    sigma_base: float
    tag: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, variant: str | None = None) -> ChgnetReferences:
        """Build from the JSON layout written by the build script.

        Args:
            data: Parsed ``references.json``.
            variant: Use one of the alternative reference sets stored under
                ``data["variants"]`` instead of the chosen one (for benchmarks).
        """
        elements_raw = data["elements"] if variant is None else data["variants"][variant]
        elements = {
            sym: ElementReference(
                energy_per_atom=float(v["energy_per_atom"]),
                source=str(v["source"]),
                n_train=int(v["n_train"]),
                sigma=float(v["sigma"]),
            )
            for sym, v in elements_raw.items()
        }
        return cls(
            elements=elements,
            method=str(data["method"] if variant is None else variant),
            model_version=str(data["model_version"]),
            created=str(data["created"]),
            convention=str(data["convention"]),
            sigma_base=float(data["sigma_base"]),
            tag=f"refs-{data['created']}",
            metadata={k: v for k, v in data.items() if k not in ("elements", "variants")},
        )


def load_references(path: Path | None = None, *, variant: str | None = None) -> ChgnetReferences:
    """Read a reference set from ``path`` (default: the repository's data directory).

    Raises:
        ConfigurationError: The file is missing or malformed.
    """
    return _load_cached(path or DEFAULT_REFERENCES_PATH, variant)


@lru_cache(maxsize=8)
def _load_cached(path: Path, variant: str | None) -> ChgnetReferences:
    try:
        data = json.loads(path.read_text())
        return ChgnetReferences.from_dict(data, variant=variant)
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot read CHGNet reference energies from {path}: {exc}. "
            "Rebuild them with scripts/build_chgnet_references.py"
        ) from exc


def missing_references(
    composition: Composition, references: ChgnetReferences | None = None
) -> list[str]:
    """Element symbols of ``composition`` that have no reference energy."""
    refs = references or load_references()
    return sorted(el.symbol for el in composition.elements if el.symbol not in refs.elements)


def formation_energy_sigma(
    composition: Composition, references: ChgnetReferences | None = None
) -> float:
    """1σ uncertainty (eV/atom) of a structure-path formation energy for ``composition``.

    ``sqrt(sigma_base² + Σ_i (x_i σ_i)²)``, where ``x_i`` are atomic fractions and
    ``σ_i`` the per-element extra uncertainty (large for elements whose μ was never
    checked against a compound).
    """
    refs = references or load_references()
    frac = composition.fractional_composition
    extra = sum((frac[el] * refs.elements[el.symbol].sigma) ** 2 for el in composition.elements)
    return math.sqrt(refs.sigma_base**2 + extra)


def formation_energy_per_atom(
    structure: Structure,
    energy_per_atom: float,
    *,
    references: ChgnetReferences | None = None,
) -> tuple[float, tuple[str, ...]]:
    """Formation energy (eV/atom, MP legacy convention) from a CHGNet energy.

    Args:
        structure: The structure that was evaluated (its composition and, for oxides
            and sulfides, its geometry decide the convention conversion).
        energy_per_atom: CHGNet energy of ``structure`` in eV/atom.
        references: Reference set; default :func:`load_references`.

    Returns:
        ``(formation energy in eV/atom, warnings)``.

    Raises:
        InvalidComposition: An element has no reference energy.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> value, notes = formation_energy_per_atom(nacl, -3.666)
        >>> -2.3 < value < -1.9
        True
    """
    refs = references or load_references()
    comp = structure.composition
    missing = missing_references(comp, refs)
    if missing:
        raise InvalidComposition(
            f"no CHGNet reference energy for {', '.join(missing)}; a formation energy "
            "cannot be computed for this composition"
        )
    n = comp.num_atoms
    total = energy_per_atom * n + legacy_minus_mp2020_correction(structure)
    total -= sum(amt * refs.elements[el.symbol].energy_per_atom for el, amt in comp.items())
    notes = [
        f"the reference energy of {el.symbol} was not checked against any compound "
        f"({refs.elements[el.symbol].source}); uncertainty widened"
        for el in comp.elements
        if refs.elements[el.symbol].n_train == 0 and len(comp.elements) > 1
    ]
    return total / n, tuple(notes)
