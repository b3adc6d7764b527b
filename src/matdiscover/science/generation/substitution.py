"""Ionic substitution probabilities and the charge rules shared by both generators.

Probabilities come from pymatgen's data-mined substitution model (Hautier et al., Inorg.
Chem. 50, 656 (2011)), whose lambda table ships inside pymatgen. The probability of
turning a parent into a target by the element map ``parent → target`` is the product over
the mapped species of ``cond_prob(target species | parent species)``
(:meth:`~pymatgen.analysis.structure_prediction.substitution_probability.SubstitutionProbability.cond_prob_list`),
with oxidation states from pymatgen's charge-balanced guesses: the parent's most likely
guess, the best of the target's first :data:`TARGET_GUESSES` guesses. A mixed-valence
(fractional) state such as Mn3.5+ takes the better of its two neighbouring integer states.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

from pymatgen.analysis.structure_prediction.substitution_probability import (
    SubstitutionProbability,
)
from pymatgen.core import Composition, Element, Species

from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.generation.candidates import (
    CandidateOrigin,
    GeneratedCandidate,
    Proposals,
    substitute,
)
from matdiscover.science.generation.enumerate import oxidation_state_guesses
from matdiscover.science.generation.parents import (
    DEFAULT_MAX_PARENT_SITES,
    Hidden,
    Parent,
    element_mappings,
    known_parents,
)

__all__ = [
    "DEFAULT_MAX_PARENTS",
    "DEFAULT_PROBABILITY_THRESHOLD",
    "TARGET_GUESSES",
    "charges_compatible",
    "electronegativity_compatible",
    "ionic_substitutions",
    "mapping_probability",
    "species_probability",
]

TARGET_GUESSES = 3
"""How many of the target's oxidation-state guesses are tried (the best counts)."""
DEFAULT_PROBABILITY_THRESHOLD = 1e-4
"""Smallest substitution probability kept by default (dimensionless)."""
DEFAULT_MAX_PARENTS = 10
"""Parents kept per target composition by default (best substitution probability first)."""


@lru_cache(maxsize=1)
def _model() -> SubstitutionProbability:
    return SubstitutionProbability()


def _integer_states(state: float) -> tuple[int, ...]:
    lo, hi = math.floor(state), math.ceil(state)
    return (int(lo),) if lo == hi else (int(lo), int(hi))


@lru_cache(maxsize=65536)
def species_probability(
    target: str, target_state: float, parent: str, parent_state: float
) -> float:
    """Conditional probability that ``target`` (in ``target_state``) substitutes for
    ``parent`` (in ``parent_state``), from pymatgen's substitution model (dimensionless).

    Fractional states take the best of the neighbouring integer states; a parent species
    absent from pymatgen's table gives 0 (no data to substitute from).

    Example:
        >>> species_probability("Li", 1, "Na", 1) > species_probability("Cs", 1, "Na", 1)
        True
    """
    model = _model()
    best = 0.0
    for t in _integer_states(target_state):
        for p in _integer_states(parent_state):
            try:
                prob = float(model.cond_prob(Species(target, t), Species(parent, p)))
            except ZeroDivisionError:  # parent species never seen in the mined data
                prob = 0.0
            best = max(best, prob)
    return best


def charges_compatible(
    mapping: Mapping[str, str],
    parent_states: Mapping[str, float],
    target_states: Mapping[str, float],
) -> bool:
    """Whether a map sends cations to cations and anions to anions (oxidation-state signs
    agree; a neutral element only to a neutral element).

    Example:
        >>> charges_compatible({"Na": "Li", "Cl": "F"}, {"Na": 1, "Cl": -1}, {"Li": 1, "F": -1})
        True
        >>> charges_compatible({"Na": "F", "Cl": "Li"}, {"Na": 1, "Cl": -1}, {"Li": 1, "F": -1})
        False
    """
    return all(
        math.copysign(1, parent_states[p]) == math.copysign(1, target_states[t])
        and (parent_states[p] == 0) == (target_states[t] == 0)
        for p, t in mapping.items()
    )


def electronegativity_compatible(
    mapping: Mapping[str, str], target_states: Mapping[str, float]
) -> bool:
    """Whether the target's anions sit exactly on the parent's most electronegative
    elements (Pauling scale): the charge rule for parents without oxidation states
    (intermetallic-looking prototypes).

    Example:
        >>> electronegativity_compatible({"Na": "Li", "Cl": "O"}, {"Li": 2, "O": -2})
        True
        >>> electronegativity_compatible({"Na": "O", "Cl": "Li"}, {"Li": 2, "O": -2})
        False
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymatgen warns for elements without a Pauling value
        order = sorted(mapping, key=lambda el: (-_pauling(el), el))
    n_anions = sum(1 for t in mapping.values() if target_states[t] < 0)
    return all((target_states[mapping[p]] < 0) == (i < n_anions) for i, p in enumerate(order))


def _pauling(symbol: str) -> float:
    x = Element(symbol).X
    return float(x) if math.isfinite(x) else 0.0


def mapping_probability(
    mapping: Mapping[str, str], parent_formula: str, target_formula: str
) -> float | None:
    """Probability of the substitution ``mapping`` (parent element → target element)
    turning the parent compound into the target, or ``None`` when the parent or target has
    no charge-balanced guess or the map sends a cation to an anion (or back).

    Example:
        >>> p = mapping_probability({"Na": "Li", "Cl": "F"}, "NaCl", "LiF")
        >>> 0.0 < p < 1.0
        True
        >>> mapping_probability({"Na": "F", "Cl": "Li"}, "NaCl", "LiF") is None
        True
    """
    parent_guesses = oxidation_state_guesses(parent_formula)
    if not parent_guesses:
        return None
    parent_states = parent_guesses[0]
    best: float | None = None
    for target_states in oxidation_state_guesses(target_formula)[:TARGET_GUESSES]:
        if not charges_compatible(mapping, parent_states, target_states):
            continue
        p = 1.0
        for parent, target in sorted(mapping.items()):
            p *= species_probability(target, target_states[target], parent, parent_states[parent])
        best = p if best is None else max(best, p)
    return best


def ionic_substitutions(
    target_formula: str,
    *,
    hidden: Hidden | None = None,
    threshold: float = DEFAULT_PROBABILITY_THRESHOLD,
    max_parents: int = DEFAULT_MAX_PARENTS,
    max_parent_sites: int = DEFAULT_MAX_PARENT_SITES,
    parents: Sequence[Parent] | None = None,
) -> Proposals:
    """Ionic substitution of ``target_formula`` into known structures.

    Parents are the shipped known structures (all sources) with the target's anonymous
    formula and a charge-balanced oxidation-state guess; each element map parent → target
    that keeps the amounts and sends cations to cations and anions to anions is scored by
    :func:`mapping_probability`. Maps under ``threshold`` are dropped; the parents are
    ranked by their best map and the best ``max_parents`` kept (ties by source id), with
    every map of theirs over the threshold, best first.

    Args:
        target_formula: Target composition, e.g. ``"LiMnO2"``.
        hidden: Compounds hidden from the parents (retrospective tests).
        threshold: Smallest substitution probability kept (dimensionless).
        max_parents: Parents kept per target.
        max_parent_sites: Largest parent cell in sites.
        parents: Parents to use instead of the shipped known structures.

    Example:
        >>> from matdiscover.science.generation.parents import parse_hidden
        >>> out = ionic_substitutions("LiMnO2", hidden=parse_hidden(["Li-Mn-O"]), max_parents=2)
        >>> [c.formula for c in out.candidates][:1], out.candidates[0].origin.method
        (['LiMnO2'], 'substitution')
    """
    target = Composition(target_formula).reduced_composition
    formula = target.reduced_formula
    target_amounts = {el.symbol: float(n) for el, n in target.items()}
    pool = (
        list(parents)
        if parents is not None
        else known_parents(anonymous_formula(formula), hidden=hidden, max_sites=max_parent_sites)
    )
    dropped: Counter[str] = Counter()
    scored: list[tuple[float, str, list[tuple[float, dict[str, str]]], Parent]] = []
    for parent in pool:
        maps = element_mappings(parent.amounts, target_amounts)
        if not maps:
            continue
        if not oxidation_state_guesses(parent.reduced_formula):
            dropped["parent_not_charge_balanced"] += len(maps)
            continue
        kept: list[tuple[float, dict[str, str]]] = []
        for mapping in maps:
            p = mapping_probability(mapping, parent.reduced_formula, formula)
            if p is None:
                dropped["cation_anion_mismatch"] += 1
            elif p < threshold:
                dropped["below_probability_threshold"] += 1
            else:
                kept.append((p, mapping))
        if kept:
            kept.sort(key=lambda t: (-t[0], sorted(t[1].items())))
            scored.append((kept[0][0], parent.source_id, kept, parent))
    scored.sort(key=lambda t: (-t[0], t[1]))
    for _, _, kept, _ in scored[max_parents:]:
        dropped["beyond_max_parents"] += len(kept)
    out: list[GeneratedCandidate] = []
    for _, _, kept, parent in scored[:max_parents]:
        for p, mapping in kept:
            structure = substitute(
                parent.structure,
                mapping,
                parent_formula=parent.reduced_formula,
                target_formula=formula,
            )
            origin = CandidateOrigin(
                method="substitution",
                parent_source_database=parent.source_database,
                parent_source_id=parent.source_id,
                parent_formula=parent.reduced_formula,
                prototype_label=parent.source_id
                if parent.source_database == "aflow_prototypes"
                else "",
                substitution=tuple(sorted(mapping.items())),
                probability=p,
            )
            out.append(GeneratedCandidate(formula=formula, structure=structure, origin=origin))
    return Proposals(candidates=tuple(out), dropped=dict(dropped))
