"""Structure generation: substitution probabilities, prototype decoration, hiding,
validation and de-duplication."""

from __future__ import annotations

import pytest
from pymatgen.analysis.structure_prediction.substitution_probability import (
    SubstitutionProbability,
)
from pymatgen.core import Lattice, Species, Structure

from matdiscover.errors import InvalidInput
from matdiscover.science.generation import (
    GenerationInputError,
    Parent,
    decorate_prototypes,
    generate_candidates,
    ionic_substitutions,
    mapping_probability,
    parse_hidden,
    species_probability,
)
from matdiscover.science.generation.parents import element_mappings
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.validation import validate_structure

LIMNO = {"Li", "Mn", "O"}


def _parent(structure: Structure, source_id: str) -> Parent:
    comp = structure.composition.reduced_composition
    amounts = {el.symbol: float(n) for el, n in comp.items()}
    anonymous = "".join(
        f"{chr(65 + i)}{int(n) if n > 1 else ''}" for i, n in enumerate(sorted(amounts.values()))
    )
    return Parent(
        source_database="test",
        source_id=source_id,
        reduced_formula=comp.reduced_formula,
        amounts=amounts,
        anonymous_formula=anonymous,
        structure=structure,
        label="",
        space_group_number=None,
    )


def _rocksalt(a: float = 5.64, *, conventional: bool = False) -> Structure:
    s = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    return s if conventional else s.get_primitive_structure()


def test_substitution_probability_follows_pymatgens_table() -> None:
    table = SubstitutionProbability()
    li, cs = species_probability("Li", 1, "Na", 1), species_probability("Cs", 1, "Na", 1)
    assert li > cs > 0
    assert li == pytest.approx(table.cond_prob(Species("Li", 1), Species("Na", 1)))
    # the probability of a map is the product over the mapped species
    p = mapping_probability({"Na": "Li", "Cl": "Cl"}, "NaCl", "LiCl")
    assert p == pytest.approx(li * species_probability("Cl", -1, "Cl", -1))
    # Mn3.5+ takes the better of Mn3+ and Mn4+
    mixed = species_probability("Mn", 3.5, "Al", 3)
    assert mixed == max(
        species_probability("Mn", 3, "Al", 3), species_probability("Mn", 4, "Al", 3)
    )
    assert mapping_probability({"Na": "Cl", "Cl": "Li"}, "NaCl", "LiCl") is None  # anion->cation


def test_ionic_substitution_ranks_parents_and_hides_the_target_system() -> None:
    out = ionic_substitutions(
        "LiMnO2", hidden=parse_hidden(["Li-Mn-O"]), threshold=1e-4, max_parents=6
    )
    parents = [c.origin.parent_source_id for c in out.candidates]
    assert 0 < len(set(parents)) <= 6
    probs = [c.origin.probability for c in out.candidates]
    assert all(p is not None and p >= 1e-4 for p in probs)
    best_per_parent = {}
    for c in out.candidates:
        best_per_parent.setdefault(c.origin.parent_source_id, c.origin.probability)
    assert list(best_per_parent.values()) == sorted(best_per_parent.values(), reverse=True)
    for c in out.candidates:
        assert c.structure.composition.reduced_formula == "LiMnO2"
        assert _elements(c.origin.parent_formula) != LIMNO
        # cations to cations, anions to anions: O2- only replaces an anion of the parent
        [(anion, _)] = [(p, t) for p, t in c.origin.substitution if t == "O"]
        assert anion in {"O", "S", "Se", "Te", "N", "F", "Cl", "Br", "I", "H"}
    assert out.dropped.get("beyond_max_parents", 0) > 0
    # NaMnO2 (mp-25010) is a natural parent: Na+ -> Li+, Mn3+ and O2- unchanged
    na = [c for c in out.candidates if c.origin.parent_source_id == "mp-25010"]
    assert na and dict(na[0].origin.substitution) == {"Na": "Li", "Mn": "Mn", "O": "O"}


def test_rocksalt_decoration_puts_each_element_on_its_sublattice() -> None:
    nacl = _rocksalt(conventional=True)
    out = decorate_prototypes("MgO", prototypes=[_parent(nacl, "rocksalt")])
    [cand] = out.candidates  # Mg->Cl and O->Na are not charge-sensible
    assert dict(cand.origin.substitution) == {"Cl": "O", "Na": "Mg"}
    s = cand.structure
    for parent_site, site in zip(nacl, s, strict=True):
        assert site.specie.symbol == {"Na": "Mg", "Cl": "O"}[parent_site.specie.symbol]
        assert site.frac_coords == pytest.approx(parent_site.frac_coords)
    assert len(s) == 8 and s.composition.reduced_formula == "MgO"
    for site in s:
        near = sorted(s.get_neighbors(site, 3.0), key=lambda n: n.nn_distance)[:6]
        assert {n.specie.symbol for n in near} == ({"O"} if site.specie.symbol == "Mg" else {"Mg"})
    # volume rescaled from NaCl's toward MgO's (ionic radii: Mg2+ < Na+, O2- < Cl-)
    assert s.volume < nacl.volume
    assert out.dropped == {"charge_insensible_decoration": 1}


def test_shipped_rocksalt_prototype_decoration() -> None:
    out = decorate_prototypes("MgO")
    [rs] = [c for c in out.candidates if c.origin.prototype_label == "AB_cF8_225_a_b"]
    assert rs.origin.method == "prototype" and rs.origin.probability is None
    assert {site.specie.symbol for site in rs.structure} == {"Mg", "O"}
    a = (rs.structure.volume / len(rs.structure) * 8) ** (1 / 3)  # conventional cubic a
    assert 3.8 < a < 4.6  # MgO is 4.21 A (experiment)


def test_dedup_collapses_symmetry_equivalent_decorations_and_known() -> None:
    primitive = _rocksalt()
    shifted = _rocksalt(conventional=True)
    shifted.translate_sites(list(range(len(shifted))), [0.5, 0.0, 0.0])  # other origin, 4x cell
    cscl = Structure(Lattice.cubic(3.5), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    parents = [_parent(primitive, "p1"), _parent(shifted, "p2"), _parent(cscl, "p3")]
    res = generate_candidates(["MgO"], methods=["prototype"], parents=parents)
    assert [c.origin.parent_source_id for c in res.candidates] == ["p1", "p3"]
    assert [o.parent_source_id for o in res.candidates[0].also_from] == ["p2"]
    assert res.dropped["duplicate"] == 1
    assert res.proposed == {"prototype": 3} and res.kept == {"prototype": 2}
    # against known structures: a rock-salt MgO (other volume) removes the rock-salt one
    known = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.21), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    res = generate_candidates(["MgO"], methods=["prototype"], parents=parents, known=[known])
    assert [c.origin.parent_source_id for c in res.candidates] == ["p3"]
    assert res.dropped["duplicate_of_known"] == 2  # both rock-salt decorations
    assert "duplicate" not in res.dropped


def test_overlapping_atoms_are_dropped_with_the_reason_counted() -> None:
    bad = Structure(
        Lattice.cubic(5.0),
        ["Na", "Cl", "Na", "Cl"],
        [[0, 0, 0], [0.5, 0.5, 0.5], [0.05, 0, 0], [0.5, 0.5, 0.0]],
    )
    good = _rocksalt()
    res = generate_candidates(
        ["MgO"], methods=["prototype"], parents=[_parent(bad, "bad"), _parent(good, "good")]
    )
    assert [c.origin.parent_source_id for c in res.candidates] == ["good"]
    assert res.dropped["overlapping_atoms"] == 1


def test_limno_generation_hides_every_limno_parent_and_all_candidates_validate() -> None:
    targets = ["LiMnO2", "LiMn2O4", "Li2MnO3"]
    res = generate_candidates(targets, hidden=["Li-Mn-O"], max_parents=4, max_prototypes=6)
    assert {c.formula for c in res.candidates} == set(targets)
    assert set(res.kept) == {"substitution", "prototype"} and all(res.kept.values())
    limits = ParseLimits()
    for c in res.candidates:
        for origin in (c.origin, *c.also_from):
            parent_elements = _elements(origin.parent_formula)
            assert parent_elements != LIMNO, origin
        assert validate_structure(c.structure, limits) is not None
        assert c.structure.is_ordered
        assert c.structure.composition.reduced_formula == c.formula
    # without hiding, the known spinel (mp-25015) is the most likely parent of LiMn2O4
    open_ = ionic_substitutions("LiMn2O4", max_parents=1)
    assert open_.candidates[0].origin.parent_source_id == "mp-25015"


def _elements(formula: str) -> set[str]:
    from pymatgen.core import Composition

    return {el.symbol for el in Composition(formula).elements}


def test_element_mappings_keep_amounts() -> None:
    maps = element_mappings({"Mg": 1, "Al": 2, "O": 4}, {"Li": 1, "Mn": 2, "O": 4})
    assert maps == [{"Al": "Mn", "Mg": "Li", "O": "O"}]
    assert len(element_mappings({"Na": 1, "Cr": 1, "S": 2}, {"Li": 1, "Mn": 1, "O": 2})) == 2


@pytest.mark.parametrize(
    ("formulas", "kwargs", "message"),
    [
        ([], {}, "no target composition"),
        (["LiMnO"], {}, "LiMnO is not charge-balanced"),
        (["Li"], {}, "fewer than two elements"),
        (["Li2Qq"], {}, "cannot read target formula"),
        (["MgO"], {"methods": ["magic"]}, "unknown generation method 'magic'"),
        (["MgO"], {"methods": []}, "at least one generation method"),
        (["MgO"], {"hidden": ["Li-Xy-O"]}, "unknown element 'Xy'"),
        (["MgO"], {"hidden": ["Qq2O"]}, "cannot read hidden formula 'Qq2O'"),
        (["MgO"], {"threshold": 1.5}, r"threshold must be in \[0, 1\)"),
        (["MgO"], {"max_parents": -1}, "max_parents must be between"),
    ],
)
def test_bad_generation_input(formulas: list[str], kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(GenerationInputError, match=message) as info:
        generate_candidates(formulas, **kwargs)  # type: ignore[arg-type]
    assert isinstance(info.value, InvalidInput)
