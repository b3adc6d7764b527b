"""Absurd numbers in formulas and structure files are refused, not wrapped or predicted
(issue 21, item 10): every reader and the formula parsers, without the platform."""

from __future__ import annotations

import json

import pytest
from pymatgen.core import Composition, Lattice, Structure

from matdiscover.errors import InvalidComposition, InvalidStructure
from matdiscover.science.featurize import parse_formula
from matdiscover.science.io import read_structures
from matdiscover.science.predict import parse_formula as parse_composition
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.validation import validate_structure
from tests.science.structure_fixtures import cscl_cif

ABSURD = ["Fe1e308O", "Fe999999999999999999999O", "Fe1e308", "Fe1e400", "(Fe1e400)0O"]


def _cif(*, x: str = "0", a: str = "4.12", cartesian: bool = False) -> bytes:
    half = "2.06" if cartesian else "0.5"
    kind = "cartn" if cartesian else "fract"
    return cscl_cif(x=x, a=a, kind=kind, half=half).encode()


@pytest.mark.parametrize("formula", [*ABSURD, "Fe1e-308O", "Fe2(O1e300)0.5"])
def test_absurd_amounts_are_refused_by_both_formula_parsers(formula: str) -> None:
    with pytest.raises(InvalidComposition, match="out of range"):
        parse_formula(formula)
    with pytest.raises(InvalidComposition, match="out of range"):
        parse_composition(formula)


@pytest.mark.parametrize("formula", ["Fe0.95O", "Fe0.620C0.000953Ni0.192", "Ca(OH)2", "C60"])
def test_real_formulas_still_parse_like_pymatgen(formula: str) -> None:
    expected = Composition(formula).get_el_amt_dict()
    assert parse_formula(formula) == pytest.approx(expected)
    assert parse_composition(formula).get_el_amt_dict() == pytest.approx(expected)


def test_a_large_but_real_amount_is_accepted() -> None:
    assert parse_formula("C1000000")["C"] == 1e6
    with pytest.raises(InvalidComposition):
        parse_formula("C1000001")


def test_cif_fractional_coordinate_1e300_is_refused_not_wrapped_to_0() -> None:
    assert read_structures(_cif(), "ok.cif").structures  # the same file, sane
    for x in ("1e300", "-2e3", "12345.5"):
        with pytest.raises(InvalidStructure, match="fractional x coordinate"):
            read_structures(_cif(x=x), "far.cif")
    assert read_structures(_cif(x="-1.25"), "unwrapped.cif").structures  # real, kept
    with pytest.raises(InvalidStructure, match="cartesian x coordinate"):
        read_structures(_cif(x="1e300", cartesian=True), "far.cif")
    with pytest.raises(InvalidStructure, match="_cell_length_a"):
        read_structures(_cif(a="1e300"), "huge.cif")


def _cscl(x: float, a: float = 4.12) -> Structure:
    return Structure(Lattice.cubic(a), ["Cs", "Cl"], [[x, 0, 0], [0.5, 0.5, 0.5]])


@pytest.mark.parametrize("fmt", ["poscar", "json", "xyz"])
def test_other_formats_refuse_far_coordinates(fmt: str) -> None:
    structure = _cscl(1e300)
    if fmt == "poscar":
        text = structure.to(fmt="poscar")
        name = "POSCAR"
    elif fmt == "json":
        text = json.dumps(structure.as_dict())
        name = "far.json"
    else:
        lattice = " ".join(f"{v:.6f}" for v in structure.lattice.matrix.ravel())
        text = (
            f'2\nLattice="{lattice}" Properties=species:S:1:pos:R:3 pbc="T T T"\n'
            f"Cs 4.12e300 0 0\nCl 2.06 2.06 2.06\n"
        )
        name = "far.xyz"
    with pytest.raises(InvalidStructure, match="fractional coordinate beyond"):
        read_structures(text.encode(), name)


def test_validation_bounds_lattice_and_coordinates() -> None:
    limits = ParseLimits()
    assert validate_structure(_cscl(0.0), limits) == []
    assert validate_structure(_cscl(-3.0), limits) == []
    with pytest.raises(InvalidStructure, match="fractional coordinate beyond"):
        validate_structure(_cscl(1001.0), limits)
    with pytest.raises(InvalidStructure, match="Lattice vector a is"):
        validate_structure(_cscl(0.0, a=2e4), limits)
