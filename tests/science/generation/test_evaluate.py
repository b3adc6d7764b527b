"""Evaluation of generated candidates: hull without hidden compounds, CHGNet single points
(no relaxation in tests)."""

from __future__ import annotations

import pytest
from pymatgen.core import Lattice, Structure

from matdiscover.science.generation import (
    CandidateOrigin,
    GeneratedCandidate,
    GenerationInputError,
    evaluate_candidates,
    hull_without,
)
from matdiscover.science.thermo import ReferenceHull


def _candidate(structure: Structure, parent: str) -> GeneratedCandidate:
    origin = CandidateOrigin(
        method="prototype",
        parent_source_database="test",
        parent_source_id=parent,
        parent_formula="NaCl",
        prototype_label="",
        substitution=(("Cl", "O"), ("Na", "Mg")),
        probability=None,
    )
    return GeneratedCandidate(formula="MgO", structure=structure, origin=origin)


def test_hull_without_hidden_system_decomposes_into_binaries_only() -> None:
    full = ReferenceHull.from_dataset("mp_e_form")
    hidden = hull_without(["Li-Mn-O"])
    assert hidden.provenance.n_rows < full.provenance.n_rows
    assert "without Li-Mn-O" in hidden.provenance.dataset
    place = {"Li": 1, "Mn": 2, "O": 4}
    with_ternaries = full.place(place)
    without = hidden.place(place)
    assert any("Li" in f and "Mn" in f for f, _ in with_ternaries.decomposition)
    for formula, _ in without.decomposition:
        assert not ("Li" in formula and "Mn" in formula)
    assert without.hull_energy_per_atom > with_ternaries.hull_energy_per_atom


def test_rocksalt_mgo_ranks_above_cscl_mgo_with_chgnet_single_points() -> None:
    rocksalt = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.21), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    ).get_primitive_structure()
    cscl = Structure(Lattice.cubic(2.6), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    ranked = evaluate_candidates(
        [_candidate(cscl, "cscl"), _candidate(rocksalt, "rocksalt")], model="chgnet"
    )
    assert [e.candidate.origin.parent_source_id for e in ranked] == ["rocksalt", "cscl"]
    best = ranked[0]
    assert not best.relaxed and best.relax_steps == 0
    assert best.formation_energy == pytest.approx(-3.05, abs=0.25)  # MP: -3.05 eV/atom
    assert best.sigma > 0
    assert best.e_above_hull == max(best.hull_distance, 0.0)
    assert ranked[1].hull_distance > best.hull_distance + 0.1


def test_bad_evaluation_input() -> None:
    with pytest.raises(GenerationInputError, match="no candidates"):
        evaluate_candidates([])
    s = Structure(Lattice.cubic(4.2), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    with pytest.raises(GenerationInputError, match="unknown structure model 'm3gnet'"):
        evaluate_candidates([_candidate(s, "x")], model="m3gnet")
    with pytest.raises(GenerationInputError, match="relax_steps must be >= 1"):
        evaluate_candidates([_candidate(s, "x")], relax_steps=0)


def test_relaxation_budget_and_failed_relaxation_keep_the_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matdiscover.errors import InvalidStructure
    from matdiscover.science.generation import evaluate as module

    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.21), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    ).get_primitive_structure()
    cands = [_candidate(s, "rocksalt")]
    spent = evaluate_candidates(cands, relax=True, time_budget_s=0.0)
    assert not spent[0].relaxed  # the budget was spent before the first relaxation

    def fail(*args: object, **kwargs: object) -> None:
        raise InvalidStructure("cannot be evaluated")

    monkeypatch.setattr(module, "_relax", fail)
    [kept] = evaluate_candidates(cands, relax=True)
    assert not kept.relaxed and kept.structure is s
    assert kept.formation_energy == pytest.approx(spent[0].formation_energy)
