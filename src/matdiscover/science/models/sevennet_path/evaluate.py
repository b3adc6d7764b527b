"""Single-point SevenNet energies of crystal structures."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pymatgen.core import Structure
from pymatgen.io.ase import AseAtomsAdaptor

from matdiscover.errors import InvalidStructure
from matdiscover.science.models.sevennet_path._model import load_sevennet, supported_elements


def check_structure(
    structure: Structure, name: str = "7net-0", *, index: int | None = None
) -> None:
    """Raise :class:`InvalidStructure` if SevenNet ``name`` cannot evaluate ``structure``.

    Rejects empty or disordered structures (one species per site is needed) and elements
    outside the checkpoint's training set.
    """
    where = f"structure {index}: " if index is not None else ""
    if len(structure) == 0:
        raise InvalidStructure(f"{where}the structure has no sites")
    if not structure.is_ordered:
        raise InvalidStructure(
            f"{where}disordered structure (partial occupancies); SevenNet needs one species "
            "per site: order it first (e.g. an ordered supercell)"
        )
    unknown = sorted(
        {el.symbol for el in structure.composition.elements} - supported_elements(name)
    )
    if unknown:
        raise InvalidStructure(f"{where}SevenNet {name} was not trained on {', '.join(unknown)}")


def evaluate_energies(structures: Sequence[Structure], name: str = "7net-0") -> list[float]:
    """Raw SevenNet energies in eV/atom (uncorrected GGA/GGA+U scale of MPtrj).

    These are NOT corrected energies: apply the MP2020 corrections
    (:func:`~matdiscover.science.models.chgnet_path.conventions.mp2020_correction`)
    before comparing with Materials Project data.

    Raises:
        InvalidInput: ``name`` is not a bundled checkpoint.
        InvalidStructure: A structure cannot be evaluated.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> nacl = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.69), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
        >>> -3.5 < evaluate_energies([nacl])[0] < -3.1
        True
    """
    calc = load_sevennet(name)
    out: list[float] = []
    for i, s in enumerate(structures):
        check_structure(s, name, index=i)
        atoms = AseAtomsAdaptor.get_atoms(s)
        atoms.calc = calc
        try:
            energy = float(atoms.get_potential_energy())
        except (ValueError, RuntimeError, IndexError) as exc:
            raise InvalidStructure(f"structure {i}: SevenNet evaluation failed: {exc}") from exc
        if not math.isfinite(energy):
            raise InvalidStructure(f"structure {i}: SevenNet returned a non-finite energy")
        out.append(energy / len(s))
    return out
