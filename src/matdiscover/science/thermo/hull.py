"""Convex hulls of formation energy from a reference dataset (Materials Project labels).

Entries live in formation-energy space: a :class:`~pymatgen.analysis.phase_diagram.PDEntry`
with energy ``E_form × N`` (eV) and elements at 0 eV. Only one energy convention may
be placed on one hull: the bundled ``mp_e_form`` labels use the MP legacy corrections
(Matbench v0.1), so any other energy (for example a CHGNet structure prediction) must be
converted to that convention first (see
:func:`matdiscover.science.models.chgnet_path.formation_energy_per_atom`).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element

from matdiscover.errors import InvalidComposition, InvalidInput
from matdiscover.science.thermo.lower_hull import (
    Candidates,
    HullSolveError,
    SystemBlock,
    gather,
    key_formula,
    place,
)

logger = logging.getLogger(__name__)

#: Convention of the bundled Matbench formation energies.
MP_LEGACY_CONVENTION = "MP legacy corrections (Matbench v0.1)"
#: Largest number of components :func:`phase_diagram` accepts.
MAX_COMPONENTS = 4
#: The reference table of MatDiscover's one hull (see :func:`stability`).
HULL_DATASET = "mp_e_form"


@dataclass(frozen=True)
class HullProvenance:
    """Where a hull's reference phases come from.

    Attributes:
        dataset: Reference table name, e.g. ``"mp_e_form"``.
        n_rows: Rows in the table (before reducing to one ground state per formula).
        n_formulas: Distinct reduced formulas kept (lowest energy each).
        convention: Energy-correction convention of the formation energies.
    """

    dataset: str
    n_rows: int
    n_formulas: int
    convention: str


@dataclass(frozen=True)
class HullResult:
    """Energy above hull of one composition.

    Attributes:
        composition: Reduced formula that was placed on the hull.
        formation_energy_per_atom: Input formation energy in eV/atom.
        e_above_hull: Energy above the reference hull in eV/atom (≥ 0; 0 = on the hull).
        hull_energy_per_atom: Formation energy of the hull at this composition, eV/atom.
        is_stable: ``True`` if on or below the reference hull (``e_above_hull`` ≤ 1 meV/atom).
        decomposition: ``(reduced formula, molar fraction of atoms)`` of the hull phases the
            composition decomposes into, largest fraction first.
        below_hull_by: How far the input lies below the current hull in eV/atom (0 if not
            below): a new stable phase, or an overly negative prediction.
        provenance: Source of the reference phases.
    """

    composition: str
    formation_energy_per_atom: float
    e_above_hull: float
    hull_energy_per_atom: float
    is_stable: bool
    decomposition: tuple[tuple[str, float], ...]
    below_hull_by: float
    provenance: HullProvenance


@dataclass(frozen=True)
class HullPlacement:
    """Where a composition sits on the reference hull.

    Attributes:
        hull_energy_per_atom: Formation energy of the hull at the composition, eV/atom.
        decomposition: ``(reduced formula, molar fraction of atoms)`` of the hull phases
            at the composition, largest fraction first (as in :class:`HullResult`).
    """

    hull_energy_per_atom: float
    decomposition: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class PhaseDiagramResult:
    """A phase diagram of up to four components.

    Attributes:
        chemsys: Sorted elements joined by ``-``, e.g. ``"Cl-Na"``.
        stable: Reduced formulas of the stable phases.
        entries: Per entry ``(name, formation energy eV/atom, e_above_hull eV/atom)``.
        decompositions: Entry name → decomposition ``(formula, fraction)`` (empty if stable).
        provenance: Source of the reference phases.
    """

    chemsys: str
    stable: tuple[str, ...]
    entries: tuple[tuple[str, float, float], ...]
    decompositions: dict[str, tuple[tuple[str, float], ...]]
    provenance: HullProvenance
    diagram: PhaseDiagram = field(repr=False, compare=False)


class ReferenceHull:
    """Ground-state formation energies indexed by chemical system, hulls built on demand.

    Args:
        table: DataFrame with ``formula`` and ``target`` (formation energy, eV/atom).
        dataset: Name recorded in the provenance.
        convention: Energy convention recorded in the provenance.

    Per reduced formula only the LOWEST formation energy (the ground-state polymorph) is
    kept; elements are added at 0 eV/atom. Compositions are placed on the hull of their
    chemical system (all entries whose elements are a subset) by a small linear programme
    (:mod:`~matdiscover.science.thermo.lower_hull`: same hull energy and decomposition
    as pymatgen's :class:`PhaseDiagram`, without building the whole hull); the candidate
    phases of the ``cache_size`` most recently used chemical systems are kept, as are the
    last ``cache_size // 16`` pymatgen diagrams built by :meth:`diagram`.

    Example:
        >>> import pandas as pd
        >>> hull = ReferenceHull(pd.DataFrame({"formula": ["Na1Cl1"], "target": [-2.1]}))
        >>> hull.energy_above_hull("Na3Cl", -1.0).decomposition
        (('Na', 0.5), ('NaCl', 0.5))
    """

    def __init__(
        self,
        table: pd.DataFrame,
        *,
        dataset: str = "custom",
        convention: str = MP_LEGACY_CONVENTION,
        cache_size: int = 4096,
    ) -> None:
        best: dict[tuple[tuple[str, float], ...], float] = {}
        for formula, target in zip(table["formula"], table["target"], strict=True):
            key = _reduced_key(str(formula))
            if key not in best or target < best[key]:
                best[key] = float(target)
        self._by_system: dict[frozenset[str], list[tuple[tuple[tuple[str, float], ...], float]]]
        self._by_system = {}
        for key, e in best.items():
            system = frozenset(el for el, _ in key)
            if len(system) == 1:
                continue  # elements are placed at 0 eV/atom
            self._by_system.setdefault(system, []).append((key, e))
        self.provenance = HullProvenance(
            dataset=dataset, n_rows=len(table), n_formulas=len(best), convention=convention
        )
        self._cache_size = max(cache_size, 16)
        self._cache: OrderedDict[frozenset[str], PhaseDiagram] = OrderedDict()
        self._blocks: dict[frozenset[str], SystemBlock] = {}
        self._candidates: OrderedDict[tuple[str, ...], Candidates] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_dataset(cls, name: str = "mp_e_form") -> ReferenceHull:
        """Build from a bundled reference table (see ``matdiscover.science.reference_data``)."""
        return _dataset_hull(name)

    def entries_for(self, elements: Iterable[str]) -> list[PDEntry]:
        """PDEntries (formation energy × atoms, eV) for all phases within ``elements``."""
        els = frozenset(elements)
        entries = [PDEntry(Composition(el), 0.0, name=el) for el in sorted(els)]
        for r in range(2, len(els) + 1):
            for sub in itertools.combinations(sorted(els), r):
                for key, e in self._by_system.get(frozenset(sub), []):
                    comp = Composition(dict(key))
                    entries.append(PDEntry(comp, e * comp.num_atoms, name=comp.reduced_formula))
        return entries

    def diagram(self, elements: Iterable[str]) -> PhaseDiagram:
        """The cached :class:`PhaseDiagram` of the sub-system spanned by ``elements``."""
        key = frozenset(elements)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        built = PhaseDiagram(self.entries_for(key))
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > self._cache_size // 16:
                self._cache.popitem(last=False)
        return built

    def clear_cache(self) -> None:
        """Forget cached candidate phases and diagrams (benchmarks measure cold systems)."""
        with self._lock:
            self._cache.clear()
            self._candidates.clear()
            self._blocks.clear()

    def _block(self, system: frozenset[str]) -> SystemBlock | None:
        block = self._blocks.get(system)
        if block is None:
            phases = self._by_system.get(system)
            if phases is None:
                return None
            block = self._blocks[system] = SystemBlock.build(system, phases)
        return block

    def candidates(self, elements: Iterable[str]) -> Candidates:
        """Candidate hull phases of the chemical system spanned by ``elements`` (LRU)."""
        key = tuple(sorted(set(elements)))
        with self._lock:
            hit = self._candidates.get(key)
            if hit is not None:
                self._candidates.move_to_end(key)
                return hit
        built = gather(key, self._block)
        with self._lock:
            self._candidates[key] = built
            while len(self._candidates) > self._cache_size:
                self._candidates.popitem(last=False)
        return built

    def place(self, amounts: Mapping[str, float]) -> HullPlacement:
        """Hull energy and decomposition at a composition given as element → amount.

        Example:
            >>> import pandas as pd
            >>> hull = ReferenceHull(pd.DataFrame({"formula": ["NaCl"], "target": [-2.1]}))
            >>> hull.place({"Na": 3, "Cl": 1}).decomposition
            (('Na', 0.5), ('NaCl', 0.5))
        """
        present = {el: float(a) for el, a in amounts.items() if a > 0}
        if not present:
            raise InvalidComposition(f"composition {dict(amounts)!r} is empty")
        cand = self.candidates(present)
        total = sum(present.values())
        x = np.array([present[el] / total for el in cand.elements])
        try:
            energy, parts = place(cand, x)
        except HullSolveError:  # degenerate cycling: pymatgen's full hull instead
            comp = Composition(present)
            pd_ = self.diagram(cand.elements)
            return HullPlacement(float(pd_.get_hull_energy_per_atom(comp)), _decomp(pd_, comp))
        named = [(key_formula(cand.keys[b]), amt) for b, amt in parts if amt > 1e-9]
        named.sort(key=lambda t: (-t[1], t[0]))
        return HullPlacement(energy, tuple((name, round(frac, 6)) for name, frac in named))

    def place_many(self, compositions: Sequence[Mapping[str, float]]) -> list[HullPlacement]:
        """:meth:`place` for many compositions, one chemical system after the other (each
        system's candidate phases are gathered once per batch)."""
        order = sorted(
            range(len(compositions)),
            key=lambda i: tuple(sorted(el for el, a in compositions[i].items() if a > 0)),
        )
        out: dict[int, HullPlacement] = {}
        for i in order:
            out[i] = self.place(compositions[i])
        return [out[i] for i in range(len(compositions))]

    def energy_above_hull(
        self, composition: Composition | str, formation_energy_per_atom: float
    ) -> HullResult:
        """See :func:`energy_above_hull`."""
        return energy_above_hull(composition, formation_energy_per_atom, hull=self)

    def hull_energy_without(self, composition: Composition | str) -> float:
        """Hull formation energy (eV/atom) at ``composition`` with every phase of the
        same reduced formula removed: the hull a new material of that formula would be
        compared with (held-out evaluation). Solved as a linear programme (the lower
        convex envelope is the cheapest mixture of the other phases), which is orders of
        magnitude faster than a fresh :class:`PhaseDiagram` per query.
        """
        from scipy.optimize import linprog

        comp = _comp(composition)
        els = sorted(el.symbol for el in comp.elements)
        own = _reduced_key(comp.reduced_formula)
        target = [comp.get_atomic_fraction(el) for el in els]
        cols: list[list[float]] = [[1.0 if e == el else 0.0 for e in els] for el in els]
        cost = [0.0] * len(els)
        for r in range(2, len(els) + 1):
            for sub in itertools.combinations(els, r):
                for key, e in self._by_system.get(frozenset(sub), []):
                    if key == own:
                        continue
                    total = sum(n for _, n in key)
                    amounts = dict(key)
                    cols.append([amounts.get(el, 0.0) / total for el in els])
                    cost.append(e)
        a_eq = [[col[i] for col in cols] for i in range(len(els))]
        res = linprog(cost, A_eq=a_eq, b_eq=target, bounds=(0, None), method="highs")
        if not res.success:  # cannot happen: the elements alone are always feasible
            raise InvalidInput(f"no hull for {comp.reduced_formula}: {res.message}")
        return float(res.fun)


_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def _reduced_key(formula: str) -> tuple[tuple[str, float], ...]:
    """Canonical reduced formula key, e.g. ``"Mg2O2"`` → ``(("Mg", 1), ("O", 1))``.

    A fast path for the plain ``El<int>`` formulas of the reference tables; anything else
    (parentheses, fractions) goes through pymatgen.
    """
    tokens = _TOKEN.findall(formula)
    plain = all(n.isdigit() or n == "" for _, n in tokens)
    if plain and "".join(el + n for el, n in tokens) == formula:
        amounts: dict[str, int] = {}
        for el, n in tokens:
            amounts[el] = amounts.get(el, 0) + (int(n) if n else 1)
        g = 0
        for v in amounts.values():
            g = math.gcd(g, v)
        if g > 0:
            return tuple(sorted((el, float(v // g)) for el, v in amounts.items()))
    comp = Composition(formula).reduced_composition
    return tuple(sorted((el.symbol, float(v)) for el, v in comp.items()))


_hull_lock = threading.Lock()


def reference_hull() -> ReferenceHull:
    """MatDiscover's one reference hull: the Materials Project formation energies bundled
    as ``mp_e_form`` (built once per process, ~1-2 s; concurrent first callers wait for
    the same build)."""
    with _hull_lock:
        return ReferenceHull.from_dataset(HULL_DATASET)


def stability_many(
    compositions: Sequence[Mapping[str, float]], formation_energies: Sequence[float]
) -> list[tuple[float, HullPlacement]]:
    """:func:`stability` of many compositions (element → amount) at once:
    ``(e_above_hull, placement)`` per composition, the same numbers as :func:`stability`
    (``e_above_hull = max(formation energy - hull energy, 0)``, eV/atom)."""
    placements = reference_hull().place_many(compositions)
    return [
        (max(float(ef) - p.hull_energy_per_atom, 0.0), p)
        for ef, p in zip(formation_energies, placements, strict=True)
    ]


def stability(composition: Composition | str, formation_energy_per_atom: float) -> HullResult:
    """THE energy above hull of a material: its formation energy against
    :func:`reference_hull`.

    Every energy above hull MatDiscover shows (property card, phase-diagram panel,
    search, composition and structure predictions) comes from this function, from the
    best formation energy available for the material.

    Example:
        >>> r = stability("NaCl", -2.0)
        >>> r.provenance.dataset, r.e_above_hull >= 0.0
        ('mp_e_form', True)
    """
    return energy_above_hull(composition, formation_energy_per_atom, hull=reference_hull())


@lru_cache(maxsize=4)
def _dataset_hull(name: str) -> ReferenceHull:
    from matdiscover.science.reference_data import load_table

    return ReferenceHull(load_table(name), dataset=name, convention=MP_LEGACY_CONVENTION)


def _comp(composition: Composition | str) -> Composition:
    try:
        comp = Composition(composition)
    except (ValueError, KeyError) as exc:
        raise InvalidComposition(f"cannot parse composition {composition!r}: {exc}") from exc
    if comp.num_atoms <= 0 or any(amt < 0 for amt in comp.values()):
        raise InvalidComposition(f"composition {composition!r} is empty or negative")
    if any(not isinstance(el, Element) for el in comp.elements):
        raise InvalidComposition(f"composition {composition!r} contains non-elements")
    return comp


def _decomp(pd_: PhaseDiagram, comp: Composition) -> tuple[tuple[str, float], ...]:
    dec = pd_.get_decomposition(comp)
    items = sorted(
        ((e.composition.reduced_formula, float(frac)) for e, frac in dec.items() if frac > 1e-9),
        key=lambda t: (-t[1], t[0]),
    )
    return tuple((name, round(frac, 6)) for name, frac in items)


def energy_above_hull(
    composition: Composition | str,
    formation_energy_per_atom: float,
    *,
    hull: ReferenceHull,
) -> HullResult:
    """Energy above the reference hull of a composition with a given formation energy.

    Args:
        composition: Formula or pymatgen composition (any number of elements).
        formation_energy_per_atom: Formation energy in eV/atom, in the SAME convention as
            the hull (``hull.provenance.convention``).
        hull: The reference hull, e.g. ``ReferenceHull.from_dataset("mp_e_form")``.

    Returns:
        A :class:`HullResult`; ``e_above_hull`` in eV/atom.

    Example:
        >>> import pandas as pd
        >>> hull = ReferenceHull(pd.DataFrame({"formula": ["NaCl"], "target": [-2.1]}))
        >>> round(hull.energy_above_hull("NaCl", -2.0).e_above_hull, 3)
        0.1
    """
    comp = _comp(composition)
    placed = hull.place({el.symbol: float(amt) for el, amt in comp.items()})
    hull_e = placed.hull_energy_per_atom
    e_hull = formation_energy_per_atom - hull_e
    return HullResult(
        composition=comp.reduced_formula,
        formation_energy_per_atom=formation_energy_per_atom,
        e_above_hull=max(e_hull, 0.0),
        hull_energy_per_atom=hull_e,
        is_stable=e_hull <= 1e-3,
        decomposition=placed.decomposition,
        below_hull_by=max(-e_hull, 0.0),
        provenance=hull.provenance,
    )


def phase_diagram(
    chemsys: str | Sequence[str],
    extra_entries: Sequence[tuple[Composition | str, float]] = (),
    *,
    hull: ReferenceHull,
) -> PhaseDiagramResult:
    """Phase diagram of a chemical system (≤ 4 components) from the reference phases.

    Args:
        chemsys: ``"Li-Fe-O"`` or ``["Li", "Fe", "O"]``.
        extra_entries: Additional ``(composition, formation energy eV/atom)`` points, in the
            hull's convention; they take part in the hull and appear in ``entries``
            named ``"<formula> (extra #i)"``.
        hull: The reference hull.

    Raises:
        InvalidInput: More than four components, unknown elements, or an extra entry
            outside the chemical system.
    """
    els = chemsys.split("-") if isinstance(chemsys, str) else list(chemsys)
    try:
        symbols = sorted({Element(e.strip()).symbol for e in els})
    except ValueError as exc:
        raise InvalidInput(f"unknown element in chemical system {chemsys!r}") from exc
    if not 1 <= len(symbols) <= MAX_COMPONENTS:
        raise InvalidInput(
            f"phase diagrams support 1 to {MAX_COMPONENTS} components, got {len(symbols)}"
        )
    entries = hull.entries_for(symbols)
    for i, (c, e) in enumerate(extra_entries):
        comp = _comp(c)
        if not {el.symbol for el in comp.elements} <= set(symbols):
            raise InvalidInput(f"extra entry {comp.reduced_formula} is outside {symbols}")
        entries.append(
            PDEntry(comp, e * comp.num_atoms, name=f"{comp.reduced_formula} (extra #{i})")
        )
    pd_ = PhaseDiagram(entries)
    rows = []
    decs: dict[str, tuple[tuple[str, float], ...]] = {}
    for entry in entries:
        name = str(entry.name)
        ehull = float(pd_.get_e_above_hull(entry) or 0.0)
        rows.append((name, float(pd_.get_form_energy_per_atom(entry)), ehull))
        decs[name] = () if ehull <= 1e-9 else _decomp(pd_, entry.composition)
    stable = tuple(
        sorted({str(getattr(e, "name", e.composition.reduced_formula)) for e in pd_.stable_entries})
    )
    return PhaseDiagramResult(
        chemsys="-".join(symbols),
        stable=stable,
        entries=tuple(sorted(rows, key=lambda r: r[0])),
        decompositions=decs,
        provenance=hull.provenance,
        diagram=pd_,
    )
