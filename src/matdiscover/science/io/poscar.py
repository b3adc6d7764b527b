"""VASP POSCAR/CONTCAR reader (VASP 5 with a species line; VASP 4 where derivable)."""

from __future__ import annotations

import re

from pymatgen.core import Element
from pymatgen.io.vasp import Poscar

from matdiscover.errors import InputTooLarge, InvalidStructure, MatDiscoverError
from matdiscover.science.io.base import RawBlock, captured_warnings
from matdiscover.science.structures.limits import ParseLimits

_SYMBOL = re.compile(r"^([A-Z][a-z]?)(?:[_/].*)?$")


def _floats(line: str, n: int) -> list[float] | None:
    parts = line.split()
    if len(parts) < n:
        return None
    try:
        return [float(x.replace("D", "E").replace("d", "e")) for x in parts[:n]]
    except ValueError:
        return None


def _ints(line: str) -> list[int] | None:
    parts = line.split("!")[0].split()
    if not parts:
        return None
    try:
        return [int(x) for x in parts]
    except ValueError:
        return None


def _species(tokens: list[str]) -> list[str] | None:
    """Element symbols from a VASP species line (``Fe_pv``/``Fe/hash`` allowed), or None."""
    symbols = []
    for token in tokens:
        m = _SYMBOL.match(token)
        if not m or not Element.is_valid_symbol(m.group(1)):
            return None
        symbols.append(m.group(1))
    return symbols


def _preflight(lines: list[str], limits: ParseLimits) -> list[str]:
    """Check the POSCAR layout; return the lines with a species line inserted if needed."""
    if len(lines) < 8:
        raise InvalidStructure(
            "POSCAR is too short: expected a comment, a scale factor, three lattice vectors, "
            "atom counts, a coordinate mode line and the coordinates"
        )
    if _floats(lines[1], 1) is None:
        raise InvalidStructure(f"line 2 should be the scale factor, got {lines[1].strip()!r}")
    for i in (2, 3, 4):
        if _floats(lines[i], 3) is None:
            raise InvalidStructure(
                f"line {i + 1} should be a lattice vector of three numbers (Å), "
                f"got {lines[i].strip()!r}"
            )
    counts = _ints(lines[5])
    if counts is None:
        tokens = lines[5].split()
        species = _species(tokens)
        if species is None:
            bad = next((t for t in tokens if _species([t]) is None), lines[5].strip())
            raise InvalidStructure(f"unknown element symbol '{bad}' in the species line (line 6)")
        counts = _ints(lines[6])
        if counts is None:
            raise InvalidStructure(f"line 7 should hold the atom counts, got {lines[6].strip()!r}")
        if len(counts) != len(species):
            raise InvalidStructure(
                f"the species line names {len(species)} elements ({' '.join(species)}) but "
                f"the counts line gives {len(counts)} atom counts"
            )
        first = 7
    else:
        species = _species(lines[0].split()[: len(counts)]) or []
        if len(species) != len(counts):
            raise InvalidStructure(
                "species names are missing: this is a VASP 4 POSCAR without the element "
                "line, and the elements cannot be derived from the comment line; add a line "
                "with the element symbols (e.g. 'Na Cl') above the atom counts"
            )
        lines = [*lines[:5], " ".join(species), *lines[5:]]
        first = 7
    if any(c < 0 for c in counts):
        raise InvalidStructure(f"negative atom count in {counts}")
    total = sum(counts)
    if total == 0:
        raise InvalidStructure("the structure contains no atoms (all atom counts are 0)")
    if total > limits.max_sites:
        raise InputTooLarge(f"declares {total} sites, more than the limit of {limits.max_sites}")
    if lines[first].strip()[:1].lower() == "s":
        first += 1
    coords = lines[first + 1 : first + 1 + total]
    found = next((i for i, line in enumerate(coords) if _floats(line, 3) is None), len(coords))
    if found < total:
        raise InvalidStructure(
            f"wrong atom counts: the counts line declares {total} atoms "
            f"({' '.join(map(str, counts))}) but only {found} coordinate lines follow"
        )
    after = lines[first + 1 + total] if len(lines) > first + 1 + total else ""
    if after.strip() and _floats(after, 3) is not None:
        raise InvalidStructure(
            f"wrong atom counts: the counts line declares {total} atoms "
            f"({' '.join(map(str, counts))}) but more coordinate lines follow"
        )
    return lines


def read_poscar(text: str, limits: ParseLimits) -> list[RawBlock]:
    """Read a POSCAR/CONTCAR (velocities and selective dynamics are allowed).

    Raises:
        InvalidStructure: with the line that is wrong, for layout errors.
    """
    lines = text.rstrip("\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    block = RawBlock(None)
    try:
        with captured_warnings(block.warnings):
            fixed = _preflight(lines, limits)
            block.structure = Poscar.from_str("\n".join(fixed) + "\n").structure
    except MatDiscoverError:
        raise
    except Exception as exc:
        raise InvalidStructure(f"could not parse POSCAR ({type(exc).__name__}: {exc})") from exc
    return [block]
