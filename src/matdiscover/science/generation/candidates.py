"""Generated candidate structures, their origin, and the two steps every generator shares:
putting the target's elements on a parent's sites and rescaling the cell volume.

Volume estimate (before any relaxation): the parent's volume scaled by the cube of the
ratio of summed radii, ``V = V_parent · (Σ_i r_i n_i^(1/3) / Σ_j r_j n_j^(1/3))³`` over the
target and parent species (pymatgen's ``RLSVolumePredictor`` formula). Radii are Shannon
ionic radii at the guessed oxidation states (a fractional state averages its two integer
neighbours); if any species lacks one (or the parent has no charge-balanced guess), atomic
radii are used for both sides.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pymatgen.core import Element, Species, Structure

from matdiscover.science.generation.enumerate import oxidation_state_guesses

__all__ = [
    "CandidateOrigin",
    "GeneratedCandidate",
    "Proposals",
    "estimate_volume",
    "substitute",
]


@dataclass(frozen=True)
class CandidateOrigin:
    """Where a generated structure comes from.

    Attributes:
        method: ``"substitution"`` (ionic substitution into a known structure, ranked by
            probability) or ``"prototype"`` (decoration of an AFLOW prototype).
        parent_source_database: Source of the parent (``"materials_project"``, ...).
        parent_source_id: Citable parent id (``"mp-18767"``, ``"AB2C4_cF56_227_a_d_e"``).
        parent_formula: Reduced formula of the parent compound.
        prototype_label: AFLOW label of a prototype parent, else ``""``.
        substitution: ``(parent element, target element)`` pairs, sorted.
        probability: Substitution probability (dimensionless, product of pymatgen's
            conditional probabilities); ``None`` for a prototype decoration.
    """

    method: Literal["substitution", "prototype"]
    parent_source_database: str
    parent_source_id: str
    parent_formula: str
    prototype_label: str
    substitution: tuple[tuple[str, str], ...]
    probability: float | None

    def describe(self) -> str:
        """One line, e.g. ``"substitution of mp-18767 NaMnO2 (Na→Li) p=0.0061"``."""
        changed = ", ".join(f"{p}→{t}" for p, t in self.substitution if p != t) or "none"
        p = f" p={self.probability:.2g}" if self.probability is not None else ""
        return f"{self.method} of {self.parent_source_id} {self.parent_formula} ({changed}){p}"


@dataclass(frozen=True)
class GeneratedCandidate:
    """One generated structure (not yet relaxed).

    Attributes:
        formula: Reduced formula of the target composition.
        structure: The decorated structure with its volume rescaled.
        origin: How it was made.
        also_from: Origins of later duplicates collapsed into this candidate.
    """

    formula: str
    structure: Structure
    origin: CandidateOrigin
    also_from: tuple[CandidateOrigin, ...] = field(default=())

    @property
    def volume_per_atom(self) -> float:
        """Cell volume per site in Å³/atom."""
        return float(self.structure.volume / len(self.structure))


def _radius(symbol: str, state: float | None) -> float | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "No default ionic radius ... using ls data"
        if state is None:
            atomic = Element(symbol).atomic_radius
            return None if atomic is None else float(atomic)
        radii = []
        for s in sorted({math.floor(state), math.ceil(state)}):
            try:
                ionic = Species(symbol, int(s)).ionic_radius
            except (ValueError, KeyError):
                ionic = None
            if ionic is None:
                return None
            radii.append(float(ionic))
        return sum(radii) / len(radii)


def _radius_sum(amounts: Mapping[str, float], states: Mapping[str, float] | None) -> float | None:
    total = 0.0
    for el, n in amounts.items():
        r = _radius(el, None if states is None else states[el])
        if r is None:
            return None
        total += r * float(n) ** (1 / 3)
    return total


def estimate_volume(
    parent: Structure,
    mapping: Mapping[str, str],
    *,
    parent_formula: str,
    target_formula: str,
) -> float:
    """Estimated cell volume in Å³ of ``parent`` with its elements replaced by ``mapping``
    (ionic-radius scaling of the parent's volume, see the module docstring).

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure(Lattice.cubic(4.0), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> v = estimate_volume(nacl, {"Na": "K", "Cl": "Cl"}, parent_formula="NaCl",
        ...                     target_formula="KCl")
        >>> v > nacl.volume  # K+ is larger than Na+
        True
    """
    comp = parent.composition
    parent_amounts = {el.symbol: float(n) for el, n in comp.items()}
    target_amounts = {mapping[el]: n for el, n in parent_amounts.items()}
    parent_guess = oxidation_state_guesses(parent_formula)
    target_guess = oxidation_state_guesses(target_formula)
    num = den = None
    if parent_guess and target_guess:
        num = _radius_sum(target_amounts, target_guess[0])
        den = _radius_sum(parent_amounts, parent_guess[0])
    if num is None or den is None:
        num = _radius_sum(target_amounts, None)
        den = _radius_sum(parent_amounts, None)
    if num is None or den is None or den <= 0:
        return float(parent.volume)
    return float(parent.volume * (num / den) ** 3)


def substitute(
    parent: Structure,
    mapping: Mapping[str, str],
    *,
    parent_formula: str,
    target_formula: str,
) -> Structure:
    """A new structure: ``parent``'s lattice and sites with every element replaced at once
    by ``mapping`` (parent element → target element), volume rescaled by
    :func:`estimate_volume`.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure(Lattice.cubic(5.6), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> substitute(nacl, {"Na": "Li", "Cl": "F"}, parent_formula="NaCl",
        ...            target_formula="LiF").formula
        'Li1 F1'
    """
    species = [mapping[site.specie.symbol] for site in parent]
    out = Structure(parent.lattice, species, parent.frac_coords)
    volume = estimate_volume(
        parent, mapping, parent_formula=parent_formula, target_formula=target_formula
    )
    out.scale_lattice(volume)
    return out


@dataclass(frozen=True)
class Proposals:
    """Structures proposed by one generator for one target, before validation and
    de-duplication.

    Attributes:
        candidates: Proposed structures, best first.
        dropped: Reason → number of parent/map pairs not proposed.
    """

    candidates: tuple[GeneratedCandidate, ...]
    dropped: Mapping[str, int]
