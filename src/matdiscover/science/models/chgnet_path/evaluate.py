"""Batched single-point CHGNet evaluation of crystal structures."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pymatgen.core import Structure

from matdiscover.errors import InvalidStructure
from matdiscover.science.models.chgnet_path._model import (
    MAX_ATOMIC_NUMBER,
    load_chgnet,
    quiet_chgnet,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StructureEnergy:
    """CHGNet single-point result for one structure.

    Attributes:
        energy_per_atom: CHGNet energy in eV/atom (MP2020-corrected GGA/GGA+U scale, the
            convention of CHGNet's MPtrj training labels).
        energy: Total energy in eV (``energy_per_atom * num_sites``).
        num_sites: Number of sites in the structure.
        forces: Forces in eV/Å, shape ``(num_sites, 3)``; ``None`` when not requested.
        stress: Stress tensor in GPa, shape ``(3, 3)`` (CHGNet sign convention: positive
            is tensile); ``None`` when not requested.
        magmoms: Predicted magnetic moment magnitudes in Bohr magnetons (μB), shape
            ``(num_sites,)``.
        crystal_features: CHGNet's pooled crystal feature vector (64 values, unitless).
    """

    energy_per_atom: float
    energy: float
    num_sites: int
    forces: NDArray[np.float64] | None
    stress: NDArray[np.float64] | None
    magmoms: NDArray[np.float64]
    crystal_features: NDArray[np.float64]

    @property
    def max_force(self) -> float | None:
        """Largest per-atom force norm in eV/Å, or ``None`` without forces."""
        if self.forces is None or len(self.forces) == 0:
            return None
        return float(np.linalg.norm(self.forces, axis=1).max())


def check_structure(structure: Structure, *, index: int | None = None) -> None:
    """Raise :class:`InvalidStructure` if CHGNet cannot evaluate ``structure``.

    Rejects empty or disordered structures (CHGNet needs one species per site) and
    elements beyond Pu (Z > 94), which CHGNet cannot represent.
    """
    where = "" if index is None else f"structure {index}: "
    if len(structure) == 0:
        raise InvalidStructure(f"{where}the structure has no sites")
    if not structure.is_ordered:
        raise InvalidStructure(
            f"{where}the structure is disordered (partial occupancies); CHGNet needs one "
            "species per site. Order it first, e.g. with pymatgen's "
            "OrderDisorderedStructureTransformation or a supercell enumeration."
        )
    too_heavy = sorted(
        {el.symbol for el in structure.composition.elements if el.Z > MAX_ATOMIC_NUMBER}
    )
    if too_heavy:
        raise InvalidStructure(
            f"{where}CHGNet cannot represent elements beyond Pu (Z > 94): {', '.join(too_heavy)}"
        )


def _to_result(pred: dict[str, Any], num_sites: int, *, forces: bool) -> StructureEnergy:
    e = float(np.asarray(pred["e"]))
    m = np.asarray(pred.get("m", np.zeros(num_sites)), dtype=np.float64).reshape(-1)
    return StructureEnergy(
        energy_per_atom=e,
        energy=e * num_sites,
        num_sites=num_sites,
        forces=np.asarray(pred["f"], dtype=np.float64) if forces else None,
        stress=np.asarray(pred["s"], dtype=np.float64) if forces else None,
        magmoms=m,
        crystal_features=np.asarray(pred["crystal_fea"], dtype=np.float64).reshape(-1),
    )


def _predict(structures: list[Structure], *, batch_size: int, forces: bool) -> list[Any]:
    model = load_chgnet()
    task: Literal["efsm", "em"] = "efsm" if forces else "em"
    with quiet_chgnet():
        preds = model.predict_structure(
            structures, task=task, return_crystal_feas=True, batch_size=batch_size
        )
    return list(preds) if isinstance(preds, list) else [preds]


def evaluate_structures(
    structures: Sequence[Structure], *, batch_size: int = 16, forces: bool = True
) -> list[StructureEnergy]:
    """Evaluate structures with CHGNet in batches (single point, no relaxation).

    Args:
        structures: Ordered pymatgen structures (Z ≤ 94).
        batch_size: Number of structures per CHGNet forward pass.
        forces: Also compute forces (eV/Å) and stress (GPa); roughly doubles the cost.

    Returns:
        One :class:`StructureEnergy` per input structure, in input order.

    Raises:
        InvalidStructure: A structure is disordered, empty, has an element CHGNet cannot
            represent, or has an atom with no neighbour within CHGNet's 5 Å cutoff.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> [res] = evaluate_structures([nacl])
        >>> round(res.energy_per_atom, 1)
        -3.7
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    items = list(structures)
    for i, s in enumerate(items):
        check_structure(s, index=i)
    if not items:
        return []
    try:
        preds = _predict(items, batch_size=batch_size, forces=forces)
    except ValueError:
        # CHGNet rejects a whole batch when one structure has an isolated atom; find it.
        for i, s in enumerate(items):
            try:
                _predict([s], batch_size=1, forces=False)
            except ValueError as exc:
                raise InvalidStructure(
                    f"structure {i}: CHGNet could not build its graph ({exc})"
                ) from exc
        raise
    return [_to_result(p, len(s), forces=forces) for p, s in zip(preds, items, strict=True)]
