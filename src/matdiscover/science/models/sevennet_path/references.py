"""Elemental references and the σ model of SevenNet formation energies (MP legacy convention).

SevenNet-0 and SevenNet-l3i5 were trained on the raw (uncorrected) MPtrj energies, so a
SevenNet energy is first put on the MP2020 scale with pymatgen's MP2020 correction scheme
and then converted to the MP legacy scheme of the platform hull (``mp_e_form``)::

    E_MP2020 = E_7net·N + C_MP2020(structure)
    E_legacy = E_MP2020 + (C_legacy − C_MP2020)(structure)      # = E_7net·N + C_legacy
    E_form   = (E_legacy − Σ_i n_i μ_i) / N

``C_MP2020`` and ``C_legacy`` are the constants of pymatgen's ``MP2020Compatibility.yaml``
and ``MPCompatibility.yaml`` as implemented in
:mod:`matdiscover.science.models.chgnet_path.conventions` (the same code the CHGNet path
uses, so both tiers share one convention). The chemical potentials μ (eV/atom, one set per
checkpoint) are CHGNet's physical elemental references used as a prior plus a ridge-shrunk
shift fitted on the ``fit`` split of the shipped Materials Project structures
(``data/sevennet_references/references.json``, built by
``scripts/build_sevennet_references.py``).

σ combines the reference-fit uncertainty and the committee disagreement of the two bundled
checkpoints, with two factors chosen on the validation split (±1σ and ±2σ coverage)::

    σ = sqrt((k_ref · sqrt(σ_base² + Σ_i (x_i σ_i)²))² + (k_c · Δ)²)
    Δ = |E_form(7net-0) − E_form(7net-l3i5)|

The errors are heavy-tailed (most compounds within a few meV/atom, a few off by more than
0.1 eV/atom), so the 95 % interval is ``value ± z95·σ`` with ``z95`` the split-conformal
95th percentile of ``|error|/σ`` on the validation split, wider than ``1.96σ``.
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
from matdiscover.science.models.chgnet_path.conventions import (
    legacy_minus_mp2020_correction,
    mp2020_correction,
)

#: Default location of the reference file in a source checkout.
DEFAULT_REFERENCES_PATH = (
    Path(__file__).resolve().parents[5] / "data" / "sevennet_references" / "references.json"
)


@dataclass(frozen=True)
class SevennetElement:
    """One element's chemical potential for one checkpoint.

    Attributes:
        energy_per_atom: μ in eV/atom (SevenNet raw scale, legacy convention).
        prior: The physical prior (CHGNet's elemental reference) in eV/atom.
        n_train: Fit-split compounds containing the element (0 = prior only).
        sigma: Extra uncertainty of μ in eV/atom (added as x_i σ_i in quadrature).
    """

    energy_per_atom: float
    prior: float
    n_train: int
    sigma: float


@dataclass(frozen=True)
class SevennetReferences:
    """References and σ parameters of one checkpoint.

    Attributes:
        model: Checkpoint name, e.g. ``"7net-0"``.
        elements: Symbol → :class:`SevennetElement`.
        sigma_base: Base σ in eV/atom (robust scale of the fit-split out-of-fold errors).
        calibration_factor: ``k_ref`` in the σ formula, chosen on the validation split.
        committee_factor: ``k_c`` (weight of the committee spread), ditto.
        z95: Half-width of the 95 % interval in units of σ (split-conformal).
        created: ISO date of the build; tag: ``"refs-<created>"``.
        convention: Energy convention of the resulting formation energies.
    """

    model: str
    elements: dict[str, SevennetElement]
    sigma_base: float
    calibration_factor: float
    committee_factor: float
    z95: float
    created: str
    convention: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return f"refs-{self.created}"


def load_sevennet_references(model: str, path: Path | None = None) -> SevennetReferences:
    """The reference set of checkpoint ``model`` (``"7net-0"`` or ``"7net-l3i5"``).

    Raises:
        ConfigurationError: The file is missing or has no set for ``model``.
    """
    return _load(path or DEFAULT_REFERENCES_PATH, model)


@lru_cache(maxsize=8)
def _load(path: Path, model: str) -> SevennetReferences:
    try:
        data = json.loads(path.read_text())
        m = data["models"][model]
        elements = {
            sym: SevennetElement(
                energy_per_atom=float(v["energy_per_atom"]),
                prior=float(v["prior"]),
                n_train=int(v["n_train"]),
                sigma=float(v["sigma"]),
            )
            for sym, v in m["elements"].items()
        }
        return SevennetReferences(
            model=model,
            elements=elements,
            sigma_base=float(m["sigma_base"]),
            calibration_factor=float(m["calibration_factor"]),
            committee_factor=float(m["committee_factor"]),
            z95=float(m["z95"]),
            created=str(data["created"]),
            convention=str(data["convention"]),
            metadata={k: v for k, v in m.items() if k != "elements"},
        )
    except (OSError, KeyError, ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"cannot read SevenNet references for {model} from {path}: {exc}. "
            "Rebuild them with scripts/build_sevennet_references.py"
        ) from exc


def missing_references(composition: Composition, refs: SevennetReferences) -> list[str]:
    """Element symbols of ``composition`` without a reference energy."""
    return sorted(el.symbol for el in composition.elements if el.symbol not in refs.elements)


def legacy_energy(structure: Structure, energy_per_atom: float) -> float:
    """Total energy (eV) of a raw SevenNet energy on the MP legacy correction scale.

    Raw → MP2020 (pymatgen's MP2020 scheme) → legacy (MP legacy scheme of the hull).
    """
    e_mp2020 = energy_per_atom * len(structure) + mp2020_correction(structure)
    return e_mp2020 + legacy_minus_mp2020_correction(structure)


def formation_energy_from_legacy(
    composition: Composition, legacy_total: float, refs: SevennetReferences
) -> float:
    """Formation energy in eV/atom from a legacy-scale total energy of ``composition``.

    Raises:
        InvalidComposition: An element has no reference energy.
    """
    missing = missing_references(composition, refs)
    if missing:
        raise InvalidComposition(
            f"no SevenNet ({refs.model}) reference energy for {', '.join(missing)}; a "
            "formation energy cannot be computed for this composition"
        )
    mu = sum(amt * refs.elements[el.symbol].energy_per_atom for el, amt in composition.items())
    return (legacy_total - mu) / composition.num_atoms


def formation_energy_per_atom(
    structure: Structure, energy_per_atom: float, refs: SevennetReferences
) -> float:
    """Formation energy (eV/atom, MP legacy convention) from a raw SevenNet energy.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.69), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> refs = load_sevennet_references("7net-0")
        >>> -2.4 < formation_energy_per_atom(nacl, -3.384, refs) < -1.9
        True
    """
    total = legacy_energy(structure, energy_per_atom)
    return formation_energy_from_legacy(structure.composition, total, refs)


def reference_sigma(composition: Composition, refs: SevennetReferences) -> float:
    """Uncalibrated reference-fit σ: ``sqrt(σ_base² + Σ_i (x_i σ_i)²)`` in eV/atom."""
    frac = composition.fractional_composition
    extra = sum(
        (frac[el] * refs.elements[el.symbol].sigma) ** 2
        for el in composition.elements
        if el.symbol in refs.elements
    )
    return math.sqrt(refs.sigma_base**2 + extra)


def calibrated_sigma(
    composition: Composition, committee_spread: float, refs: SevennetReferences
) -> float:
    """Calibrated 1σ (eV/atom) combining the reference fit and the committee spread Δ."""
    base = refs.calibration_factor * reference_sigma(composition, refs)
    return math.hypot(base, refs.committee_factor * committee_spread)
