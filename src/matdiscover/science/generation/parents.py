"""Parent structures for generation: the shipped known structures indexed by anonymous
formula, with a way to hide compounds or chemical systems (retrospective tests).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pymatgen.core import Composition, Element, Structure

from matdiscover.science.generation.errors import GenerationInputError
from matdiscover.science.known_structures import KnownStructure, known_structure_entries

__all__ = [
    "DEFAULT_MAX_PARENT_SITES",
    "Hidden",
    "Parent",
    "element_mappings",
    "known_parents",
    "parse_hidden",
]

DEFAULT_MAX_PARENT_SITES = 40
"""Parents with more sites than this are not used (keeps relaxations affordable)."""


@dataclass(frozen=True)
class Parent:
    """A known structure usable as a parent.

    Attributes:
        source_database: ``"materials_project"``, ``"aflow_prototypes"`` or ``"ase_dcdft"``.
        source_id: Citable id (``"mp-22862"``, an AFLOW prototype label).
        reduced_formula: Reduced formula of the parent.
        amounts: Element → atoms per reduced formula unit.
        anonymous_formula: e.g. ``"ABC2"``.
        structure: The parent structure (ordered, no oxidation states).
        label: AFLOW prototype label or ``""``.
        space_group_number: Space group at 0.1 Å tolerance, ``None`` if unknown.
    """

    source_database: str
    source_id: str
    reduced_formula: str
    amounts: Mapping[str, float]
    anonymous_formula: str
    structure: Structure
    label: str
    space_group_number: int | None


@dataclass(frozen=True)
class Hidden:
    """Compounds and chemical systems hidden from the parents (and from a hull).

    Attributes:
        formulas: Reduced formulas hidden (every polymorph).
        systems: Element sets hidden: every compound whose elements are EXACTLY one of
            them (``Li-Mn-O`` hides LiMnO2 and Li2MnO3, not Li2O or MnO).
    """

    formulas: frozenset[str] = frozenset()
    systems: frozenset[frozenset[str]] = frozenset()

    def hides(self, reduced_formula: str, elements: Iterable[str]) -> bool:
        """Whether a compound of this reduced formula and these elements is hidden."""
        return reduced_formula in self.formulas or frozenset(elements) in self.systems

    def hides_formula(self, formula: str) -> bool:
        """Whether a (not necessarily reduced) formula is hidden.

        Example:
            >>> parse_hidden(["Li-Mn-O"]).hides_formula("Li2Mn2O4")
            True
            >>> parse_hidden(["Li-Mn-O"]).hides_formula("Li2O")
            False
        """
        elements = set(re.findall(r"[A-Z][a-z]?", formula))
        if frozenset(elements) in self.systems:
            return True
        return bool(self.formulas) and Composition(formula).reduced_formula in self.formulas


def parse_hidden(items: Iterable[str]) -> Hidden:
    """Read hidden compounds: a chemical system is written with dashes (``"Li-Mn-O"``),
    anything else is a formula (``"LiMn2O4"``, reduced on reading).

    Raises:
        GenerationInputError: An unknown element or an unreadable formula.

    Example:
        >>> h = parse_hidden(["Li-Mn-O", "Li2O2"])
        >>> sorted(h.formulas), [sorted(s) for s in h.systems]
        (['Li2O2'], [['Li', 'Mn', 'O']])
    """
    formulas: set[str] = set()
    systems: set[frozenset[str]] = set()
    for raw in items:
        text = str(raw).strip()
        if "-" in text:
            symbols = [s.strip() for s in text.split("-")]
            bad = [s for s in symbols if not Element.is_valid_symbol(s)]
            if bad:
                raise GenerationInputError(
                    f"unknown element {bad[0]!r} in hidden chemical system {raw!r}"
                )
            systems.add(frozenset(symbols))
            continue
        try:
            comp = Composition(text)
            if comp.num_atoms <= 0:
                raise ValueError("empty")
            bad = [str(el) for el in comp.elements if not isinstance(el, Element)]
            if bad:
                raise ValueError(f"unknown element {bad[0]!r}")
            formulas.add(comp.reduced_formula)
        except (ValueError, KeyError) as exc:
            raise GenerationInputError(f"cannot read hidden formula {raw!r}: {exc}") from exc
    return Hidden(frozenset(formulas), frozenset(systems))


@lru_cache(maxsize=1)
def _entries_by_anonymous_formula() -> dict[str, tuple[KnownStructure, ...]]:
    groups: dict[str, list[KnownStructure]] = {}
    for entry in known_structure_entries():
        groups.setdefault(entry.anonymous_formula, []).append(entry)
    return {k: tuple(sorted(v, key=lambda e: e.source_id)) for k, v in groups.items()}


def known_parents(
    anonymous: str,
    *,
    hidden: Hidden | None = None,
    sources: Sequence[str] | None = None,
    max_sites: int = DEFAULT_MAX_PARENT_SITES,
) -> Iterator[Parent]:
    """Shipped known structures with this anonymous formula, sorted by source id.

    Disordered structures, hidden compounds and parents with more than ``max_sites``
    sites are skipped.

    Args:
        anonymous: Anonymous formula, e.g. ``"AB2C4"``.
        hidden: Compounds hidden from the parents.
        sources: Source databases to use (default all).
        max_sites: Largest parent cell, in sites.

    Example:
        >>> ids = [p.source_id for p in known_parents("AB", sources=["aflow_prototypes"])]
        >>> "AB_cF8_225_a_b" in ids  # rock salt
        True
    """
    hidden = hidden or Hidden()
    for entry in _entries_by_anonymous_formula().get(anonymous, ()):
        if sources is not None and entry.source_database not in sources:
            continue
        if entry.nsites > max_sites or hidden.hides(entry.reduced_formula, entry.elements):
            continue
        structure = Structure.from_dict(entry.structure)
        if not structure.is_ordered:
            continue
        structure.remove_oxidation_states()
        comp = structure.composition.reduced_composition
        yield Parent(
            source_database=entry.source_database,
            source_id=entry.source_id,
            reduced_formula=entry.reduced_formula,
            amounts={el.symbol: float(n) for el, n in comp.items()},
            anonymous_formula=entry.anonymous_formula,
            structure=structure,
            label=entry.label,
            space_group_number=entry.space_group_number,
        )


def element_mappings(
    parent: Mapping[str, float], target: Mapping[str, float]
) -> list[dict[str, str]]:
    """Every one-to-one map parent element → target element that keeps the amounts per
    formula unit (elements of equal amount may be permuted), in a deterministic order.

    Example:
        >>> element_mappings({"Na": 1, "Cl": 1}, {"Li": 1, "F": 1})
        [{'Cl': 'F', 'Na': 'Li'}, {'Cl': 'Li', 'Na': 'F'}]
        >>> element_mappings({"Na": 1, "Cl": 1}, {"Li": 2, "O": 1})
        []
    """

    def groups(amounts: Mapping[str, float]) -> dict[float, list[str]]:
        out: dict[float, list[str]] = {}
        for el, n in sorted(amounts.items()):
            out.setdefault(round(float(n), 6), []).append(el)
        return out

    pg, tg = groups(parent), groups(target)
    if sorted((k, len(v)) for k, v in pg.items()) != sorted((k, len(v)) for k, v in tg.items()):
        return []
    keys = sorted(pg)
    per_group = [
        [dict(zip(pg[k], perm, strict=True)) for perm in itertools.permutations(tg[k])]
        for k in keys
    ]
    out: list[dict[str, str]] = []
    for combo in itertools.product(*per_group):
        mapping: dict[str, str] = {}
        for part in combo:
            mapping.update(part)
        out.append(dict(sorted(mapping.items())))
    return out
