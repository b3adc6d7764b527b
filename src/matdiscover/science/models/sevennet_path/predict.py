"""SevenNet structure-path predictions: formation energy and energy above hull with σ.

Input rules match the CHGNet path: disordered structures are rejected
(:class:`~matdiscover.errors.InvalidStructure`), elements without a reference energy raise
:class:`~matdiscover.errors.InvalidComposition`, more than ``max_sites`` sites raise
:class:`~matdiscover.errors.InputTooLarge`.

Both bundled checkpoints are evaluated for every structure: the selected one gives the
value, their disagreement enters σ (committee), see
:mod:`matdiscover.science.models.sevennet_path.references`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymatgen.core import Structure

from matdiscover.errors import InputTooLarge, InvalidComposition
from matdiscover.science.models.sevennet_path._model import (
    BUNDLED_CHECKPOINTS,
    canonical_checkpoint_name,
    sevenn_version,
)
from matdiscover.science.models.sevennet_path.evaluate import check_structure, evaluate_energies
from matdiscover.science.models.sevennet_path.references import (
    SevennetReferences,
    calibrated_sigma,
    formation_energy_per_atom,
    load_sevennet_references,
    missing_references,
)
from matdiscover.science.models.sevennet_path.relax import relax_structure
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.properties import CATALOGUE, PropertyName
from matdiscover.science.thermo import ReferenceHull, energy_above_hull

#: Cells larger than this (sites) get a "slow" warning.
LARGE_CELL_SITES = 200


def sevennet_model_name(name: str) -> str:
    """Recorded model name of a SevenNet tier, e.g. ``"sevennet-7net-0-mptrj+refs-…"``."""
    refs = load_sevennet_references(canonical_checkpoint_name(name))
    return f"sevennet-{refs.model}-mptrj+{refs.tag}"


def predict_structure_properties(
    structures: Sequence[Structure],
    *,
    model: str = "7net-0",
    relax: bool = False,
    hull: ReferenceHull | None = None,
    max_sites: int = 2000,
    relax_steps: int = 500,
) -> list[list[PropertyPrediction]]:
    """Predict ``formation_energy`` and ``energy_above_hull`` (eV/atom) with SevenNet.

    Args:
        structures: Ordered pymatgen structures.
        model: Bundled checkpoint giving the value: ``"7net-0"`` or ``"7net-l3i5"``.
        relax: Relax each structure first with ``model`` (fmax 0.05 eV/Å); a relaxation
            that does not converge is not used (static energy, with a warning).
        hull: Reference hull; default ``ReferenceHull.from_dataset("mp_e_form")``.
        max_sites: Reject structures with more sites than this.
        relax_steps: Maximum optimiser steps per relaxation.

    Returns:
        Per structure ``[formation_energy, energy_above_hull]``, each with a calibrated 1σ
        and a 95 % interval ``value ± z95·σ`` (split-conformal ``z95``, see
        :mod:`~matdiscover.science.models.sevennet_path.references`).

    Raises:
        InvalidInput: ``model`` is not a bundled checkpoint.
        InvalidStructure, InvalidComposition, InputTooLarge: see the module docstring.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.69), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> [[e_form, e_hull]] = predict_structure_properties([nacl])
        >>> e_form.model.startswith("sevennet-7net-0"), e_hull.unit
        (True, 'eV/atom')
    """
    name = canonical_checkpoint_name(model)
    other = next(m for m in BUNDLED_CHECKPOINTS if m != name)
    refs: dict[str, SevennetReferences] = {
        m: load_sevennet_references(m) for m in BUNDLED_CHECKPOINTS
    }
    items = list(structures)
    for i, s in enumerate(items):
        check_structure(s, name, index=i)
        if len(s) > max_sites:
            raise InputTooLarge(
                f"structure {i}: {len(s)} sites exceeds the limit of {max_sites} for SevenNet"
            )
        missing = missing_references(s.composition, refs[name])
        if missing:
            raise InvalidComposition(
                f"structure {i}: no SevenNet reference energy for {', '.join(missing)}; "
                "formation energies cannot be computed"
            )
    if not items:
        return []
    hull = hull or ReferenceHull.from_dataset("mp_e_form")
    notes: list[list[str]] = [[] for _ in items]
    final = list(items)
    if relax:
        for i, s in enumerate(items):
            res = relax_structure(s, name, steps=relax_steps)
            if res.converged:
                final[i] = res.structure
            else:
                notes[i].append(
                    f"{res.warnings[0] if res.warnings else 'relaxation failed'}; "
                    "the static energy of the input structure is reported instead"
                )
    energies = evaluate_energies(final, name)
    committee = evaluate_energies(final, other)
    model_name = f"sevennet-{name}-mptrj+{refs[name].tag}"
    version = f"{sevenn_version()}+{refs[name].tag}"
    out: list[list[PropertyPrediction]] = []
    for i, s in enumerate(final):
        comp = s.composition
        warn = list(notes[i])
        if len(s) > LARGE_CELL_SITES:
            warn.append(f"large cell ({len(s)} sites): SevenNet evaluation is slow")
        e_form = formation_energy_per_atom(s, energies[i], refs[name])
        spread = abs(e_form - formation_energy_per_atom(s, committee[i], refs[other]))
        rare = sorted(
            el.symbol for el in comp.elements if refs[name].elements[el.symbol].n_train < 3
        )
        if rare and len(comp.elements) > 1:
            warn.append(
                f"the reference energy of {', '.join(rare)} was fitted on fewer than 3 "
                "compounds; uncertainty widened"
            )
        sigma = calibrated_sigma(comp, spread, refs[name])
        half = refs[name].z95 * sigma
        in_domain = not (rare and len(comp.elements) > 1)
        hr = energy_above_hull(comp, e_form, hull=hull)
        hull_warn = list(warn)
        if hr.below_hull_by > 0.0:
            hull_warn.append(
                f"predicted {hr.below_hull_by:.3f} eV/atom below the {hr.provenance.dataset} "
                "hull: a new stable phase, or an overly negative prediction"
            )
        out.append(
            [
                PropertyPrediction(
                    property=PropertyName.formation_energy.value,
                    value=e_form,
                    unit=CATALOGUE[PropertyName.formation_energy].unit,
                    std=sigma,
                    interval_95=(e_form - half, e_form + half),
                    method="structure",
                    model=model_name,
                    model_version=version,
                    warnings=tuple(warn),
                    in_domain=in_domain,
                ),
                PropertyPrediction(
                    property=PropertyName.energy_above_hull.value,
                    value=hr.e_above_hull,
                    unit=CATALOGUE[PropertyName.energy_above_hull].unit,
                    std=sigma,
                    interval_95=(
                        max(0.0, hr.e_above_hull - half),
                        hr.e_above_hull + half,
                    ),
                    method="structure",
                    model=f"{model_name}+hull:{hr.provenance.dataset}",
                    model_version=version,
                    warnings=tuple(hull_warn),
                    in_domain=in_domain,
                ),
            ]
        )
    return out
