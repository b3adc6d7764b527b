"""Building a campaign's candidate pool from an upload, the project's items or a
chemical-system enumeration. Every candidate is keyed by its reduced formula (or, for a
project upload, ``material:<id>``) so a pool holds each composition once."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pymatgen.core import Composition
from sqlalchemy.orm import Session

from matdiscover.domains.campaigns.schemas import MAX_POOL, PoolSpec
from matdiscover.domains.projects import service as projects
from matdiscover.errors import InputTooLarge, InvalidInput

#: coefficient vectors an enumeration may search inside a request (bigger: refused)
MAX_ENUMERATION_SPACE = 20_000
_MAX_REPORTED = 5


@dataclass(frozen=True)
class PoolEntry:
    key: str
    formula: str
    material_id: int | None
    origin: dict[str, Any]


@dataclass
class Pool:
    entries: list[PoolEntry] = field(default_factory=list)
    #: input formulas that could not be read, with the reason
    rejected: list[str] = field(default_factory=list)
    duplicates: int = 0


def reduced_formula(text: str) -> str:
    """The reduced formula of ``text``; ``InvalidInput`` when pymatgen cannot read it or
    it names something that is not an element.

    >>> reduced_formula("Li2Mn2O4")
    'LiMnO2'
    """
    try:
        comp = Composition(text)
        formula = comp.reduced_formula
        if not comp.valid or comp.num_atoms <= 0:
            raise ValueError("not a composition of real elements")
    except Exception as exc:  # pymatgen raises several types for bad formulas
        raise InvalidInput(f"{text!r} is not a chemical formula ({exc})") from None
    return str(formula)


def formulas_from_text(text: str) -> list[str]:
    """Formulas of an uploaded text: CSV/TSV with a ``formula`` column, or one per line
    (blank lines and ``#`` comments skipped)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return []
    head = lines[0]
    delimiter = "\t" if "\t" in head else ","
    columns = [c.strip().lower() for c in head.split(delimiter)]
    if "formula" in columns:
        reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        reader.fieldnames = [c.strip().lower() for c in reader.fieldnames or []]
        return [str(row.get("formula") or "").strip() for row in reader]
    if delimiter in head:
        raise InvalidInput(
            "the uploaded table has no 'formula' column (give one, or one formula per line)"
        )
    return [ln.strip() for ln in lines]


def _add(pool: Pool, seen: set[str], entry: PoolEntry) -> None:
    if entry.key in seen:
        pool.duplicates += 1
        return
    seen.add(entry.key)
    pool.entries.append(entry)


def _from_formulas(formulas: Iterable[str], origin: dict[str, Any]) -> Pool:
    pool, seen = Pool(), set[str]()
    for raw in formulas:
        text = raw.strip()
        if not text:
            continue
        try:
            formula = reduced_formula(text)
        except InvalidInput as exc:
            pool.rejected.append(exc.message)
            continue
        _add(pool, seen, PoolEntry(formula, formula, None, {**origin, "input": text[:200]}))
    return pool


def build_pool(session: Session, project: projects.Project, spec: PoolSpec) -> Pool:
    """The candidates ``spec`` describes.

    Raises:
        InvalidInput: the pool is empty (naming why), a formula list is unreadable, the
            enumeration's elements or limits are invalid.
        InputTooLarge: more than :data:`MAX_POOL` candidates or too big an enumeration.
    """
    if spec.source == "uploaded":
        if (spec.formulas is None) == (spec.text is None):
            raise InvalidInput("an uploaded pool needs exactly one of 'formulas' and 'text'")
        formulas = (
            spec.formulas if spec.formulas is not None else formulas_from_text(spec.text or "")
        )
        if len(formulas) > MAX_POOL:
            raise InputTooLarge(f"{len(formulas):,} formulas; a pool holds at most {MAX_POOL:,}")
        pool = _from_formulas(formulas, {"kind": "uploaded"})
    elif spec.source == "project":
        pool, seen = Pool(), set[str]()
        for item in projects.items_of(session, project):
            key = f"material:{item.material_id}" if item.material_id else item.reduced_formula
            origin = {"kind": "project", "item_id": item.id}
            _add(pool, seen, PoolEntry(key, item.reduced_formula, item.material_id, origin))
    else:
        pool = _enumerate(spec)
    if not pool.entries:
        why = f"; rejected: {'; '.join(pool.rejected[:_MAX_REPORTED])}" if pool.rejected else ""
        raise InvalidInput(f"the candidate pool is empty ({spec.source} pool){why}")
    if len(pool.entries) > MAX_POOL:
        raise InputTooLarge(f"{len(pool.entries):,} candidates; a pool holds at most {MAX_POOL:,}")
    return pool


def _enumerate(spec: PoolSpec) -> Pool:
    from matdiscover.science.generation import enumerate_compositions
    from matdiscover.science.generation.enumerate import check_elements

    if not spec.elements:
        raise InvalidInput("an enumeration pool needs 'elements' (2 to 6 element symbols)")
    symbols = check_elements(spec.elements)
    top = min(spec.max_coefficient, spec.max_atoms - (len(symbols) - 1))
    if top ** len(symbols) > MAX_ENUMERATION_SPACE:
        raise InputTooLarge(
            f"enumerating {'-'.join(symbols)} with max_coefficient {spec.max_coefficient} "
            f"and max_atoms {spec.max_atoms} searches {top ** len(symbols):,} coefficient "
            f"vectors; at most {MAX_ENUMERATION_SPACE:,} here (lower the limits)"
        )
    found = enumerate_compositions(
        symbols, max_atoms=spec.max_atoms, max_coefficient=spec.max_coefficient
    )
    pool, seen = Pool(), set[str]()
    for c in found:
        origin = {
            "kind": "enumeration",
            "elements": symbols,
            "oxidation_states": c.oxidation_states,
            "prototype": c.anonymous_formula,
        }
        _add(pool, seen, PoolEntry(c.formula, c.formula, None, origin))
    return pool
