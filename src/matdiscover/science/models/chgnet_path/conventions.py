"""Energy-correction conventions: CHGNet (MP2020) versus Matbench labels (MP legacy).

CHGNet 0.3.0 was trained on MPtrj energies that include the Materials Project 2020
("MP2020") corrections. The Matbench ``mp_e_form`` labels use the older
``MaterialsProjectCompatibility`` scheme ("legacy"), which differs in three ways:

1. anion corrections: legacy corrects only oxides (by oxide type) and sulfides; MP2020
   also corrects F, Cl, Br, I, N, H, Se, Te, Sb, Si anions, with different constants;
2. GGA/GGA+U mixing constants for V, Cr, Mn, Fe, Co, Ni, Mo, W in oxides/fluorides differ;
3. legacy fixes the elemental energies of N2, F2, Cl2 and H2 to fitted values
   (:data:`LEGACY_GAS_ENERGIES`), where MP2020 uses the computed ones.

:func:`legacy_minus_mp2020_correction` gives the energy (eV) to add to a CHGNet total
energy to put it on the legacy scale; constants are copied from pymatgen's
``MPCompatibility.yaml`` and ``MP2020Compatibility.yaml``. The MP2020 anion rule follows
pymatgen as used for MPtrj (before the 2024 ``strict_anions`` option): an anion is
corrected when its guessed oxidation state is negative, or, without a guess, when it is
the most electronegative element.
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

from pymatgen.core import Composition, Element, Species, Structure
from pymatgen.core.structure_analyzer import oxide_type, sulfide_type

#: Legacy fitted elemental energies (eV/atom) replacing computed N2, F2, Cl2, H2.
LEGACY_GAS_ENERGIES: dict[str, float] = {
    "N": -7.95247218762,
    "F": -1.42055013381,
    "Cl": -1.25385097674,
    "H": -3.23973666138,
}
#: Legacy oxide corrections in eV per O (per O-O bonded O for peroxide etc.).
LEGACY_OXIDE: dict[str, float] = {
    "oxide": -0.70229,
    "peroxide": -0.46622,
    "superoxide": -0.14598,
    "ozonide": 0.0,
}
#: Legacy sulfide correction in eV per S.
LEGACY_SULFIDE = -0.66346
#: Legacy GGA+U corrections in eV per metal atom (oxides and fluorides).
LEGACY_U: dict[str, float] = {
    "Mn": -1.68085015096,
    "Fe": -2.733,
    "Co": -1.874,
    "Cr": -2.013,
    "Mo": -3.531,
    "W": -4.351,
    "V": -1.682,
    "Ni": -2.164,
}
#: MP2020 composition corrections in eV per atom of the species.
MP2020_COMPOSITION: dict[str, float] = {
    "oxide": -0.687,
    "peroxide": -0.465,
    "superoxide": -0.161,
    "ozonide": 0.0,
    "S": -0.503,
    "F": -0.462,
    "Cl": -0.614,
    "Br": -0.534,
    "I": -0.379,
    "N": -0.361,
    "Se": -0.472,
    "Si": 0.071,
    "Sb": -0.192,
    "Te": -0.422,
    "H": -0.179,
}
#: MP2020 GGA+U mixing corrections in eV per metal atom (oxides and fluorides).
MP2020_U: dict[str, float] = {
    "V": -1.7,
    "Cr": -1.999,
    "Mn": -1.668,
    "Fe": -2.256,
    "Co": -1.638,
    "Ni": -2.541,
    "W": -4.438,
    "Mo": -3.202,
}
_MP2020_ANIONS = ("Br", "I", "Se", "Si", "Sb", "Te", "H", "N", "F", "Cl")


@lru_cache(maxsize=4096)
def _oxidation_guess(reduced_formula: str) -> dict[str, float]:
    try:
        guesses = Composition(reduced_formula).oxi_state_guesses(max_sites=-20)
    except ValueError:
        return {}
    return dict(guesses[0]) if guesses else {}


def _electronegativity(el: Element | Species) -> float:
    with warnings.catch_warnings():  # noble gases have no Pauling value (pymatgen warns, NaN)
        warnings.simplefilter("ignore", UserWarning)
        x = float(el.X)
    return x if math.isfinite(x) else -math.inf


def _most_electronegative(comp: Composition) -> str:
    return str(max(comp.elements, key=_electronegativity).symbol)


def _oxygen_type(structure: Structure) -> tuple[str, int]:
    result = oxide_type(structure, 1.05, return_nbonds=True)
    assert isinstance(result, tuple)
    return str(result[0]), int(result[1])


def _is_sulfide(structure: Structure) -> bool:
    return sulfide_type(structure) in ("sulfide", "polysulfide")


def mp2020_correction(structure: Structure) -> float:
    """MP2020 correction (eV, whole cell) that CHGNet's training energies included."""
    comp = structure.composition
    if len(comp.elements) <= 1:
        return 0.0
    total = 0.0
    if Element("S") in comp and _is_sulfide(structure):
        total += MP2020_COMPOSITION["S"] * comp["S"]
    if Element("O") in comp:
        kind, _ = _oxygen_type(structure)
        kind = "oxide" if kind == "hydroxide" else kind
        total += MP2020_COMPOSITION.get(kind, 0.0) * comp["O"]
    oxi = _oxidation_guess(comp.reduced_formula)
    most_neg = _most_electronegative(comp)
    for anion in _MP2020_ANIONS:
        if Element(anion) not in comp:
            continue
        if oxi.get(anion, 0.0) < 0 or anion == most_neg:
            total += MP2020_COMPOSITION[anion] * comp[anion]
    if most_neg in ("O", "F"):
        total += sum(
            MP2020_U[el.symbol] * comp[el] for el in comp.elements if el.symbol in MP2020_U
        )
    return float(total)


def legacy_correction(structure: Structure) -> float:
    """Legacy ``MaterialsProjectCompatibility`` correction (eV, whole cell).

    Excludes the gas-energy replacement for N2, F2, Cl2, H2, which enters through the
    elemental reference energies instead.
    """
    comp = structure.composition
    if len(comp.elements) <= 1:
        return 0.0
    total = 0.0
    if Element("S") in comp and _is_sulfide(structure):
        total += LEGACY_SULFIDE * comp["S"]
    if Element("O") in comp:
        kind, n_bonds = _oxygen_type(structure)
        if kind in LEGACY_OXIDE:
            total += LEGACY_OXIDE[kind] * n_bonds
        elif kind == "hydroxide":
            total += LEGACY_OXIDE["oxide"] * comp["O"]
    if _most_electronegative(comp) in ("O", "F"):
        total += sum(
            LEGACY_U[el.symbol] * comp[el] for el in comp.elements if el.symbol in LEGACY_U
        )
    return float(total)


def legacy_minus_mp2020_correction(structure: Structure) -> float:
    """Energy in eV to add to a CHGNet total energy to express it in the legacy scheme.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> kbr = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(6.6), ["K", "Br"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> round(legacy_minus_mp2020_correction(kbr), 3)  # +0.534 eV per Br, 4 Br
        2.136
    """
    return legacy_correction(structure) - mp2020_correction(structure)
