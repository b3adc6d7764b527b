"""Per-element drawing data: colours, covalent and space-filling radii, electronegativity.

Colours come from pymatgen's ``ElementColorSchemes.yaml`` (Jmol and VESTA schemes),
covalent radii from Cordero et al. (2008), ionic radii from Shannon (1976) through
pymatgen's ``Element``. Every lookup has a fallback, so an exotic element is still
drawn (grey, 1.5 Å) rather than failing the scene.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from typing import Any

from pymatgen.core import Element

from matdiscover.science.structures.scene.model import ColourScheme


@lru_cache(maxsize=1)
def _colour_tables() -> dict[str, dict[str, list[int]]]:
    from monty.serialization import loadfn

    path = resources.files("pymatgen.vis").joinpath("ElementColorSchemes.yaml")
    with resources.as_file(path) as p:
        data: dict[str, dict[str, list[int]]] = loadfn(str(p))
    return data


def element_colour(element: str, *, scheme: ColourScheme = "jmol") -> str:
    """Hex colour (``#rrggbb``) of an element in the Jmol or VESTA scheme (grey if unknown).

    >>> element_colour("O"), element_colour("O", scheme="vesta")
    ('#ff0d0d', '#fe0300')
    >>> element_colour("Xx")  # not an element: neutral grey
    '#c8c8c8'
    """
    table = _colour_tables()["Jmol" if scheme == "jmol" else "VESTA"]
    rgb = table.get(element, [200, 200, 200])
    return "#{:02x}{:02x}{:02x}".format(*(int(c) for c in rgb))


@lru_cache(maxsize=256)
def covalent_radius(element: str) -> float:
    """Covalent radius in Å (Cordero et al. 2008), 1.5 Å if unknown."""
    from pymatgen.core.molecule_structure_comparator import CovalentRadius

    return float(CovalentRadius.radius.get(element, 1.5))


def _positive(value: Any) -> float | None:
    """``value`` as a finite positive float, else None (pymatgen returns None or NaN)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) and out > 0 else None


def space_filling_radius(
    element: str, *, oxidation_state: float | None = None, ionic: bool = True
) -> float:
    """Radius in Å for the space-filling mode.

    The Shannon ionic radius of ``oxidation_state`` when given; in an ionic compound
    (``ionic=True``) the ionic radius of the element's most common cation (metals)
    or anion (non-metals) state; otherwise the metallic/atomic radius, then the van
    der Waals radius, then 1.5 Å.

    In an ionic compound the cation shrinks and the anion grows; in a metal the
    atoms are their metallic size:

    >>> space_filling_radius("Na"), space_filling_radius("O")  # Na+ and O2-
    (1.16, 1.26)
    >>> space_filling_radius("Fe", oxidation_state=3)  # declared Fe3+
    0.785
    >>> space_filling_radius("Na", ionic=False)  # metallic sodium
    1.8
    """
    el = Element(element)
    if oxidation_state:
        r = _positive(el.ionic_radii.get(int(oxidation_state)))
        if r:
            return r
    if ionic:
        states = [s for s in el.common_oxidation_states if (s > 0) == bool(el.is_metal)]
        for s in sorted(states, key=abs):
            r = _positive(el.ionic_radii.get(s))
            if r:
                return r
    return _positive(el.atomic_radius) or _positive(el.van_der_waals_radius) or 1.5


def electronegativity(element: str) -> float:
    """Pauling electronegativity, 0.0 where pymatgen has none (noble gases: NaN)."""
    x = Element(element).X
    return float(x) if x == x else 0.0
