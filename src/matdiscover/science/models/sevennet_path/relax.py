"""Structure relaxation with a bundled SevenNet checkpoint and ASE (FIRE, cell filter)."""

from __future__ import annotations

import logging
import math

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from matdiscover.science.models.chgnet_path.relax import (
    DIVERGENCE_ENERGY_RISE,
    DIVERGENCE_MAX_FORCE,
    RelaxationResult,
)
from matdiscover.science.models.sevennet_path._model import load_sevennet
from matdiscover.science.models.sevennet_path.evaluate import check_structure

logger = logging.getLogger(__name__)


def relax_structure(
    structure: Structure,
    name: str = "7net-0",
    *,
    fmax: float = 0.05,
    steps: int = 500,
    relax_cell: bool = True,
) -> RelaxationResult:
    """Relax positions (and by default the cell) with SevenNet ``name`` and ASE's FIRE.

    Same contract as the CHGNet relaxation: convergence is checked explicitly and runaway
    relaxations are stopped; energies in the result are raw SevenNet energies (eV/atom).

    Raises:
        InvalidInput: ``name`` is not a bundled checkpoint.
        InvalidStructure: The structure cannot be evaluated.
    """
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE

    if fmax <= 0 or steps < 0:
        raise ValueError("fmax must be > 0 and steps >= 0")
    check_structure(structure, name)
    n = len(structure)
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = load_sevennet(name)
    target = FrechetCellFilter(atoms) if relax_cell else atoms

    def generalized_fmax() -> float:
        f = np.asarray(target.get_forces())
        return float(np.sqrt((f**2).sum(axis=1).max())) if len(f) else 0.0

    def atomic_fmax() -> float:
        return float(np.linalg.norm(np.asarray(atoms.get_forces()), axis=1).max())

    e0 = float(atoms.get_potential_energy()) / n
    energies = [e0]
    diverged = False
    taken = 0
    opt = FIRE(target, logfile=None)
    if generalized_fmax() >= fmax:
        for _ in opt.irun(fmax=fmax, steps=steps):
            e = float(atoms.get_potential_energy()) / n
            if opt.nsteps > taken:
                taken = opt.nsteps
                energies.append(e)
            if (
                not math.isfinite(e)
                or e - e0 > DIVERGENCE_ENERGY_RISE
                or atomic_fmax() > DIVERGENCE_MAX_FORCE
            ):
                diverged = True
                break
    gfmax = generalized_fmax()
    afmax = atomic_fmax()
    e_final = float(atoms.get_potential_energy()) / n
    converged = (not diverged) and gfmax < fmax
    notes: list[str] = []
    if diverged:
        notes.append(
            f"relaxation diverged after {taken} steps (energy {e_final:.3g} eV/atom from "
            f"{e0:.3g}, max force {afmax:.3g} eV/Å); the result must not be used"
        )
    elif not converged:
        notes.append(
            f"relaxation did not converge in {taken} steps: max force {gfmax:.3f} eV/Å > "
            f"fmax {fmax} eV/Å"
        )
    for note in notes:
        logger.warning(note)
    return RelaxationResult(
        structure=AseAtomsAdaptor.get_structure(atoms.copy()),
        energy_per_atom=e_final,
        energy=e_final * n,
        initial_energy_per_atom=e0,
        converged=converged,
        diverged=diverged,
        max_force=afmax,
        max_generalized_force=gfmax,
        steps=taken,
        fmax=fmax,
        energies=tuple(energies),
        warnings=tuple(notes),
    )
