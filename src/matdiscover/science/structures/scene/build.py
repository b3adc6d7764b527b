"""Assemble the viewer :class:`~.model.Scene` of a structure from the parts.

:func:`build_scene` wraps the structure into its cell, enumerates the drawn atoms
(:mod:`.cell`), finds the neighbours of each site (:mod:`.neighbours`), then draws
the atoms with their neighbour lists and polyhedra (:mod:`.atoms`), the bonds
(:mod:`.bonds`), the cell outline and the legend (colours and radii from
:mod:`.elements`). :func:`parse_supercell` reads the supercell option of the API.
"""

from __future__ import annotations

import numpy as np
from pymatgen.core import Element, Structure

from matdiscover.errors import InvalidInput
from matdiscover.science.structures.scene.atoms import draw_atoms
from matdiscover.science.structures.scene.bonds import build_bonds
from matdiscover.science.structures.scene.cell import (
    MAX_SCENE_ATOMS,
    Images,
    bounding_sphere,
    box_edges,
    site_element,
    wrapped,
)
from matdiscover.science.structures.scene.elements import (
    covalent_radius,
    electronegativity,
    element_colour,
    space_filling_radius,
)
from matdiscover.science.structures.scene.model import (
    Bonding,
    ColourScheme,
    LegendEntry,
    Scene,
    rounded,
)
from matdiscover.science.structures.scene.neighbours import find_neighbours

_SUPERCELL_FORMAT = "supercell must be three integers such as 2,2,2"
_SUPERCELL_RANGE = "each supercell repeat must be between 1 and 3"


def parse_supercell(text: str) -> tuple[int, int, int]:
    """Parse ``"2,2,2"`` (or ``"2"``) into a repeat per axis, each 1..3.

    >>> parse_supercell("2"), parse_supercell(" 1, 2 ,3 ")
    ((2, 2, 2), (1, 2, 3))
    >>> parse_supercell("4,1,1")
    Traceback (most recent call last):
    ...
    matdiscover.errors.InvalidInput: each supercell repeat must be between 1 and 3
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) == 1:
        parts = parts * 3
    if len(parts) != 3:
        raise InvalidInput(_SUPERCELL_FORMAT)
    try:
        values = [int(p) for p in parts]
    except ValueError as exc:
        raise InvalidInput(_SUPERCELL_FORMAT) from exc
    if any(v < 1 or v > 3 for v in values):
        raise InvalidInput(_SUPERCELL_RANGE)
    return (values[0], values[1], values[2])


def build_scene(
    structure: Structure,
    *,
    supercell: tuple[int, int, int] = (1, 1, 1),
    bonding: Bonding = "crystalnn",
    colour_scheme: ColourScheme = "jmol",
    repeat_boundary_atoms: bool = True,
    max_atoms: int = MAX_SCENE_ATOMS,
) -> Scene:
    """Build the viewer scene of ``structure`` repeated ``supercell`` times (1-3 per axis).

    Bonds are computed with ``bonding`` (``"crystalnn"`` falls back to ``"cutoff"``
    above :data:`CRYSTALNN_MAX_SITES` sites, with a warning). Raises
    :class:`~matdiscover.errors.InvalidInput` for a bad supercell and
    :class:`~matdiscover.errors.InputTooLarge` above ``max_atoms`` drawn atoms.

    Rock-salt NaCl, conventional cell (a = 5.64 Å): the 8 atoms of the cell plus
    19 boundary repeats, each Na octahedrally coordinated by Cl at a/2:

    >>> from pymatgen.core import Lattice, Structure
    >>> fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
    >>> cl = [[x + 0.5 for x in p] for p in fcc]
    >>> nacl = Structure(Lattice.cubic(5.64), ["Na"] * 4 + ["Cl"] * 4, fcc + cl)
    >>> scene = build_scene(nacl)
    >>> len(scene.atoms), sum(not a.is_boundary_image for a in scene.atoms)
    (27, 8)
    >>> [(nb.element, nb.distance) for nb in scene.atoms[0].neighbours][:2]
    [('Cl', 2.82), ('Cl', 2.82)]
    >>> {(p.element, len(p.vertices), len(p.faces)) for p in scene.polyhedra}  # NaCl6
    {('Na', 6, 8)}

    Without the boundary repeats, bonds leaving the cell end at the partner's
    true position as half bonds (``b is None``):

    >>> bare = build_scene(nacl, repeat_boundary_atoms=False)
    >>> len(bare.atoms), sum(b.b is None for b in bare.bonds)
    (8, 24)
    """
    if len(supercell) != 3 or any(int(n) < 1 or int(n) > 3 for n in supercell):
        raise InvalidInput(_SUPERCELL_RANGE)
    if len(structure) == 0:
        raise InvalidInput("the structure has no sites")
    n = np.array([int(v) for v in supercell])
    s = wrapped(structure)
    matrix = s.lattice.matrix
    frac_coords = s.frac_coords  # computed on every access by pymatgen: read once

    info = [site_element(site) for site in s]
    elements = [e for e, _, _, _ in info]
    metals = {e for e in elements if Element(e).is_metal}
    ionic = bool(metals) and len(metals) < len(set(elements))

    images = Images.of(
        frac_coords,
        matrix,
        n,
        repeat_boundary_atoms=repeat_boundary_atoms,
        max_atoms=max_atoms,
    )
    pairs, used, notes = find_neighbours(s, elements, bonding=bonding, ionic=ionic)

    radius_sf = {
        e: space_filling_radius(e, oxidation_state=oxi, ionic=ionic) for e, oxi, _, _ in info
    }
    colours = {e: element_colour(e, scheme=colour_scheme) for e in set(elements)}
    electroneg = {e: electronegativity(e) for e in colours}
    atoms, polyhedra = draw_atoms(
        images, info, pairs, colours=colours, radius_sf=radius_sf, electroneg=electroneg
    )

    if not structure.is_ordered:
        notes.append("partially occupied sites are drawn as their majority species")

    centre, extent = bounding_sphere(matrix, n)
    legend = [
        LegendEntry(e, colours[e], covalent_radius(e), round(radius_sf[e], 3))
        for e in sorted(colours, key=lambda x: (electroneg[x], x))
    ]
    return Scene(
        formula=structure.composition.reduced_formula,
        lattice=[rounded(row) for row in matrix],
        supercell=(int(n[0]), int(n[1]), int(n[2])),
        bonding=used,
        bonding_requested=bonding,
        colour_scheme=colour_scheme,
        atoms=atoms,
        bonds=build_bonds(images, pairs),
        polyhedra=polyhedra,
        cell_edges=box_edges(matrix, n.astype(float)),
        unit_cell_edges=box_edges(matrix, np.ones(3)),
        legend=legend,
        centre=rounded(centre),
        extent=round(extent, 3),
        warnings=notes,
    )
