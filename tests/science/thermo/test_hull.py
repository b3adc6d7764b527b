"""Tests for matdiscover.science.thermo (reference hulls, energy above hull)."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

from matdiscover.errors import InvalidComposition, InvalidInput
from matdiscover.science.thermo import (
    MP_LEGACY_CONVENTION,
    ReferenceHull,
    energy_above_hull,
    phase_diagram,
)

TOY = pd.DataFrame(
    {
        "formula": ["Na1Cl1", "Na2Cl2", "Na1Cl3", "Li2O1", "Li2O2", "Fe2O3", "Li1Fe1O2", "Fe1O1"],
        "target": [-2.05, -2.10, -0.9, -2.07, -1.65, -1.69, -1.80, -1.75],
    }
)


@pytest.fixture(scope="module")
def toy() -> ReferenceHull:
    return ReferenceHull(TOY, dataset="toy")


@pytest.fixture(scope="module")
def mp() -> ReferenceHull:
    pytest.importorskip("pyarrow")
    return ReferenceHull.from_dataset("mp_e_form")


def test_lowest_polymorph_is_kept(toy: ReferenceHull) -> None:
    res = energy_above_hull("NaCl", -2.10, hull=toy)
    assert res.is_stable
    assert res.e_above_hull == pytest.approx(0.0, abs=1e-9)
    assert res.hull_energy_per_atom == pytest.approx(-2.10)
    assert res.provenance.dataset == "toy"
    assert res.provenance.convention == MP_LEGACY_CONVENTION


def test_made_up_composition_decomposes(toy: ReferenceHull) -> None:
    res = energy_above_hull("Na3Cl", -0.5, hull=toy)
    # hull at Na3Cl: half NaCl (-2.10) + half Na (0) = -1.05 eV/atom
    assert res.e_above_hull == pytest.approx(0.55)
    assert not res.is_stable
    assert dict(res.decomposition) == pytest.approx({"NaCl": 0.5, "Na": 0.5})


def test_below_hull_is_reported(toy: ReferenceHull) -> None:
    res = energy_above_hull("NaCl", -2.3, hull=toy)
    assert res.e_above_hull == 0.0
    assert res.below_hull_by == pytest.approx(0.2)
    assert res.is_stable


def test_agrees_with_pymatgen_phase_diagram(toy: ReferenceHull) -> None:
    best = TOY.assign(rf=[Composition(f).reduced_formula for f in TOY.formula])
    best = best.loc[best.groupby("rf").target.idxmin()]
    entries = [PDEntry(Composition(el), 0.0) for el in ("Li", "Fe", "O")]
    for f, t in zip(best.formula, best.target, strict=True):
        c = Composition(f).reduced_composition
        if set(c.chemical_system.split("-")) <= {"Li", "Fe", "O"}:
            entries.append(PDEntry(c, t * c.num_atoms))
    ref = PhaseDiagram(entries)
    for formula, e_form in [
        ("LiFeO2", -1.7),
        ("Li5FeO4", -1.5),
        ("Fe3O4", -1.6),
        ("LiFe5O8", -1.9),
    ]:
        c = Composition(formula)
        expected = ref.get_e_above_hull(PDEntry(c, e_form * c.num_atoms), allow_negative=True)
        got = energy_above_hull(formula, e_form, hull=toy)
        assert got.e_above_hull - got.below_hull_by == pytest.approx(expected, abs=1e-9)


def test_phase_diagram_and_limits(toy: ReferenceHull) -> None:
    pdr = phase_diagram("O-Li-Fe", [("LiFeO2", -1.95)], hull=toy)
    assert pdr.chemsys == "Fe-Li-O"
    assert "LiFeO2 (extra #0)" in pdr.stable
    ehull = {name: e for name, _, e in pdr.entries}
    assert ehull["LiFeO2"] == pytest.approx(0.15)
    assert pdr.decompositions["LiFeO2"] == (("LiFeO2", 1.0),)
    with pytest.raises(InvalidInput, match="1 to 4 components"):
        phase_diagram("Li-Fe-O-P-S", hull=toy)
    with pytest.raises(InvalidInput, match="outside"):
        phase_diagram("Li-O", [("NaCl", -2.0)], hull=toy)
    with pytest.raises(InvalidComposition):
        energy_above_hull("Xx2O", -1.0, hull=toy)


def test_mp_hull_nacl_and_speed(mp: ReferenceHull) -> None:
    assert mp.provenance.n_rows > 100_000
    nacl = energy_above_hull("NaCl", -2.12, hull=mp)
    assert nacl.hull_energy_per_atom == pytest.approx(-2.1, abs=0.1)
    t0 = time.perf_counter()
    res = energy_above_hull("LiFePO4", -2.5, hull=mp)
    # ~0.15-0.3 s measured idle; generous bound for a loaded shared CI machine
    assert time.perf_counter() - t0 < 3.0
    assert res.decomposition
