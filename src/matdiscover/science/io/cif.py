"""CIF (and magnetic CIF) reader with per-block errors and pre-checks."""

from __future__ import annotations

import math
import re

from pymatgen.core import Composition, Element, Structure
from pymatgen.io.cif import CifBlock, CifParser

from matdiscover.errors import InputTooLarge, InvalidStructure, MatDiscoverError
from matdiscover.science.io.base import RawBlock, captured_warnings
from matdiscover.science.structures.limits import ParseLimits
from matdiscover.science.structures.validation import (
    MAX_FRACTIONAL_COORDINATE,
    MAX_VECTOR_LENGTH,
    site_name,
)

_DATA = re.compile(r"^\s*data_(\S*)", re.IGNORECASE)
_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\S+")
_DUMMY = {"Va", "Vac", "X", "Xx", "Dum", "Du", "Q"}
_CELL = ("a", "b", "c")
_ANGLES = ("alpha", "beta", "gamma")
_SYMOP_KEYS = ("_symmetry_equiv_pos_as_xyz", "_space_group_symop_operation_xyz")
_EXPANSION_FACTOR = 20
"""Rows x symmetry operations beyond this multiple of max_sites are refused unexpanded."""


def split_blocks(text: str) -> list[tuple[str, str]]:
    """Split CIF text into ``(block name, block text)`` at ``data_`` headers."""
    blocks: list[tuple[str, list[str]]] = []
    in_text_field = False
    for line in text.split("\n"):
        if line.startswith(";"):
            in_text_field = not in_text_field
        elif not in_text_field and (m := _DATA.match(line)):
            blocks.append((m.group(1) or f"block{len(blocks) + 1}", []))
        if blocks:
            blocks[-1][1].append(line)
    return [(name, "\n".join(lines) + "\n") for name, lines in blocks]


def _number(value: object) -> float | None:
    """CIF numeric value without its standard uncertainty, None if missing ('?' or '.')."""
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).strip().strip("'\"")
    if text in ("?", "."):
        return None
    text = re.sub(r"\(\d*\)$", "", text)
    try:
        return float(text)
    except ValueError:
        return math.nan


def truncation_problem(block_text: str) -> str | None:
    """Describe why a CIF block looks truncated, or None."""
    lines = block_text.rstrip("\n").split("\n")
    if sum(1 for line in lines if line.startswith(";")) % 2:
        return "it ends inside a ';' text field"
    loops = [i for i, line in enumerate(lines) if line.strip().lower() == "loop_"]
    last_loop = loops[-1] if loops else -1
    if last_loop < 0:
        return None
    headers = 0
    values: list[str] = []
    for line in lines[last_loop + 1 :]:
        stripped = line.strip()
        if not values and stripped.startswith("_"):
            headers += 1
        elif stripped.startswith(("_", "loop_", "data_")):
            return None
        elif stripped and not stripped.startswith("#"):
            values.extend(_TOKEN.findall(stripped))
    if headers and values and len(values) % headers:
        return f"its last loop has {len(values)} values for {headers} columns"
    return None


def _check_cell(data: dict[str, object]) -> None:
    for name in _CELL:
        value = _number(data.get(f"_cell_length_{name}"))
        if value is None:
            raise InvalidStructure(f"missing unit cell length _cell_length_{name}")
        if not math.isfinite(value) or not 0 < value <= MAX_VECTOR_LENGTH:
            raise InvalidStructure(
                f"unit cell length _cell_length_{name} = {data.get(f'_cell_length_{name}')} "
                f"must be a positive number of Å, at most {MAX_VECTOR_LENGTH:.0f}"
            )
    for name in _ANGLES:
        value = _number(data.get(f"_cell_angle_{name}"))
        if value is not None and (not math.isfinite(value) or not 0 < value < 180):
            raise InvalidStructure(
                f"unit cell angle _cell_angle_{name} = {data.get(f'_cell_angle_{name}')} "
                "must be between 0 and 180 degrees"
            )


def _element_of(symbol: str) -> str | None:
    """Pymatgen-like reading of a CIF type symbol; None if it names no element."""
    letters = re.match(r"[A-Za-z]+", symbol)
    if not letters:
        return None
    sym = letters.group(0)
    for candidate in (sym[:2].title(), sym[:1].upper()):
        if Element.is_valid_symbol(candidate):
            return candidate
    return None


def _check_sites(data: dict[str, object], limits: ParseLimits) -> None:
    labels = data.get("_atom_site_label") or data.get("_atom_site_type_symbol")
    if not isinstance(labels, list) or not (
        "_atom_site_fract_x" in data or "_atom_site_cartn_x" in data
    ):
        raise InvalidStructure("contains no atoms (no _atom_site loop with coordinates)")
    if len(labels) > limits.max_sites:
        raise InputTooLarge(
            f"lists {len(labels)} atom sites, more than the limit of {limits.max_sites} sites"
        )
    ops: list[object] = next(
        (value for k in _SYMOP_KEYS if isinstance(value := data.get(k), list)), []
    )
    if len(labels) * len(ops) > _EXPANSION_FACTOR * limits.max_sites:
        raise InputTooLarge(
            f"{len(labels)} atom sites under {len(ops)} symmetry operations could expand to "
            f"{len(labels) * len(ops)} sites, far beyond the limit of {limits.max_sites} sites"
        )
    symbols = data.get("_atom_site_type_symbol")
    if isinstance(symbols, list):
        for label, symbol in zip(labels, symbols, strict=False):
            letters = re.sub(r"[^A-Za-z]", "", symbol)
            if letters.title() in _DUMMY:
                raise InvalidStructure(
                    f"site {label} has the dummy/vacancy symbol '{symbol}', not a chemical "
                    "element; remove the site or give its real element"
                )
            if _element_of(symbol) is None:
                raise InvalidStructure(f"site {label} has unknown element symbol '{symbol}'")
    located = [True] * len(labels)
    for axis in ("x", "y", "z"):
        fractional = f"_atom_site_fract_{axis}" in data
        column = data.get(f"_atom_site_fract_{axis}") or data.get(f"_atom_site_cartn_{axis}")
        # checked before pymatgen wraps fractional coordinates into the cell (1e300 -> 0)
        bound = MAX_FRACTIONAL_COORDINATE * (1.0 if fractional else MAX_VECTOR_LENGTH)
        values = column if isinstance(column, list) else [column]
        for i, (label, value) in enumerate(zip(labels, values, strict=False)):
            number = _number(value)
            located[i] = located[i] and number is not None
            if number is not None and not math.isfinite(number):
                raise InvalidStructure(
                    f"site {label} has a non-numeric {axis} coordinate {value!r}"
                )
            if number is not None and abs(number) > bound:
                kind = "fractional" if fractional else "cartesian"
                raise InvalidStructure(
                    f"site {label} has the {kind} {axis} coordinate {str(value)[:40]}, beyond the "
                    f"accepted ±{bound:.0f}{'' if fractional else ' Å'}"
                )
    if not any(located):
        raise InvalidStructure(
            "contains no atoms (the _atom_site loop has no coordinates, only '?' or '.')"
        )


def _occupancy_error(parser: CifParser, tolerance: float) -> InvalidStructure:
    """Name the site whose summed occupancy exceeds 1 + tolerance."""
    try:
        raw = parser.parse_structures(primitive=False, check_occu=False, on_error="raise")[0]
        worst = max(range(len(raw)), key=lambda i: float(raw[i].species.num_atoms))
        total = float(raw[worst].species.num_atoms)
        where = f"site {site_name(raw, worst)} ({raw[worst].species.formula})"
    except Exception:
        total, where = math.nan, "a site"
    return InvalidStructure(
        f"{where} has a summed occupancy of {total:.3f}, more than 1 + {tolerance} "
        "(occupancy tolerance)"
    )


def _formula_warning(data: dict[str, object], structure: Structure) -> str | None:
    declared = data.get("_chemical_formula_sum")
    if not isinstance(declared, str) or declared.strip() in ("", "?", "."):
        return None
    try:
        expected = Composition(declared.strip("'\" ")).fractional_composition
    except Exception:
        return f"Could not parse _chemical_formula_sum '{declared}'."
    actual = structure.composition.element_composition.fractional_composition
    elements = set(expected.elements) | set(actual.elements)
    if all(abs(expected[el] - actual[el]) <= 0.02 for el in elements):
        return None
    hint = " (hydrogens missing?)" if expected["H"] > 0 and actual["H"] == 0 else ""
    return (
        f"_chemical_formula_sum '{declared}' does not match the sites, which give "
        f"{structure.composition.reduced_formula}{hint}."
    )


def _read_block(name: str | None, text: str, limits: ParseLimits) -> RawBlock:
    block = RawBlock(name)
    tolerance = limits.occupancy_tolerance
    try:
        with captured_warnings(block.warnings):
            try:
                data = {k.lower(): v for k, v in CifBlock.from_str(text).data.items()}
            except (ValueError, IndexError, KeyError) as exc:
                problem = truncation_problem(text)
                if problem:
                    raise InvalidStructure(f"the CIF appears truncated: {problem}") from exc
                raise InvalidStructure(f"malformed CIF syntax ({exc})") from exc
            _check_cell(data)
            _check_sites(data, limits)
            parser = CifParser.from_str(text, occupancy_tolerance=1.0 + tolerance, check_cif=False)
            try:
                structures = parser.parse_structures(primitive=False, on_error="raise")
            except ValueError as exc:
                if "exceeded tolerance" in str(exc):
                    raise _occupancy_error(parser, tolerance) from exc
                problem = truncation_problem(text)
                if problem:
                    raise InvalidStructure(f"the CIF appears truncated: {problem}") from exc
                reason = str(exc).split("\n")[-1]
                raise InvalidStructure(f"pymatgen could not build a structure ({reason})") from exc
        block.structure = structures[0]
        if (warning := _formula_warning(data, block.structure)) is not None:
            block.warnings.append(warning)
    except MatDiscoverError as exc:
        block.error = exc
    except Exception as exc:  # pymatgen raises many exception types on odd files
        block.error = InvalidStructure(f"could not parse ({type(exc).__name__}: {exc})")
    return block


def read_cif(text: str, limits: ParseLimits) -> list[RawBlock]:
    """Read every data block of a CIF that describes a structure.

    Blocks with neither a unit cell nor atom sites (e.g. publication metadata) are
    skipped. Error messages are relative to the block (the caller adds the label).

    Raises:
        InvalidStructure: if the text has no ``data_`` block or no block has a cell or
            atom sites.
    """
    blocks = split_blocks(text)
    if not blocks:
        raise InvalidStructure("no 'data_' block found; this is not a CIF file")
    candidates = [
        (name, body)
        for name, body in blocks
        if re.search(r"(?im)^\s*_(cell_length_a|atom_site_(fract|cartn)_x)", body)
    ]
    if not candidates:
        raise InvalidStructure(
            "the CIF contains no atoms (no _atom_site coordinates and no unit cell)"
        )
    multi = len(candidates) > 1
    return [_read_block(name if multi else None, body, limits) for name, body in candidates]
