"""Candidate pools by structure generation: both generators for many target compositions,
every structure validated like an upload, duplicates collapsed.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.core import Composition, Element, Structure

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.generation.candidates import GeneratedCandidate, Proposals
from matdiscover.science.generation.enumerate import oxidation_state_guesses
from matdiscover.science.generation.errors import GenerationInputError
from matdiscover.science.generation.parents import (
    DEFAULT_MAX_PARENT_SITES,
    Hidden,
    Parent,
    parse_hidden,
)
from matdiscover.science.generation.prototypes import DEFAULT_MAX_PROTOTYPES, decorate_prototypes
from matdiscover.science.generation.substitution import (
    DEFAULT_MAX_PARENTS,
    DEFAULT_PROBABILITY_THRESHOLD,
    ionic_substitutions,
)
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.validation import validate_structure

__all__ = ["MAX_TARGETS", "GenerationResult", "Method", "generate_candidates"]

Method = Literal["substitution", "prototype"]
MAX_TARGETS = 500
"""Largest number of target compositions one call generates for."""


@dataclass(frozen=True)
class GenerationResult:
    """Generated candidates with the bookkeeping of what was made and dropped.

    Attributes:
        candidates: Valid, distinct candidates: per target (in the given order) the
            substitutions by probability, then the prototype decorations.
        proposed: Method → structures proposed before validation and de-duplication.
        kept: Method → candidates kept.
        dropped: Reason → count. Reasons: ``overlapping_atoms`` and ``invalid_structure``
            (failed :func:`validate_structure`), ``too_many_sites``, ``duplicate``
            (symmetry-equivalent to an earlier candidate), ``duplicate_of_known`` (matches
            a given known structure), and the generators' own: ``below_probability_threshold``,
            ``beyond_max_parents``, ``cation_anion_mismatch``, ``parent_not_charge_balanced``,
            ``charge_insensible_decoration``, ``beyond_max_prototypes``.
    """

    candidates: tuple[GeneratedCandidate, ...]
    proposed: dict[str, int]
    kept: dict[str, int]
    dropped: dict[str, int]


def _matcher() -> StructureMatcher:
    # scale=True: decorations of one structure type made from parents of different volume
    # are one candidate (relaxation sets the volume anyway).
    return StructureMatcher(
        ltol=0.2, stol=0.3, angle_tol=5.0, primitive_cell=True, scale=True, attempt_supercell=False
    )


def _fits(matcher: StructureMatcher, a: Structure, b: Structure) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(matcher.fit(a, b))


def _reason(exc: InvalidStructure | InputTooLarge) -> str:
    if isinstance(exc, InputTooLarge):
        return "too_many_sites"
    text = str(exc)
    if " apart " in text or "periodic image" in text:
        return "overlapping_atoms"
    return "invalid_structure"


def _matching(parents: Sequence[Parent] | None, formula: str, hide: Hidden) -> list[Parent] | None:
    if parents is None:
        return None
    anonymous = anonymous_formula(formula)
    return [
        p
        for p in parents
        if p.anonymous_formula == anonymous and not hide.hides(p.reduced_formula, p.amounts)
    ]


def _targets(formulas: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in formulas:
        try:
            comp = Composition(str(raw))
            if comp.num_atoms <= 0:
                raise ValueError("empty composition")
            formula = comp.reduced_formula
            n_elements = len(comp.elements)
            bad = [str(el) for el in comp.elements if not isinstance(el, Element)]
            if bad:
                raise ValueError(f"unknown element {bad[0]!r}")
        except (ValueError, KeyError) as exc:
            raise GenerationInputError(f"cannot read target formula {raw!r}: {exc}") from exc
        if n_elements < 2:
            raise GenerationInputError(f"target {formula} has fewer than two elements")
        if not oxidation_state_guesses(formula):
            raise GenerationInputError(
                f"target {formula} is not charge-balanced with pymatgen's oxidation-state guesses"
            )
        if formula not in out:
            out.append(formula)
    if not out:
        raise GenerationInputError("no target composition given")
    if len(out) > MAX_TARGETS:
        raise GenerationInputError(
            f"{len(out)} target compositions, more than the limit of {MAX_TARGETS}"
        )
    return out


def generate_candidates(
    formulas: Iterable[str],
    *,
    hidden: Hidden | Iterable[str] = (),
    known: Sequence[Structure] = (),
    methods: Sequence[Method] = ("substitution", "prototype"),
    threshold: float = DEFAULT_PROBABILITY_THRESHOLD,
    max_parents: int = DEFAULT_MAX_PARENTS,
    max_prototypes: int = DEFAULT_MAX_PROTOTYPES,
    max_parent_sites: int = DEFAULT_MAX_PARENT_SITES,
    limits: ParseLimits | None = None,
    parents: Sequence[Parent] | None = None,
) -> GenerationResult:
    """Generate candidate structures for target compositions.

    Args:
        formulas: Charge-balanced target compositions (e.g. from
            :func:`~matdiscover.science.generation.enumerate_compositions`).
        hidden: Compounds or chemical systems hidden from the parents (a :class:`Hidden`
            or strings for :func:`parse_hidden`, e.g. ``["Li-Mn-O"]``).
        known: Known or own structures; a candidate matching one is dropped.
        methods: Generators to run.
        threshold: Smallest substitution probability kept.
        max_parents: Substitution parents kept per target.
        max_prototypes: Prototype decorations kept per target.
        max_parent_sites: Largest parent cell in sites.
        limits: Validation limits (default: those of uploads, ``ParseLimits()``).
        parents: Parents for both generators instead of the shipped known structures
            (each generator keeps those matching a target's anonymous formula).

    Raises:
        GenerationInputError: No or unreadable targets, a target that is not
            charge-balanced, an unknown method or a limit out of range.

    Example:
        >>> res = generate_candidates(["MgO"], methods=["prototype"], max_prototypes=5)
        >>> res.proposed["prototype"] == res.kept["prototype"] + res.dropped.get("duplicate", 0) \\
        ...     + res.dropped.get("overlapping_atoms", 0) + res.dropped.get("invalid_structure", 0)
        True
    """
    unknown = sorted(set(methods) - {"substitution", "prototype"})
    if unknown or not methods:
        raise GenerationInputError(
            f"unknown generation method {unknown[0]!r}; choose substitution or prototype"
            if unknown
            else "choose at least one generation method"
        )
    if not 0.0 <= threshold < 1.0:
        raise GenerationInputError(f"threshold must be in [0, 1), got {threshold}")
    for name, value in (("max_parents", max_parents), ("max_prototypes", max_prototypes)):
        if not 0 <= value <= 1000:
            raise GenerationInputError(f"{name} must be between 0 and 1000, got {value}")
    if not 1 <= max_parent_sites <= 500:
        raise GenerationInputError(
            f"max_parent_sites must be between 1 and 500, got {max_parent_sites}"
        )
    targets = _targets(formulas)
    hide = hidden if isinstance(hidden, Hidden) else parse_hidden(hidden)
    limits = limits or ParseLimits()
    matcher = _matcher()
    known_by_formula: dict[str, list[Structure]] = {}
    for s in known:
        known_by_formula.setdefault(s.composition.reduced_formula, []).append(s)

    proposed: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    out: list[GeneratedCandidate] = []
    for formula in targets:
        batches: list[Proposals] = []
        if "substitution" in methods:
            batches.append(
                ionic_substitutions(
                    formula,
                    hidden=hide,
                    threshold=threshold,
                    max_parents=max_parents,
                    max_parent_sites=max_parent_sites,
                    parents=_matching(parents, formula, hide),
                )
            )
        if "prototype" in methods:
            batches.append(
                decorate_prototypes(
                    formula,
                    hidden=hide,
                    max_prototypes=max_prototypes,
                    max_parent_sites=max_parent_sites,
                    prototypes=_matching(parents, formula, hide),
                )
            )
        mine: list[GeneratedCandidate] = []
        for batch in batches:
            dropped.update(batch.dropped)
            for cand in batch.candidates:
                proposed[cand.origin.method] += 1
                try:
                    validate_structure(cand.structure, limits)
                except (InvalidStructure, InputTooLarge) as exc:
                    dropped[_reason(exc)] += 1
                    continue
                twins_known = known_by_formula.get(formula, [])
                if any(_fits(matcher, cand.structure, k) for k in twins_known):
                    dropped["duplicate_of_known"] += 1
                    continue
                twin = next(
                    (i for i, m in enumerate(mine) if _fits(matcher, cand.structure, m.structure)),
                    None,
                )
                if twin is not None:
                    dropped["duplicate"] += 1
                    mine[twin] = replace(mine[twin], also_from=(*mine[twin].also_from, cand.origin))
                    continue
                mine.append(cand)
                kept[cand.origin.method] += 1
        out.extend(mine)
    return GenerationResult(
        candidates=tuple(out),
        proposed={m: proposed[m] for m in methods},
        kept={m: kept[m] for m in methods},
        dropped=dict(sorted(dropped.items())),
    )
