"""Fast placement of compositions on a lower convex hull of formation energy.

The hull energy at a composition ``x`` (atomic fractions over ``n`` elements) is the
cheapest mixture of reference phases with that overall composition, a small linear
programme::

    min  sum_i lam_i e_i   s.t.  sum_i lam_i x_i = x,  lam >= 0

(``x_i`` the atomic fractions of phase ``i``, ``e_i`` its formation energy per atom,
elements at 0). It is solved here by the primal simplex method in numpy, starting from
the pure elements: each step adds the phase lying furthest below the current tie
simplex, until no phase lies below it. The final basis is the hull facet that contains
``x``, so the result is the same hull energy and decomposition as
:meth:`pymatgen.analysis.phase_diagram.PhaseDiagram.get_decomposition` (same tolerances)
without building the full hull of the chemical system: a few tens of microseconds per
composition instead of tens of milliseconds (seconds for 7-8 element systems).

Candidate phases are gathered once per chemical system (all reference phases whose
elements are a subset, formation energy below zero as in pymatgen) and cached (LRU).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Key = tuple[tuple[str, float], ...]

#: pymatgen ``PhaseDiagram.formation_energy_tol``: phases at or above the elements' tie
#: simplex never shape the lower hull.
FORMATION_ENERGY_TOL = 1e-11
#: pymatgen ``PhaseDiagram.numerical_tol``: decomposition amounts at or below it are
#: dropped (and their energy with them), as pymatgen does.
NUMERICAL_TOL = 1e-8
#: Reduced cost below which a phase is taken to lie under the current tie simplex.
_PIVOT_TOL = 1e-12
_MAX_PIVOTS = 500


class HullSolveError(RuntimeError):
    """The simplex iteration did not converge (cycling); callers fall back to pymatgen."""


@dataclass(frozen=True)
class Candidates:
    """Reference phases of one chemical system (elements first, one column per element).

    Attributes:
        elements: Sorted element symbols (the columns).
        fractions: ``(m, n)`` atomic fractions of each phase; rows ``0..n-1`` are the
            pure elements.
        energies: ``(m,)`` formation energies per atom (0 for the elements).
        keys: Reduced-formula key of every row (for names).
    """

    elements: tuple[str, ...]
    fractions: FloatArray
    energies: FloatArray
    keys: tuple[Key, ...]


@dataclass(frozen=True)
class SystemBlock:
    """The phases of exactly one chemical system that can shape a lower hull.

    Attributes:
        elements: Sorted element symbols of the system (the columns of ``fractions``).
        fractions: ``(k, len(elements))`` atomic fractions.
        energies: ``(k,)`` formation energies per atom, all below zero.
        keys: Reduced-formula key of every row.
    """

    elements: tuple[str, ...]
    fractions: FloatArray
    energies: FloatArray
    keys: tuple[Key, ...]

    @classmethod
    def build(cls, system: frozenset[str], phases: list[tuple[Key, float]]) -> SystemBlock:
        elements = tuple(sorted(system))
        col = {el: i for i, el in enumerate(elements)}
        kept = [(k, e) for k, e in phases if e < -FORMATION_ENERGY_TOL]
        fractions = np.zeros((len(kept), len(elements)))
        for row, (key, _) in enumerate(kept):
            total = sum(a for _, a in key)
            for el, a in key:
                fractions[row, col[el]] = a / total
        energies = np.array([e for _, e in kept], dtype=np.float64)
        return cls(elements, fractions, energies, tuple(k for k, _ in kept))


def gather(
    elements: tuple[str, ...], block_of: Callable[[frozenset[str]], SystemBlock | None]
) -> Candidates:
    """Candidate phases of the system spanned by ``elements`` (sorted, distinct): the pure
    elements, then the blocks of its sub-systems of two or more elements."""
    n = len(elements)
    col = {el: i for i, el in enumerate(elements)}
    parts: list[tuple[SystemBlock, list[int]]] = []
    m = n
    for r in range(2, n + 1):
        for sub in itertools.combinations(elements, r):
            block = block_of(frozenset(sub))
            if block is not None and len(block.keys):
                parts.append((block, [col[el] for el in block.elements]))
                m += len(block.keys)
    fractions = np.zeros((m, n))
    fractions[:n] = np.eye(n)
    energies = np.zeros(m)
    keys: list[Key] = [((el, 1.0),) for el in elements]
    row = n
    for block, cols in parts:
        k = len(block.keys)
        fractions[row : row + k][:, cols] = block.fractions
        energies[row : row + k] = block.energies
        keys.extend(block.keys)
        row += k
    return Candidates(elements=elements, fractions=fractions, energies=energies, keys=tuple(keys))


def place(cand: Candidates, x: FloatArray) -> tuple[float, list[tuple[int, float]]]:
    """Hull energy (eV/atom) at atomic fractions ``x`` and its decomposition as
    ``(candidate row, amount)`` with amounts > :data:`NUMERICAL_TOL` (pymatgen's rule).

    Raises:
        HullSolveError: no convergence within the pivot limit.
    """
    a = cand.fractions
    e = cand.energies
    n = len(cand.elements)
    basis = list(range(n))  # the pure elements: lam = x, tie plane at 0 eV
    binv = np.eye(n)  # inverse of the basis matrix (columns = basis phases)
    lam = np.array(x, dtype=np.float64)
    mu = np.zeros(n)
    for _ in range(_MAX_PIVOTS):
        reduced = e - a @ mu
        j = int(np.argmin(reduced))
        if reduced[j] >= -_PIVOT_TOL or j in basis:
            break
        d = binv @ a[j]
        pos = d > 1e-12
        if not pos.any():  # unbounded: impossible, compositions form a bounded simplex
            raise HullSolveError("unbounded direction")
        ratios = np.full(n, np.inf)
        ratios[pos] = lam[pos] / d[pos]
        k = int(np.argmin(ratios))
        basis[k] = j
        # Product-form update of the inverse (pivot on row k).
        pivot_row = binv[k] / d[k]
        binv -= np.outer(d, pivot_row)
        binv[k] = pivot_row
        lam = binv @ x
        mu = e[basis] @ binv
    else:
        raise HullSolveError(f"no convergence within {_MAX_PIVOTS} pivots")
    if basis != list(range(n)):  # exact final solve (no drift from the updates)
        bmat = a[basis].T
        lam = np.asarray(np.linalg.solve(bmat, x), dtype=np.float64)
    kept = [(b, float(amt)) for b, amt in zip(basis, lam, strict=True) if abs(amt) > NUMERICAL_TOL]
    energy = float(sum(e[b] * amt for b, amt in kept))
    return energy, kept


@lru_cache(maxsize=65_536)
def key_formula(key: Key) -> str:
    """pymatgen's reduced formula of a key (the names pymatgen gives hull phases)."""
    from pymatgen.core import Composition

    return str(Composition(dict(key)).reduced_formula)
