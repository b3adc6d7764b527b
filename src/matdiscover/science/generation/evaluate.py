"""Ranking generated candidates by predicted stability: optional step-limited relaxation,
formation energy from a structure-model tier, energy above a hull that can leave out
hidden compounds.

Energies: formation energies in eV/atom in the hull's convention (MP legacy corrections
for the bundled ``mp_e_form``); each tier converts its own energies to it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pymatgen.core import Structure

from matdiscover.errors import InvalidInput, MatDiscoverError
from matdiscover.science.generation.candidates import GeneratedCandidate
from matdiscover.science.generation.errors import GenerationInputError
from matdiscover.science.generation.parents import Hidden, parse_hidden
from matdiscover.science.models.structure_models import (
    check_structure_model,
    predict_structure_properties,
)
from matdiscover.science.thermo import HULL_DATASET, ReferenceHull, energy_above_hull

__all__ = [
    "DEFAULT_FMAX",
    "DEFAULT_RELAX_STEPS",
    "EvaluatedCandidate",
    "evaluate_candidates",
    "hull_without",
]

logger = logging.getLogger(__name__)

DEFAULT_RELAX_STEPS = 150
"""Optimiser steps allowed per relaxation by default."""
DEFAULT_FMAX = 0.1
"""Force threshold of a relaxation in eV/Å (screening accuracy, not final)."""


@dataclass(frozen=True)
class EvaluatedCandidate:
    """A candidate with its predicted stability.

    Attributes:
        candidate: The generated candidate (its ``origin`` says where it comes from).
        structure: The structure evaluated: relaxed if a relaxation ran, else the input.
        formation_energy: Predicted formation energy in eV/atom (hull convention).
        sigma: 1σ of the formation energy in eV/atom as the tier reports it.
        hull_distance: Formation energy minus the hull energy at the composition, eV/atom:
            negative below the hull (the ranking key).
        e_above_hull: ``max(hull_distance, 0)`` in eV/atom.
        decomposition: ``(reduced formula, atom fraction)`` of the hull phases there.
        relaxed: Whether a relaxation ran; relax_converged: whether it converged within
            the step cap (an unconverged relaxation's last structure is still used: it is
            lower in energy than the input); relax_steps: optimiser steps taken.
        model: Structure-model tier used.
        warnings: The tier's warnings.
    """

    candidate: GeneratedCandidate
    structure: Structure
    formation_energy: float
    sigma: float
    hull_distance: float
    e_above_hull: float
    decomposition: tuple[tuple[str, float], ...]
    relaxed: bool
    relax_converged: bool
    relax_steps: int
    model: str
    warnings: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """Reduced formula."""
        return self.candidate.formula


def hull_without(
    hidden: Hidden | Iterable[str] = (), *, dataset: str = HULL_DATASET
) -> ReferenceHull:
    """The reference hull of a bundled table with hidden compounds left out (every row
    whose formula :meth:`Hidden.hides_formula`).

    Example:
        >>> hull = hull_without(["Li-Mn-O"])
        >>> full = ReferenceHull.from_dataset("mp_e_form")
        >>> hull.place({"Li": 1, "Mn": 1, "O": 2}).hull_energy_per_atom > \\
        ...     full.place({"Li": 1, "Mn": 1, "O": 2}).hull_energy_per_atom
        True
    """
    from matdiscover.science.reference_data import load_table

    hide = hidden if isinstance(hidden, Hidden) else parse_hidden(hidden)
    table = load_table(dataset)
    if hide.formulas or hide.systems:
        mask = [not hide.hides_formula(str(f)) for f in table["formula"]]
        table = table[mask]
    return ReferenceHull(table.reset_index(drop=True), dataset=f"{dataset}{_suffix(hide)}")


def _suffix(hide: Hidden) -> str:
    parts = sorted("-".join(sorted(s)) for s in hide.systems) + sorted(hide.formulas)
    return f" without {', '.join(parts)}" if parts else ""


def _relax(
    structure: Structure, model: str, *, steps: int, fmax: float
) -> tuple[Structure, bool, int]:
    if model == "chgnet":
        from matdiscover.science.models.chgnet_path import relax_structure
    else:
        from matdiscover.science.models.sevennet_path import relax_structure as relax7

        res = relax7(structure, model, fmax=fmax, steps=steps)
        return (structure if res.diverged else res.structure), res.converged, res.steps
    res = relax_structure(structure, fmax=fmax, steps=steps)
    return (structure if res.diverged else res.structure), res.converged, res.steps


def evaluate_candidates(
    candidates: Sequence[GeneratedCandidate],
    *,
    model: str = "chgnet",
    hull: ReferenceHull | None = None,
    relax: bool = False,
    relax_top: int | None = None,
    relax_steps: int = DEFAULT_RELAX_STEPS,
    fmax: float = DEFAULT_FMAX,
    time_budget_s: float | None = None,
) -> list[EvaluatedCandidate]:
    """Predict each candidate's formation energy and place it on ``hull``; ranked most
    stable first (by ``hull_distance``, then formula and parent id).

    Every candidate gets a single point on its generated structure. With ``relax``, the
    best ``relax_top`` (all if ``None``) by that single point are relaxed (positions and
    cell, FIRE, at most ``relax_steps`` steps, ``fmax`` eV/Å) until ``time_budget_s``
    seconds of relaxation are spent, and get a single point on the relaxed structure; a
    diverged or failed relaxation keeps the input structure (logged). Relaxed and
    unrelaxed values are ranked together (an unrelaxed value is an upper bound of the
    relaxed one).

    Args:
        candidates: Generated candidates.
        model: Structure-model tier (``"chgnet"``, ``"7net-0"``, ``"7net-l3i5"``).
        hull: Hull to place on (default MatDiscover's, ``mp_e_form``); use
            :func:`hull_without` for retrospective tests.
        relax: Relax before the final prediction.
        relax_top: Relax only this many (best single points first).
        relax_steps: Step cap per relaxation.
        fmax: Force threshold in eV/Å.
        time_budget_s: Wall-clock budget for the relaxations in seconds (``None``: none).

    Raises:
        GenerationInputError: No candidates, an unknown model or a limit out of range.
    """
    if not candidates:
        raise GenerationInputError("no candidates to evaluate")
    try:
        tier = check_structure_model(model)
    except InvalidInput as exc:
        raise GenerationInputError(exc.message) from exc
    if relax_steps < 1 or fmax <= 0 or (relax_top is not None and relax_top < 0):
        raise GenerationInputError("relax_steps must be >= 1, fmax > 0 and relax_top >= 0")
    hull = hull or ReferenceHull.from_dataset(HULL_DATASET)
    structures = [c.structure for c in candidates]
    states = [(False, False, 0)] * len(candidates)
    first = _predict(candidates, structures, states, tier, hull)
    if relax:
        order = sorted(range(len(first)), key=lambda i: first[i].hull_distance)
        chosen = order if relax_top is None else order[:relax_top]
        started = time.perf_counter()
        for n_done, i in enumerate(chosen):
            if time_budget_s is not None and time.perf_counter() - started > time_budget_s:
                logger.info("relaxation budget spent after %d of %d", n_done, len(chosen))
                break
            try:
                structure, converged, steps = _relax(
                    structures[i], tier, steps=relax_steps, fmax=fmax
                )
            except (MatDiscoverError, ValueError, RuntimeError) as exc:  # keep the input
                logger.warning("relaxation of candidate %d failed: %s", i, exc)
                continue
            structures[i] = structure
            states[i] = (True, converged, steps)
        first = _predict(candidates, structures, states, tier, hull)
    return sorted(
        first,
        key=lambda e: (e.hull_distance, e.formula, e.candidate.origin.parent_source_id),
    )


def _predict(
    candidates: Sequence[GeneratedCandidate],
    structures: Sequence[Structure],
    states: Sequence[tuple[bool, bool, int]],
    tier: str,
    hull: ReferenceHull,
) -> list[EvaluatedCandidate]:
    preds = predict_structure_properties(structures, model=tier)
    out: list[EvaluatedCandidate] = []
    for cand, structure, (relaxed, converged, steps), pred in zip(
        candidates, structures, states, preds, strict=True
    ):
        e_form = pred[0]
        placed = energy_above_hull(structure.composition, e_form.value, hull=hull)
        distance = e_form.value - placed.hull_energy_per_atom
        out.append(
            EvaluatedCandidate(
                candidate=cand,
                structure=structure,
                formation_energy=float(e_form.value),
                sigma=float(e_form.std),
                hull_distance=float(distance),
                e_above_hull=max(float(distance), 0.0),
                decomposition=placed.decomposition,
                relaxed=relaxed,
                relax_converged=converged,
                relax_steps=steps,
                model=tier,
                warnings=tuple(e_form.warnings),
            )
        )
    return out
