"""Candidate generation: what new compounds and structures to consider in a chemical system.

Pure science (no platform imports); the worker-queue wiring lives elsewhere.

1. :func:`enumerate_compositions` -- charge-balanced compositions over chosen elements
   (pymatgen's oxidation-state guesses, mixed valence allowed).
2. :func:`generate_candidates` -- structures for target compositions by ionic
   substitution into known structures (:func:`ionic_substitutions`, ranked by pymatgen's
   substitution probability) and decoration of AFLOW prototypes
   (:func:`decorate_prototypes`); every structure validated like an upload, duplicates
   collapsed with ``StructureMatcher``, compounds or chemical systems hideable from the
   parents (:func:`parse_hidden`), each candidate carrying its :class:`CandidateOrigin`.
3. :func:`evaluate_candidates` -- optional step-limited relaxation and formation energy
   with a structure-model tier, ranked by distance to a hull that can leave out hidden
   compounds (:func:`hull_without`).

Example:
    >>> pool = enumerate_compositions(["Li", "Mn", "O"], max_atoms=7)
    >>> [c.formula for c in pool if c.formula in ("LiMnO2", "LiMn2O4", "Li2MnO3")]
    ['LiMnO2', 'Li2MnO3', 'LiMn2O4']
    >>> res = generate_candidates(["LiMnO2"], hidden=["Li-Mn-O"], max_parents=3)
    >>> sorted({c.origin.method for c in res.candidates})
    ['prototype', 'substitution']
"""

from __future__ import annotations

from matdiscover.science.generation.candidates import (
    CandidateOrigin,
    GeneratedCandidate,
    Proposals,
    estimate_volume,
    substitute,
)
from matdiscover.science.generation.enumerate import (
    MAX_SEARCH_SPACE,
    ChargeBalancedComposition,
    enumerate_compositions,
    oxidation_state_guesses,
)
from matdiscover.science.generation.errors import GenerationInputError
from matdiscover.science.generation.evaluate import (
    EvaluatedCandidate,
    evaluate_candidates,
    hull_without,
)
from matdiscover.science.generation.parents import Hidden, Parent, known_parents, parse_hidden
from matdiscover.science.generation.pool import GenerationResult, generate_candidates
from matdiscover.science.generation.prototypes import decorate_prototypes
from matdiscover.science.generation.substitution import (
    ionic_substitutions,
    mapping_probability,
    species_probability,
)

__all__ = [
    "MAX_SEARCH_SPACE",
    "CandidateOrigin",
    "ChargeBalancedComposition",
    "EvaluatedCandidate",
    "GeneratedCandidate",
    "GenerationInputError",
    "GenerationResult",
    "Hidden",
    "Parent",
    "Proposals",
    "decorate_prototypes",
    "enumerate_compositions",
    "estimate_volume",
    "evaluate_candidates",
    "generate_candidates",
    "hull_without",
    "ionic_substitutions",
    "known_parents",
    "mapping_probability",
    "oxidation_state_guesses",
    "parse_hidden",
    "species_probability",
    "substitute",
]
