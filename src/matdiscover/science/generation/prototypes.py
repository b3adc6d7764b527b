"""Decoration of AFLOW prototypes with a target composition.

Every AFLOW prototype shipped with the known structures whose anonymous formula matches
the target is decorated by every charge-sensible element map: when the prototype's own
compound has a charge-balanced oxidation-state guess, cations go to cation sites and
anions to anion sites; otherwise (intermetallic-looking prototypes) the target's anions
take the prototype's most electronegative elements. No probability ranks these
decorations (it is the substitution generator's job); ``max_prototypes`` caps the count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from pymatgen.core import Composition

from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.generation.candidates import (
    CandidateOrigin,
    GeneratedCandidate,
    Proposals,
    substitute,
)
from matdiscover.science.generation.enumerate import oxidation_state_guesses
from matdiscover.science.generation.errors import GenerationInputError
from matdiscover.science.generation.parents import (
    DEFAULT_MAX_PARENT_SITES,
    Hidden,
    Parent,
    element_mappings,
    known_parents,
)
from matdiscover.science.generation.substitution import (
    charges_compatible,
    electronegativity_compatible,
)

__all__ = ["DEFAULT_MAX_PROTOTYPES", "PROTOTYPE_SOURCES", "decorate_prototypes"]

DEFAULT_MAX_PROTOTYPES = 40
"""Decorations kept per target composition by default (in prototype-label order)."""
PROTOTYPE_SOURCES = ("aflow_prototypes",)
"""Known-structure sources used as prototypes by default."""


def decorate_prototypes(
    target_formula: str,
    *,
    hidden: Hidden | None = None,
    max_prototypes: int = DEFAULT_MAX_PROTOTYPES,
    max_parent_sites: int = DEFAULT_MAX_PARENT_SITES,
    sources: Sequence[str] = PROTOTYPE_SOURCES,
    prototypes: Sequence[Parent] | None = None,
) -> Proposals:
    """Decorate prototypes with the same anonymous formula as ``target_formula``.

    Args:
        target_formula: Target composition; it must have a charge-balanced guess.
        hidden: Compounds hidden from the prototypes.
        max_prototypes: Decorations kept (the first in label order, then map order).
        max_parent_sites: Largest prototype cell in sites.
        sources: Known-structure sources used as prototypes.
        prototypes: Prototypes to use instead of the shipped ones.

    Raises:
        GenerationInputError: The target has no charge-balanced oxidation-state guess.

    Example:
        >>> out = decorate_prototypes("MgO")
        >>> rocksalt = [c for c in out.candidates
        ...             if c.origin.prototype_label == "AB_cF8_225_a_b"]
        >>> [c.structure.composition.reduced_formula for c in rocksalt]
        ['MgO']
    """
    formula = Composition(target_formula).reduced_formula
    guesses = oxidation_state_guesses(formula)
    if not guesses:
        raise GenerationInputError(
            f"{formula} has no charge-balanced oxidation states (pymatgen's guesses); "
            "prototypes cannot be decorated sensibly"
        )
    target_states = guesses[0]
    target_amounts = {
        el.symbol: float(n) for el, n in Composition(formula).reduced_composition.items()
    }
    pool = (
        list(prototypes)
        if prototypes is not None
        else known_parents(
            anonymous_formula(formula), hidden=hidden, sources=sources, max_sites=max_parent_sites
        )
    )
    dropped: Counter[str] = Counter()
    out: list[GeneratedCandidate] = []
    for proto in pool:
        parent_guesses = oxidation_state_guesses(proto.reduced_formula)
        for mapping in element_mappings(proto.amounts, target_amounts):
            sensible = (
                charges_compatible(mapping, parent_guesses[0], target_states)
                if parent_guesses
                else electronegativity_compatible(mapping, target_states)
            )
            if not sensible:
                dropped["charge_insensible_decoration"] += 1
                continue
            if len(out) >= max_prototypes:
                dropped["beyond_max_prototypes"] += 1
                continue
            structure = substitute(
                proto.structure,
                mapping,
                parent_formula=proto.reduced_formula,
                target_formula=formula,
            )
            origin = CandidateOrigin(
                method="prototype",
                parent_source_database=proto.source_database,
                parent_source_id=proto.source_id,
                parent_formula=proto.reduced_formula,
                prototype_label=proto.source_id
                if proto.source_database in PROTOTYPE_SOURCES
                else "",
                substitution=tuple(sorted(mapping.items())),
                probability=None,
            )
            out.append(GeneratedCandidate(formula=formula, structure=structure, origin=origin))
    return Proposals(candidates=tuple(out), dropped=dict(dropped))
