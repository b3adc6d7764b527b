"""A group's structures with energies for fine-tuning CHGNet: reading and validating an
extended XYZ file (a clear error, with frame numbers, before any job starts), the
order-independent fingerprint and the grouped held-out split.

Each frame needs a periodic cell and a total energy in eV for the whole cell, read from
``info["REF_energy"]``, ``info["energy"]``, the calculator's ``energy`` (what ASE makes of
an ``energy=`` key) or ``free_energy``, in that order. Forces (eV/Å) are optional and read
from ``arrays["REF_forces"]``, ``arrays["forces"]`` or the calculator; either every frame
has them or none does.

Example:
    >>> import io
    >>> from ase.build import bulk
    >>> from ase.io import write
    >>> frames = []
    >>> for i in range(10):
    ...     atoms = bulk("NaCl", "rocksalt", a=5.6 + 0.01 * i)
    ...     atoms.info["energy"] = -7.3 + 0.01 * i
    ...     frames.append(atoms)
    >>> buf = io.StringIO()
    >>> write(buf, frames, format="extxyz")
    >>> data = read_energy_frames(buf.getvalue().encode(), "nacl.extxyz")
    >>> len(data), data.forces is None, round(float(data.energies_per_atom[0]), 3)
    (10, True, -3.65)
    >>> read_energy_frames(b"", "empty.extxyz")
    Traceback (most recent call last):
    ...
    matdiscover.errors.InvalidInput: empty.extxyz: no frames in the file
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pymatgen.core import Lattice, Structure

from matdiscover.errors import InvalidInput
from matdiscover.science.io.text import describe_binary
from matdiscover.science.models.chgnet_path._model import MAX_ATOMIC_NUMBER

if TYPE_CHECKING:
    from ase import Atoms

__all__ = [
    "ATOM_GRAPH_CUTOFF",
    "MIN_FRAMES",
    "EnergyFrames",
    "element_fractions",
    "holdout_split",
    "parent_groups",
    "read_energy_frames",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Fewest frames a fine-tune starts with.
MIN_FRAMES = 10
#: CHGNet 0.3.0's atom-graph cutoff (Å): every atom needs a neighbour within it.
ATOM_GRAPH_CUTOFF = 6.0
#: Closest allowed distance between two atoms (Å); closer means broken or unit-confused data.
MIN_DISTANCE = 0.5
#: Largest frame whose parent is found with ``StructureMatcher`` (bigger ones cost seconds).
MATCH_MAX_ATOMS = 48
#: Most ``StructureMatcher`` comparisons in one :func:`parent_groups` call (about 10 ms
#: each for 32 atoms).
MATCH_BUDGET = 1000
_ENERGY_KEYS = ("REF_energy", "energy", "free_energy")
_FORCE_KEYS = ("REF_forces", "forces")
_SHOWN = 8


@dataclass(frozen=True, eq=False)
class EnergyFrames:
    """Validated frames: structures with energies per atom (eV/atom) and optional forces.

    Attributes:
        structures: One ordered, periodic pymatgen structure per frame (file order).
        energies_per_atom: Total energy divided by the number of atoms, eV/atom.
        forces: Per-frame forces in eV/Å (shape ``(atoms, 3)``), or ``None`` when the file
            has none.
        filename: Name of the file, for messages.
    """

    structures: tuple[Structure, ...]
    energies_per_atom: FloatArray
    forces: tuple[FloatArray, ...] | None
    filename: str = "frames.extxyz"

    def __len__(self) -> int:
        return len(self.structures)

    @property
    def num_atoms(self) -> int:
        """Atoms over all frames."""
        return sum(len(s) for s in self.structures)

    @property
    def elements(self) -> list[str]:
        """Element symbols present in any frame, sorted by atomic number."""
        zs = sorted({site.specie.Z for s in self.structures for site in s})
        return [_symbol(z) for z in zs]

    def fingerprint(self) -> str:
        """sha256 of the frames as an unordered set (frame order and the order of atoms
        inside a frame do not matter): cell (1e-4 Å), species and fractional coordinates
        (1e-5), energy per atom (1e-6 eV/atom) and forces (1e-4 eV/Å)."""
        digests = sorted(
            _frame_digest(s, float(e), None if self.forces is None else self.forces[i])
            for i, (s, e) in enumerate(zip(self.structures, self.energies_per_atom, strict=True))
        )
        return hashlib.sha256(b"energy-frames/1\n" + "\n".join(digests).encode()).hexdigest()


def _symbol(z: int) -> str:
    from pymatgen.core import Element

    return str(Element.from_Z(z).symbol)


def _frame_digest(structure: Structure, energy: float, forces: FloatArray | None) -> str:
    z = np.array(structure.atomic_numbers, dtype=np.int64)
    frac = np.rint(np.mod(structure.frac_coords, 1.0) * 1e5).astype(np.int64) % 100_000
    order = np.lexsort((frac[:, 2], frac[:, 1], frac[:, 0], z))
    parts = [
        np.rint(structure.lattice.matrix * 1e4).astype(np.int64),
        z[order],
        frac[order],
        np.array([round(energy * 1e6)], dtype=np.int64),
    ]
    if forces is not None:
        parts.append(np.rint(forces[order] * 1e4).astype(np.int64))
    h = hashlib.sha256()
    for part in parts:
        h.update(np.ascontiguousarray(part).tobytes())
    return h.hexdigest()


class _Problems:
    """Frame problems by kind, in order of appearance (1-based frame numbers)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[int]] = {}

    def add(self, kind: str, frame: int) -> None:
        self.by_kind.setdefault(kind, []).append(frame)

    def raise_if_any(self, filename: str) -> None:
        if not self.by_kind:
            return
        parts = []
        for kind, frames in self.by_kind.items():
            text = f"frame {frames[0]}: {kind}"
            if len(frames) > 1:
                more = ", ".join(str(f) for f in frames[1:_SHOWN])
                text += f" (also frames {more}{', ...' if len(frames) > _SHOWN else ''})"
            parts.append(text)
        raise InvalidInput(f"{filename}: " + "; ".join(parts))


def _decode(data: bytes, filename: str) -> str:
    if not data.strip():
        raise InvalidInput(f"{filename}: no frames in the file")
    kind = describe_binary(data)
    if kind is not None:
        raise InvalidInput(f"{filename} is not an extxyz file; it looks like {kind}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{filename} is not an extxyz text file (not UTF-8: {exc})") from exc


def _read_atoms(text: str, filename: str, max_frames: int) -> list[Atoms]:
    from ase.io import iread

    frames: list[Atoms] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for atoms in iread(io.StringIO(text), index=":", format="extxyz"):
                frames.append(atoms)
                if len(frames) > max_frames:
                    raise InvalidInput(
                        f"{filename}: more than {max_frames:,} frames; a fine-tune takes at "
                        f"most {max_frames:,}"
                    )
    except InvalidInput:
        raise
    except Exception as exc:
        where = f" after frame {len(frames)}" if frames else ""
        raise InvalidInput(
            f"{filename} could not be read as extxyz{where} ({type(exc).__name__}: {exc})"
        ) from exc
    if not frames:
        raise InvalidInput(f"{filename}: no frames in the file")
    return frames


def _calc_results(atoms: Atoms) -> dict[str, Any]:
    calc = atoms.calc
    return dict(getattr(calc, "results", {}) or {}) if calc is not None else {}


def _energy(atoms: Atoms, results: dict[str, Any]) -> Any:
    for key in _ENERGY_KEYS:
        for source in (atoms.info, results):
            if key in source:
                return source[key]
    return None


def _forces(atoms: Atoms, results: dict[str, Any]) -> Any:
    for key in _FORCE_KEYS:
        for source in (atoms.arrays, results):
            if key in source:
                return source[key]
    return None


def _as_float(value: Any) -> float | None:
    try:
        return float(np.asarray(value, dtype=np.float64).reshape(()))
    except (TypeError, ValueError):
        return None


def _geometry_problem(structure: Structure) -> str | None:
    centers, _, _, dist = structure.get_neighbor_list(ATOM_GRAPH_CUTOFF)
    if len(set(centers.tolist())) < len(structure):
        return f"an atom has no neighbour within CHGNet's {ATOM_GRAPH_CUTOFF:g} Å cutoff"
    if len(dist) and float(dist.min()) < MIN_DISTANCE:
        return f"atoms closer than {MIN_DISTANCE:g} Å"
    return None


def read_energy_frames(
    data: bytes, filename: str, *, max_frames: int = 5000, max_atoms: int = 200
) -> EnergyFrames:
    """Read and validate an extended XYZ file of periodic frames with total energies.

    Args:
        data: The file content (UTF-8 text).
        filename: Its name (for messages only; the content is always read as extxyz).
        max_frames: Most frames accepted.
        max_atoms: Most atoms accepted in one frame.

    Returns:
        The frames as :class:`EnergyFrames` (energies in eV/atom, forces in eV/Å).

    Raises:
        InvalidInput: empty, binary or unreadable file; more than ``max_frames`` or fewer
            than :data:`MIN_FRAMES` frames; and, naming the frames (numbered from 1): a
            missing or non-finite energy, non-finite forces or forces of the wrong shape,
            forces on some frames only, no 3D periodic cell or zero volume, more than
            ``max_atoms`` atoms, an element CHGNet does not cover (Z > 94 or unknown), an
            atom without neighbour within 6 Å or atoms closer than 0.5 Å; every frame
            having the same energy per atom (placeholder values).
    """
    text = _decode(data, filename)
    frames = _read_atoms(text, filename, max_frames)
    if len(frames) < MIN_FRAMES:
        raise InvalidInput(
            f"{filename}: {len(frames)} frame(s); a fine-tune needs at least {MIN_FRAMES}"
        )
    problems = _Problems()
    structures: list[Structure] = []
    energies: list[float] = []
    forces: list[FloatArray | None] = []
    numbers: list[int] = []
    for number, atoms in enumerate(frames, start=1):
        results = _calc_results(atoms)
        n = len(atoms)
        raw_energy = _energy(atoms, results)
        energy = None if raw_energy is None else _as_float(raw_energy)
        raw_forces = _forces(atoms, results)
        if n == 0:
            problems.add("no atoms", number)
            continue
        if n > max_atoms:
            problems.add(f"more than {max_atoms} atoms", number)
            continue
        if raw_energy is None:
            keys = ", ".join(f"'{k}'" for k in _ENERGY_KEYS)
            problems.add(f"no total energy (give one of {keys} on the comment line)", number)
        elif energy is None or not math.isfinite(energy):
            problems.add("the energy is not a finite number", number)
        f_arr: FloatArray | None = None
        if raw_forces is not None:
            f_arr = np.asarray(raw_forces, dtype=np.float64)
            if f_arr.shape != (n, 3):
                problems.add(f"forces of shape {f_arr.shape}, expected ({n}, 3)", number)
            elif not np.isfinite(f_arr).all():
                problems.add("forces are not finite", number)
        if not bool(np.all(atoms.pbc)):
            problems.add("not periodic in 3 dimensions (pbc must be T T T)", number)
            continue
        if abs(float(np.linalg.det(atoms.cell[:]))) < 1e-6:
            problems.add("the cell has zero volume", number)
            continue
        zs = [int(z) for z in atoms.numbers]
        bad = sorted({z for z in zs if z < 1 or z > MAX_ATOMIC_NUMBER})
        if bad:
            names = ", ".join("unknown" if z < 1 else _symbol(z) for z in bad)
            problems.add(f"elements CHGNet does not cover ({names})", number)
            continue
        structure = Structure(
            Lattice(np.asarray(atoms.cell[:], dtype=np.float64)),
            atoms.get_chemical_symbols(),
            np.asarray(atoms.positions, dtype=np.float64),
            coords_are_cartesian=True,
        )
        geometry = _geometry_problem(structure)
        if geometry is not None:
            problems.add(geometry, number)
        structures.append(structure)
        energies.append((energy if energy is not None else math.nan) / n)
        forces.append(f_arr)
        numbers.append(number)
    with_forces = [k for k, f in zip(numbers, forces, strict=True) if f is not None]
    if with_forces and len(with_forces) < len(forces):
        for number in (k for k, f in zip(numbers, forces, strict=True) if f is None):
            problems.add("no forces, while other frames have them (give all or none)", number)
    problems.raise_if_any(filename)
    e = np.array(energies, dtype=np.float64)
    if float(np.ptp(e)) < 1e-9:
        raise InvalidInput(
            f"{filename}: every frame has the same energy per atom ({e[0]:g} eV/atom); "
            "these look like placeholder values"
        )
    all_forces = None if not with_forces else tuple(f for f in forces if f is not None)
    return EnergyFrames(
        structures=tuple(structures),
        energies_per_atom=e,
        forces=all_forces,
        filename=filename,
    )


def parent_groups(structures: Sequence[Structure]) -> list[str]:
    """A parent label per frame: frames with the same reduced formula and atom count that
    pymatgen's ``StructureMatcher`` (loose tolerances, volume scaled) matches belong to one
    parent, so perturbations, strains and MD snapshots of a structure group together while
    polymorphs stay apart. Frames above :data:`MATCH_MAX_ATOMS` atoms, or after
    :data:`MATCH_BUDGET` comparisons, join the first parent of their formula and size.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> rocksalt = Structure.from_spacegroup(
        ...     "Fm-3m", Lattice.cubic(5.6), ["Na", "Cl"], [[0, 0, 0], [.5, .5, .5]])
        >>> primitive = rocksalt.get_primitive_structure()
        >>> cscl = Structure(Lattice.cubic(3.4), ["Na", "Cl"], [[0, 0, 0], [.5, .5, .5]])
        >>> strained = primitive.copy().apply_strain(0.02)
        >>> parent_groups([primitive, cscl, strained])
        ['NaCl/2#0', 'NaCl/2#1', 'NaCl/2#0']
    """
    from pymatgen.analysis.structure_matcher import StructureMatcher

    matcher = StructureMatcher(
        ltol=0.3, stol=0.5, angle_tol=10, primitive_cell=False, attempt_supercell=False
    )
    representatives: dict[tuple[str, int], list[int]] = {}
    budget = MATCH_BUDGET
    labels = []
    for i, s in enumerate(structures):
        key = (s.composition.reduced_formula, len(s))
        reps = representatives.setdefault(key, [])
        cluster: int | None = 0 if reps else None
        if reps and len(s) <= MATCH_MAX_ATOMS and budget > 0:
            cluster = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for k, j in enumerate(reps):
                    budget -= 1
                    if matcher.fit(structures[j], s):
                        cluster = k
                        break
        if cluster is None:
            reps.append(i)
            cluster = len(reps) - 1
        labels.append(f"{key[0]}/{key[1]}#{cluster}")
    return labels


def holdout_split(
    structures: Sequence[Structure], *, fraction: float, seed: int
) -> tuple[IntArray, IntArray, str]:
    """``(train, held_out, how)`` frame indices, whole parents held out.

    Frames are grouped by :func:`parent_groups`; ``round(fraction * parents)`` parents
    (at least one, at most all but one) are held out, chosen in a seeded order among the
    parents whose elements all occur in the remaining training parents (an element seen
    only in held-out frames cannot be learned), then among the others if needed. With a
    single parent the frames themselves are split (``how`` says so): held-out frames are
    then close relatives of training frames and the comparison is optimistic.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> s = [Structure(Lattice.cubic(a), [el, "Cl"], [[0, 0, 0], [.5, .5, .5]])
        ...      for el, a in (("Na", 3.4), ("Na", 3.41), ("K", 3.8), ("Cs", 4.1), ("Rb", 4))]
        >>> tr, ho, how = holdout_split(s, fraction=0.25, seed=0)
        >>> sorted(tr.tolist() + ho.tolist()), how
        ([0, 1, 2, 3, 4], 'by parent structure')
    """
    keys = np.array(parent_groups(structures))
    groups = np.unique(keys)
    rng = np.random.default_rng(seed)
    if len(groups) < 2:
        n = len(keys)
        mask = np.zeros(n, dtype=bool)
        mask[rng.permutation(n)[: min(max(1, round(fraction * n)), n - 1)]] = True
        how = "by frame (one parent structure only: optimistic)"
    else:
        n_hold = min(max(1, round(fraction * len(groups))), len(groups) - 1)
        elements: dict[str, set[str]] = {}
        for key, s in zip(keys, structures, strict=True):
            elements.setdefault(str(key), set()).update(e.symbol for e in s.composition)
        order = [str(g) for g in rng.permutation(groups)]
        held: list[str] = []
        for group in order:
            rest = set().union(*(elements[g] for g in order if g != group and g not in held))
            if len(held) < n_hold and elements[group] <= rest:
                held.append(group)
        held += [g for g in order if g not in held][: n_hold - len(held)]
        mask = np.isin(keys, held)
        how = "by parent structure"
    return np.flatnonzero(~mask).astype(np.int64), np.flatnonzero(mask).astype(np.int64), how


def element_fractions(structures: Sequence[Structure]) -> FloatArray:
    """Atom fractions per element, shape ``(frames, 94)`` (column ``Z - 1``)."""
    x = np.zeros((len(structures), MAX_ATOMIC_NUMBER))
    for i, s in enumerate(structures):
        for el, amount in s.composition.fractional_composition.items():
            x[i, el.Z - 1] += amount
    return x
