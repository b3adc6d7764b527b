"""validate_structure: hard errors and warnings."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pymatgen.core import Composition, DummySpecies, Lattice, PeriodicSite, Structure

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.structures import ParseLimits, validate_structure
from tests.science.structure_fixtures import nacl_conventional

LIMITS = ParseLimits()


def test_valid_structure_has_no_warnings() -> None:
    assert validate_structure(nacl_conventional(), LIMITS) == []


def test_no_atoms() -> None:
    with pytest.raises(InvalidStructure, match="no atoms"):
        validate_structure(Structure(Lattice.cubic(3), [], []), LIMITS)


def test_too_many_sites() -> None:
    with pytest.raises(InputTooLarge, match="16 sites, more than the limit of 10"):
        validate_structure(nacl_conventional() * (2, 1, 1), ParseLimits(max_sites=10))


def test_close_atoms_named_with_distance() -> None:
    s = nacl_conventional()
    s.append("Na", [0.1, 0, 0], coords_are_cartesian=True)
    with pytest.raises(
        InvalidStructure, match=r"Na \(site 1\) and Na \(site 9\) are only 0\.100 Å"
    ):
        validate_structure(s, LIMITS)


def test_atom_close_to_its_own_image() -> None:
    s = Structure(Lattice.tetragonal(3.0, 0.4), ["Fe"], [[0, 0, 0]])
    with pytest.raises(InvalidStructure, match="own periodic image"):
        validate_structure(s, ParseLimits(min_distance=0.5))


def test_split_site_disorder_only_warns() -> None:
    s = Structure(
        Lattice.cubic(5.0),
        [{"Na": 0.5}, {"Na": 0.5}, "Cl"],
        [[0, 0, 0], [0.05, 0, 0], [0.5, 0.5, 0.5]],
    )
    warnings = validate_structure(s, LIMITS)
    assert len(warnings) == 1 and "split-site disorder" in warnings[0]


def test_overfull_site() -> None:
    lattice = Lattice.cubic(4)
    s = Structure(lattice, ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    overfull = Composition({"Na": 0.7, "K": 0.5})  # as CifParser(check_occu=False) builds it
    s.sites[0] = PeriodicSite(overfull, [0, 0, 0], lattice, skip_checks=True)
    with pytest.raises(InvalidStructure, match="summed occupancy of 1.200"):
        validate_structure(s, LIMITS)


def test_dummy_species() -> None:
    s = Structure(Lattice.cubic(4), [DummySpecies("X"), "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    with pytest.raises(InvalidStructure, match="dummy species or vacancy 'X'"):
        validate_structure(s, LIMITS)


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[4, 0, 0], [0, 4, 0], [4, 4, 0]], "zero-volume or degenerate"),
        ([[4, 0, 0], [4, 0.01, 0], [0, 0, 4]], "collinear"),
        ([[0, 0, 0], [0, 4, 0], [0, 0, 4]], "zero length"),
        ([[0.3, 0, 0], [0, 0.3, 0], [0, 0, 0.3]], "per atom"),
    ],
)
def test_degenerate_lattices(matrix: list[list[float]], message: str) -> None:
    s = Structure(Lattice(matrix), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    with pytest.raises(InvalidStructure, match=message):
        validate_structure(s, ParseLimits(min_distance=0.01))


def test_nan_coordinates() -> None:
    s = Structure(Lattice.cubic(4), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    s.sites[1].frac_coords = np.array([np.nan, 0.5, 0.5])
    with pytest.raises(InvalidStructure, match=r"Cl \(site 2\) has NaN"):
        validate_structure(s, LIMITS)


def test_5000_sites_are_checked_quickly() -> None:
    s = nacl_conventional() * (10, 10, 6)  # 4,800 sites
    start = time.monotonic()
    assert validate_structure(s, LIMITS) == []
    assert time.monotonic() - start < 3.0
