from __future__ import annotations

import pytest
from pymatgen.core import Composition

from matdiscover.errors import InvalidComposition
from matdiscover.science.featurize import parse_formula, reduced_formula_key


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("NaCl", {"Na": 1, "Cl": 1}),
        ("Fe2O3", {"Fe": 2, "O": 3}),
        ("Zr3(Cu2Ge)2", {"Zr": 3, "Cu": 4, "Ge": 2}),
        ("Ag(AuS)2", {"Ag": 1, "Au": 2, "S": 2}),
        ("K4[Fe(CN)6]", {"K": 4, "Fe": 1, "C": 6, "N": 6}),
        ("Ca{OH}2", {"Ca": 1, "O": 2, "H": 2}),
        ("CuSO4·5H2O", {"Cu": 1, "S": 1, "O": 9, "H": 10}),
        ("Na2CO3*10H2O", {"Na": 2, "C": 1, "O": 13, "H": 20}),
        ("Fe0.620C0.000953Ni0.192", {"Fe": 0.62, "C": 0.000953, "Ni": 0.192}),
        ("C1Pt1", {"C": 1, "Pt": 1}),
        ("FeFe", {"Fe": 2}),
        (" Na Cl ", {"Na": 1, "Cl": 1}),
        ("Fe0O", {"O": 1}),
    ],
)
def test_parse(formula: str, expected: dict[str, float]) -> None:
    got = parse_formula(formula)
    assert got.keys() == expected.keys()
    for el, amt in expected.items():
        assert got[el] == pytest.approx(amt, rel=1e-12)


@pytest.mark.parametrize("formula", ["Sr3CaTiMn3O12", "Li2Fe(SO4)2", "Ba(Fe0.5Nb0.5)O3"])
def test_matches_pymatgen(formula: str) -> None:
    ref = Composition(formula).get_el_amt_dict()
    got = parse_formula(formula)
    assert got == pytest.approx(ref)


@pytest.mark.parametrize(
    ("formula", "fragment"),
    [
        ("XxO2", "'Xx'"),
        ("Fe(O", "unclosed"),
        ("FeO)", "unbalanced"),
        ("Fe(O]", "unbalanced"),
        ("", "empty"),
        ("   ", "empty"),
        ("2", "no atoms"),
        ("Fe-O", "unexpected character"),
        ("(2)", "does not follow"),
        ("fe2O3", "unexpected character"),
        ("CuSO4··H2O", "empty component"),
    ],
)
def test_errors_name_the_problem(formula: str, fragment: str) -> None:
    with pytest.raises(InvalidComposition, match=fragment.replace("(", r"\(")):
        parse_formula(formula)


def test_non_string() -> None:
    with pytest.raises(InvalidComposition):
        parse_formula(3)  # type: ignore[arg-type]


def test_returns_fresh_dict() -> None:
    parse_formula("NaCl")["Na"] = 5.0
    assert parse_formula("NaCl")["Na"] == 1.0


def test_reduced_key_groups_polymorph_formulas() -> None:
    assert reduced_formula_key("Fe4O6") == reduced_formula_key("O3Fe2")
    assert reduced_formula_key("FeO") != reduced_formula_key("Fe2O3")
