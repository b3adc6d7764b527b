"""The viewer scene: atoms, boundary repeats, periodic bonds, polyhedra, cell, limits."""

from __future__ import annotations

import json
import time
from dataclasses import asdict

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.structures.scene import (
    CRYSTALNN_MAX_SITES,
    build_scene,
    covalent_radius,
    element_colour,
    parse_supercell,
    space_filling_radius,
)
from tests.science.structure_fixtures import nacl_conventional, rutile


def cscl() -> Structure:
    return Structure(Lattice.cubic(4.2), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])


def test_boundary_atoms_are_repeated_on_every_face_edge_and_corner() -> None:
    scene = build_scene(cscl())
    cs = [a for a in scene.atoms if a.element == "Cs"]
    assert len(cs) == 8  # the corner atom on all 8 corners
    assert sum(not a.is_boundary_image for a in cs) == 1
    corners = {tuple(a.fractional) for a in cs}
    assert corners == {
        (float(x), float(y), float(z)) for x in (0, 1) for y in (0, 1) for z in (0, 1)
    }
    # without repeats only the unit cell content
    assert len(build_scene(cscl(), repeat_boundary_atoms=False).atoms) == 2


def test_cscl_bonds_join_the_centre_to_all_eight_corners() -> None:
    scene = build_scene(cscl())
    centre = next(a for a in scene.atoms if a.element == "Cl")
    bonded = {
        b.a if b.b == centre.index else b.b for b in scene.bonds if centre.index in (b.a, b.b)
    }
    assert len(bonded) == 8
    assert all(b.length == pytest.approx(4.2 * np.sqrt(3) / 2, abs=1e-3) for b in scene.bonds)
    # every bond of the closed box is drawn between two drawn atoms: no half bonds needed
    assert all(b.b is not None for b in scene.bonds)


def test_neighbours_for_click_to_inspect() -> None:
    scene = build_scene(rutile())
    ti = next(a for a in scene.atoms if a.element == "Ti" and not a.is_boundary_image)
    assert len(ti.neighbours) == 6
    assert {n.element for n in ti.neighbours} == {"O"}
    distances = [n.distance for n in ti.neighbours]
    assert distances == sorted(distances)
    assert 1.9 < distances[0] < distances[-1] < 2.05  # Ti-O in rutile, Å
    for n in ti.neighbours:  # the stated distance is the distance to the stated position
        assert np.linalg.norm(np.subtract(n.position, ti.position)) == pytest.approx(
            n.distance, abs=2e-3
        )


def test_periodic_bonds_cross_the_boundary() -> None:
    """The Ti at the corner bonds to O atoms of neighbouring cells."""
    scene = build_scene(rutile())
    ti0 = next(a for a in scene.atoms if a.element == "Ti" and a.fractional == (0.0, 0.0, 0.0))
    lattice = np.array(scene.lattice)
    outside = [
        n
        for n in ti0.neighbours
        if np.any(np.linalg.solve(lattice.T, np.array(n.position)) < -1e-6)
    ]
    assert outside, "the origin Ti must have neighbours in the cells below it"
    # each such bond is drawn: either to a drawn periodic image or as a half bond
    drawn = {(b.a, b.b) for b in scene.bonds} | {(b.b, b.a) for b in scene.bonds}
    half = [b for b in scene.bonds if b.b is None]
    for b in half:
        assert b.length == pytest.approx(np.linalg.norm(np.subtract(b.end, b.start)), abs=2e-3)
    assert drawn


def test_rutile_polyhedra_are_tio6_octahedra() -> None:
    scene = build_scene(rutile())
    assert scene.polyhedra
    for p in scene.polyhedra:
        assert p.element == "Ti"
        assert len(p.vertices) == 6
        assert len(p.faces) == 8  # a closed octahedron
        used = {i for f in p.faces for i in f}
        assert used == set(range(6))
    # anions never get a polyhedron
    assert all(scene.atoms[p.centre].element == "Ti" for p in scene.polyhedra)


def test_supercell_multiplies_the_content_and_the_cell_box() -> None:
    one = build_scene(nacl_conventional(), supercell=(1, 1, 1))
    two = build_scene(nacl_conventional(), supercell=(2, 2, 2))
    assert sum(not a.is_boundary_image for a in one.atoms) == 8
    assert sum(not a.is_boundary_image for a in two.atoms) == 64
    assert len(two.cell_edges) == 12 and len(two.unit_cell_edges) == 12
    lengths = [np.linalg.norm(np.subtract(b, a)) for a, b in two.cell_edges]
    assert max(lengths) == pytest.approx(2 * 5.64, abs=1e-3)
    assert two.extent == pytest.approx(np.sqrt(3) * 5.64, abs=1e-2)
    # rock salt: every Na has 6 Cl neighbours at a/2
    na = next(a for a in two.atoms if a.element == "Na" and not a.is_boundary_image)
    assert [n.distance for n in na.neighbours] == [pytest.approx(2.82, abs=1e-3)] * 6


def test_radii_colours_and_legend() -> None:
    scene = build_scene(nacl_conventional())
    assert {e.element for e in scene.legend} == {"Na", "Cl"}
    assert element_colour("O") == "#ff0d0d"  # Jmol red
    assert element_colour("O", scheme="vesta") != element_colour("O")
    assert covalent_radius("C") == pytest.approx(0.73)
    na = next(a for a in scene.atoms if a.element == "Na")
    cl = next(a for a in scene.atoms if a.element == "Cl")
    assert na.radius_space_filling == pytest.approx(1.16)  # Shannon Na+ (VI)
    assert cl.radius_space_filling == pytest.approx(1.67)  # Shannon Cl-
    # metals in an intermetallic get their metallic radius, not an ionic one
    assert space_filling_radius("Cu", ionic=False) == pytest.approx(1.35)
    assert all(a.colour.startswith("#") and len(a.colour) == 7 for a in scene.atoms)


def test_scene_is_json_serialisable() -> None:
    text = json.dumps(asdict(build_scene(rutile(), supercell=(2, 1, 1))))
    assert '"polyhedra"' in text


def test_large_cell_uses_cutoff_bonds_and_stays_fast() -> None:
    big = nacl_conventional()
    big.make_supercell([4, 4, 4])  # 512 sites
    assert len(big) > CRYSTALNN_MAX_SITES
    t0 = time.perf_counter()
    scene = build_scene(big)
    elapsed = time.perf_counter() - t0
    assert scene.bonding == "cutoff" and scene.bonding_requested == "crystalnn"
    assert scene.warnings and "cutoff" in scene.warnings[0]
    assert elapsed < 5.0, f"512-site scene took {elapsed:.1f} s"
    na = next(a for a in scene.atoms if a.element == "Na" and not a.is_boundary_image)
    assert len(na.neighbours) == 6


def test_cutoff_and_crystalnn_agree_on_rock_salt() -> None:
    a = build_scene(nacl_conventional(), bonding="crystalnn")
    b = build_scene(nacl_conventional(), bonding="cutoff")
    assert len(a.bonds) == len(b.bonds)


def test_disordered_sites_are_drawn_as_majority_species() -> None:
    s = Structure(Lattice.cubic(4.0), [{"Fe": 0.6, "Co": 0.4}, "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    scene = build_scene(s)
    site = next(a for a in scene.atoms if not a.is_boundary_image and a.site_index == 0)
    assert site.element == "Fe" and site.occupancy == pytest.approx(0.6)
    assert "Co" in site.label
    assert any("partially occupied" in w for w in scene.warnings)


@pytest.mark.parametrize("bad", [(0, 1, 1), (4, 1, 1), (1, 1, -1)])
def test_bad_supercell_is_rejected(bad: tuple[int, int, int]) -> None:
    with pytest.raises(InvalidInput):
        build_scene(cscl(), supercell=bad)


def test_atom_limit() -> None:
    with pytest.raises(InputTooLarge):
        build_scene(nacl_conventional(), supercell=(3, 3, 3), max_atoms=100)


def test_parse_supercell() -> None:
    assert parse_supercell("2,2,2") == (2, 2, 2)
    assert parse_supercell(" 1, 2 ,3 ") == (1, 2, 3)
    assert parse_supercell("2") == (2, 2, 2)
    for bad in ("", "1,2", "0,1,1", "4,4,4", "a,b,c", "1,1,1,1"):
        with pytest.raises(InvalidInput):
            parse_supercell(bad)


def test_cutoff_bonds_skip_metal_metal_contacts_in_ionic_compounds() -> None:
    """Ti-Ti at 2.96 Å in rutile is within the covalent cutoff but is not a bond."""
    scene = build_scene(rutile(), bonding="cutoff")
    pairs = {
        frozenset((scene.atoms[b.a].element, scene.atoms[b.b].element))
        for b in scene.bonds
        if b.b is not None
    }
    assert pairs == {frozenset(("Ti", "O"))}
    assert scene.polyhedra  # so the TiO6 octahedra survive in cutoff mode too
