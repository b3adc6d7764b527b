"""Extended XYZ reader (via ase); a periodic cell is required."""

from __future__ import annotations

import io

from pymatgen.io.ase import AseAtomsAdaptor

from matdiscover.errors import InputTooLarge, InvalidStructure
from matdiscover.science.io.base import RawBlock, captured_warnings
from matdiscover.science.structures.limits import ParseLimits

NO_CELL = (
    "has no lattice: a periodic cell is needed (plain XYZ describes a molecule); "
    'add Lattice="ax ay az bx by bz cx cy cz" and pbc="T T T" to the comment line '
    "(extended XYZ)"
)


def _atom_count(text: str) -> int | None:
    first = text.lstrip("\n").split("\n", 1)[0].strip()
    return int(first) if first.isdigit() else None


def read_xyz(text: str, limits: ParseLimits) -> list[RawBlock]:
    """Read all frames of an (extended) XYZ file.

    Each frame must carry a lattice; a frame that cannot be parsed ends the file
    (frames after it cannot be located reliably).

    Raises:
        InvalidStructure: if the first line is not an atom count or nothing parses.
    """
    from ase.io import iread

    count = _atom_count(text)
    if count is None:
        raise InvalidStructure("the first line of an XYZ file must be the number of atoms")
    if count > limits.max_sites:
        raise InputTooLarge(f"declares {count} atoms, more than the limit of {limits.max_sites}")
    blocks: list[RawBlock] = []
    sink: list[str] = []
    try:
        with captured_warnings(sink):
            for index, atoms in enumerate(iread(io.StringIO(text), index=":", format="extxyz")):
                block = RawBlock(str(index))
                blocks.append(block)
                if len(atoms) > limits.max_sites:
                    block.error = InputTooLarge(
                        f"has {len(atoms)} atoms, more than the limit of {limits.max_sites}"
                    )
                elif len(atoms) == 0:
                    block.error = InvalidStructure("contains no atoms")
                elif atoms.cell.rank < 3 or not any(atoms.pbc):
                    block.error = InvalidStructure(NO_CELL)
                else:
                    block.structure = AseAtomsAdaptor.get_structure(atoms)
    except Exception as exc:
        failed = RawBlock(str(len(blocks)))
        failed.error = InvalidStructure(f"malformed XYZ frame ({type(exc).__name__}: {exc})")
        blocks.append(failed)
    if blocks:
        blocks[0].warnings.extend(sink)
    if len(blocks) == 1:
        blocks[0].name = None
    return blocks
