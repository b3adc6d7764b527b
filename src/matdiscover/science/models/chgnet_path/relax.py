"""Structure relaxation with CHGNet and ASE, with explicit convergence reporting.

ASE optimisers return normally when they run out of steps, so convergence is checked
here explicitly, and runaway relaxations (exploding energies or forces) are stopped.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from matdiscover.science.models.chgnet_path._model import load_chgnet, quiet_chgnet
from matdiscover.science.models.chgnet_path.evaluate import check_structure

logger = logging.getLogger(__name__)

#: A relaxation is stopped as diverged if any atomic force exceeds this (eV/Å) ...
DIVERGENCE_MAX_FORCE = 1.0e3
#: ... or the energy rises this far above its starting value (eV/atom).
DIVERGENCE_ENERGY_RISE = 1.0


@dataclass(frozen=True)
class RelaxationResult:
    """Outcome of :func:`relax_structure`.

    Attributes:
        structure: Final structure (the last step, even if not converged).
        energy_per_atom: Final CHGNet energy in eV/atom.
        energy: Final total energy in eV.
        initial_energy_per_atom: CHGNet energy of the input in eV/atom.
        converged: Whether the optimiser's maximum generalized force (atoms and, with
            ``relax_cell``, the cell degrees of freedom) fell below ``fmax``.
        diverged: Whether the run was stopped because energy or forces exploded.
        max_force: Final largest atomic force norm in eV/Å.
        max_generalized_force: Final convergence measure used by the optimiser (eV/Å),
            including the cell degrees of freedom when ``relax_cell`` is set.
        steps: Optimiser steps taken.
        fmax: Requested force threshold in eV/Å.
        energies: Energy per atom (eV/atom) after each step, starting with the input.
        warnings: Human-readable problems (not converged, diverged).
    """

    structure: Structure
    energy_per_atom: float
    energy: float
    initial_energy_per_atom: float
    converged: bool
    diverged: bool
    max_force: float
    max_generalized_force: float
    steps: int
    fmax: float
    energies: tuple[float, ...]
    warnings: tuple[str, ...] = ()


def relax_structure(
    structure: Structure,
    *,
    fmax: float = 0.05,
    steps: int = 500,
    relax_cell: bool = True,
) -> RelaxationResult:
    """Relax atomic positions (and by default the cell) with CHGNet and ASE's FIRE.

    The cell is relaxed through ASE's ``FrechetCellFilter`` (zero external pressure).

    Args:
        structure: Ordered pymatgen structure.
        fmax: Convergence threshold on the largest force in eV/Å.
        steps: Maximum optimiser steps.
        relax_cell: Relax lattice parameters as well as positions.

    Returns:
        A :class:`RelaxationResult`; check ``converged`` before trusting it.

    Raises:
        InvalidStructure: The structure cannot be evaluated by CHGNet.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.8), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> res = relax_structure(nacl, fmax=0.05)
        >>> res.converged
        True
    """
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE
    from chgnet.model.dynamics import CHGNetCalculator

    if fmax <= 0 or steps < 0:
        raise ValueError("fmax must be > 0 and steps >= 0")
    check_structure(structure)
    n = len(structure)
    with quiet_chgnet():
        calc = CHGNetCalculator(model=load_chgnet(), use_device="cpu", on_isolated_atoms="error")
    atoms = AseAtomsAdaptor.get_atoms(structure)
    atoms.calc = calc
    target = FrechetCellFilter(atoms) if relax_cell else atoms

    def generalized_fmax() -> float:
        f = np.asarray(target.get_forces())
        return float(np.sqrt((f**2).sum(axis=1).max())) if len(f) else 0.0

    def atomic_fmax() -> float:
        f = np.asarray(atoms.get_forces())
        return float(np.linalg.norm(f, axis=1).max())

    with quiet_chgnet():
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
    final = AseAtomsAdaptor.get_structure(atoms.copy())
    return RelaxationResult(
        structure=final,
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
