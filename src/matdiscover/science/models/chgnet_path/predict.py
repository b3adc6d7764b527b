"""Structure-path property predictions: formation energy and energy above hull.

Input rules (applied to every structure before any computation, so a batch fails fast):

- disordered structures (partial occupancies) are REJECTED with
  :class:`~matdiscover.errors.InvalidStructure`; CHGNet needs one species per site and
  silently picking the majority species would change the composition being predicted;
- elements without a reference energy raise :class:`~matdiscover.errors.InvalidComposition`;
- more than ``max_sites`` sites raise :class:`~matdiscover.errors.InputTooLarge`; more than
  :data:`LARGE_CELL_SITES` sites only warn (slow, memory-hungry);
- elements CHGNet was (almost) not trained on are predicted but flagged ``in_domain=False``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pymatgen.core import Structure

from matdiscover.errors import InputTooLarge, InvalidComposition
from matdiscover.science.models.chgnet_path._model import UNTRAINED_ELEMENTS, chgnet_version
from matdiscover.science.models.chgnet_path.evaluate import check_structure, evaluate_structures
from matdiscover.science.models.chgnet_path.references import (
    ChgnetReferences,
    formation_energy_per_atom,
    formation_energy_sigma,
    load_references,
    missing_references,
)
from matdiscover.science.models.chgnet_path.relax import relax_structure
from matdiscover.science.models.types import PropertyPrediction
from matdiscover.science.properties import CATALOGUE, PropertyName
from matdiscover.science.thermo import ReferenceHull, energy_above_hull

logger = logging.getLogger(__name__)

#: Cells larger than this (sites) get a "slow" warning.
LARGE_CELL_SITES = 200
#: z-value of a central 95 % normal interval.
_Z95 = 1.959964


def _model_name(refs: ChgnetReferences) -> str:
    return f"chgnet-{chgnet_version()}-mptrj+{refs.tag}"


def predict_structure_properties(
    structures: Sequence[Structure],
    *,
    relax: bool = False,
    hull: ReferenceHull | None = None,
    references: ChgnetReferences | None = None,
    batch_size: int = 16,
    max_sites: int = 2000,
    relax_steps: int = 500,
) -> list[list[PropertyPrediction]]:
    """Predict ``formation_energy`` and ``energy_above_hull`` (eV/atom) from structures.

    The CHGNet energy is converted to the MP legacy correction convention of the Matbench
    ``mp_e_form`` labels before it is compared with their hull, so both numbers share one
    convention (recorded in the model name: ``...+hull:mp_e_form``).

    Args:
        structures: Ordered pymatgen structures.
        relax: Relax each structure (positions and cell, fmax 0.05 eV/Å) first. A
            relaxation that does not converge is NOT used: the static energy of the input
            is reported instead, with a warning.
        hull: Reference hull; default ``ReferenceHull.from_dataset("mp_e_form")``.
        references: Elemental references; default :func:`load_references`.
        batch_size: CHGNet batch size for the static evaluation.
        max_sites: Reject structures with more sites than this.
        relax_steps: Maximum optimiser steps per relaxation.

    Returns:
        Per structure ``[formation_energy, energy_above_hull]`` predictions, each with a 1σ
        uncertainty (held-out RMSE of the reference scheme, widened for elements whose
        reference was never checked against a compound) and a 95 % interval.

    Raises:
        InvalidStructure: A structure is disordered, empty, or not evaluable.
        InvalidComposition: An element has no reference energy.
        InputTooLarge: A structure has more than ``max_sites`` sites.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> [[e_form, e_hull]] = predict_structure_properties([nacl])
        >>> e_form.unit, e_hull.property
        ('eV/atom', 'energy_above_hull')
    """
    refs = references or load_references()
    items = list(structures)
    for i, s in enumerate(items):
        check_structure(s, index=i)
        if len(s) > max_sites:
            raise InputTooLarge(
                f"structure {i}: {len(s)} sites exceeds the limit of {max_sites} for CHGNet"
            )
        missing = missing_references(s.composition, refs)
        if missing:
            raise InvalidComposition(
                f"structure {i}: no CHGNet reference energy for {', '.join(missing)}; "
                "formation energies cannot be computed"
            )
    if not items:
        return []
    hull = hull or ReferenceHull.from_dataset("mp_e_form")

    notes: list[list[str]] = [[] for _ in items]
    final = list(items)
    energies = [
        r.energy_per_atom for r in evaluate_structures(items, batch_size=batch_size, forces=False)
    ]
    if relax:
        for i, s in enumerate(items):
            res = relax_structure(s, steps=relax_steps)
            if res.converged:
                final[i], energies[i] = res.structure, res.energy_per_atom
            else:
                notes[i].append(
                    f"{res.warnings[0] if res.warnings else 'relaxation failed'}; "
                    "the static energy of the input structure is reported instead"
                )

    model = _model_name(refs)
    version = f"{chgnet_version()}+{refs.tag}"
    out: list[list[PropertyPrediction]] = []
    for i, s in enumerate(final):
        comp = s.composition
        warn = list(notes[i])
        if len(s) > LARGE_CELL_SITES:
            warn.append(f"large cell ({len(s)} sites): CHGNet evaluation is slow")
        untrained = sorted(el.symbol for el in comp.elements if el.symbol in UNTRAINED_ELEMENTS)
        if untrained:
            warn.append(
                f"CHGNet saw (almost) no training data for {', '.join(untrained)}; "
                "the prediction is unreliable"
            )
        e_form, ref_notes = formation_energy_per_atom(s, energies[i], references=refs)
        warn.extend(ref_notes)
        sigma = formation_energy_sigma(comp, refs)
        in_domain = not untrained and not ref_notes
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
                    interval_95=(e_form - _Z95 * sigma, e_form + _Z95 * sigma),
                    method="structure",
                    model=model,
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
                        max(0.0, hr.e_above_hull - _Z95 * sigma),
                        hr.e_above_hull + _Z95 * sigma,
                    ),
                    method="structure",
                    model=f"{model}+hull:{hr.provenance.dataset}",
                    model_version=version,
                    warnings=tuple(hull_warn),
                    in_domain=in_domain,
                ),
            ]
        )
    return out
