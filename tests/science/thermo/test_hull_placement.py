"""The fast hull placement gives the numbers of pymatgen's PhaseDiagram (one definition).

``stability()`` / ``stability_many()`` place compositions with a small linear programme
instead of building a pymatgen ``PhaseDiagram`` per chemical system; these tests compare
them with a ``PhaseDiagram`` built from the same reference entries (the previous
implementation) to 1e-9 eV/atom, and the batch prediction path with ``stability()``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition

from matdiscover.science.thermo import (
    ReferenceHull,
    energy_above_hull,
    reference_hull,
    stability,
    stability_many,
)

pytest.importorskip("pyarrow")


def _pymatgen(hull: ReferenceHull, comp: Composition) -> tuple[float, list[tuple[str, float]]]:
    """Hull energy and decomposition from a fresh pymatgen PhaseDiagram (old route)."""
    pd_ = PhaseDiagram(hull.entries_for(el.symbol for el in comp.elements))
    dec = sorted(
        (e.composition.reduced_formula, round(float(a), 6))
        for e, a in pd_.get_decomposition(comp).items()
        if a > 1e-9
    )
    return float(pd_.get_hull_energy_per_atom(comp)), dec


def _same_decomposition(ours: tuple[tuple[str, float], ...], ref: list[tuple[str, float]]) -> bool:
    """Same phases and fractions (each rounded to 6 decimals: allow one last-digit step)."""
    a, b = sorted(ours), sorted(ref)
    return [n for n, _ in a] == [n for n, _ in b] and all(
        abs(x - y) <= 1.5e-6 for (_, x), (_, y) in zip(a, b, strict=True)
    )


def _sample(n: int, *, max_elements: int, seed: int) -> list[str]:
    from matdiscover.science.reference_data import load_table

    formulas = load_table("mp_e_form")["formula"].tolist()
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for i in rng.permutation(len(formulas)):
        f = formulas[int(i)]
        if len(Composition(f).elements) <= max_elements:
            out.append(f)
        if len(out) == n:
            break
    return out


def test_stability_equals_pymatgen_phase_diagram_on_mp_formulas() -> None:
    hull = reference_hull()
    # Random MP formulas (each sits exactly on a phase of the table: degenerate placements),
    # made-up stoichiometries of the same systems, and a 6-element system.
    formulas = _sample(300, max_elements=5, seed=3)
    formulas += ["Li3Fe2(PO4)3", "Na7Cl3", "Fe3O5", "LiFePO4", "Ba2YCu3O7", "LiNaKMgCaO5"]
    mismatches = []
    for f in formulas:
        comp = Composition(f)
        ref_e, ref_dec = _pymatgen(hull, comp)
        for e_form in (ref_e - 0.05, ref_e + 0.2):
            r = stability(f, e_form)
            assert r.hull_energy_per_atom == pytest.approx(ref_e, abs=1e-9), f
            assert r.e_above_hull == pytest.approx(max(e_form - ref_e, 0.0), abs=1e-9), f
            assert r.below_hull_by == pytest.approx(max(ref_e - e_form, 0.0), abs=1e-9), f
        if not _same_decomposition(r.decomposition, ref_dec):
            mismatches.append((f, r.decomposition, ref_dec))
    assert not mismatches


def test_stability_many_equals_stability() -> None:
    formulas = _sample(200, max_elements=8, seed=5) + ["Na3Cl", "O", "Fe2O3"]
    energies = [-1.0 + 0.01 * i for i in range(len(formulas))]
    batch = stability_many([Composition(f).as_dict() for f in formulas], energies)
    for f, e, (e_hull, placed) in zip(formulas, energies, batch, strict=True):
        one = stability(f, e)
        assert e_hull == pytest.approx(one.e_above_hull, abs=1e-12)
        assert placed.hull_energy_per_atom == pytest.approx(one.hull_energy_per_atom, abs=1e-12)
        assert placed.decomposition == one.decomposition


DEGENERATE = pd.DataFrame(
    {
        # A-B line with three collinear phases on the hull, and a ternary with a phase in
        # the middle of a tie triangle's plane (coplanar) and one exactly on the element
        # plane (0 eV: never on the lower hull).
        "formula": ["A1B1", "A1B3", "A3B1", "A1C1", "B1C1", "A1B1C2", "B1C3"],
        "target": [-1.0, -0.5, -0.5, -0.8, -0.6, -0.7, 0.0],
    }
).replace({"A": "Li", "B": "Mg", "C": "O"}, regex=True)


@pytest.mark.parametrize(
    "formula",
    ["LiMg", "LiMg3", "Li5Mg3", "Li3Mg5", "LiMgO2", "Li2MgO3", "LiMg2O", "MgO3", "Li", "LiO"],
)
def test_degenerate_placements_match_pymatgen(formula: str) -> None:
    hull = ReferenceHull(DEGENERATE, dataset="toy")
    comp = Composition(formula)
    ref_e, ref_dec = _pymatgen(hull, comp)
    r = energy_above_hull(formula, 0.0, hull=hull)
    assert r.hull_energy_per_atom == pytest.approx(ref_e, abs=1e-9)
    # Collinear/coplanar phases: the hull energy is unique; the decomposition must be a
    # valid one (same energy and composition), and equals pymatgen's where unique.
    parts = dict(r.decomposition)
    assert sum(parts.values()) == pytest.approx(1.0, abs=1e-5)
    mix = sum((Composition(n).fractional_composition * f for n, f in parts.items()), Composition())
    assert mix.almost_equals(comp.fractional_composition, atol=1e-5)
    if formula not in ("Li5Mg3", "Li3Mg5"):
        assert _same_decomposition(r.decomposition, ref_dec)


def test_composition_batch_energy_above_hull_is_stability() -> None:
    """The batch prediction path (batch jobs, API) gives stability() of the predicted
    formation energy, formula for formula; hydrates the features accept do not crash it."""
    from matdiscover.science.models.composition import predict_compositions

    formulas = _sample(150, max_elements=6, seed=9) + ["CuSO4·5H2O", "Xx2O", "Fe2O3"]
    df = predict_compositions(formulas, properties=["formation_energy", "energy_above_hull"])
    for f, ef, eh, err in zip(
        formulas, df["formation_energy"], df["energy_above_hull"], df["error"], strict=True
    ):
        if f == "Xx2O":
            assert err is not None and np.isnan(eh)
            continue
        comp = Composition(f.replace("·5H2O", "H10O5"))
        assert eh == pytest.approx(stability(comp, float(ef)).e_above_hull, abs=1e-9), f


def test_many_chemical_systems_are_fast() -> None:
    """1,000 MP formulas (~900 chemical systems): a pymatgen PhaseDiagram per system (the
    previous route) took 8.5 s on an idle 2-CPU machine, the placement 0.28 s."""
    from matdiscover.science.reference_data import load_table

    formulas = _sample(1000, max_elements=8, seed=11)
    fresh = ReferenceHull(load_table("mp_e_form"), dataset="mp_e_form")  # empty caches
    comps = [Composition(f).as_dict() for f in formulas]
    t0 = time.perf_counter()
    fresh.place_many(comps)
    assert time.perf_counter() - t0 < 3.0
