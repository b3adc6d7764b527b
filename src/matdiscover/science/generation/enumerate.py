"""Charge-balanced compositions over chosen elements (the chemical-system candidate pool).

A composition is kept when pymatgen's :meth:`~pymatgen.core.Composition.oxi_state_guesses`
finds at least one charge-balanced assignment of oxidation states (the ICSD-frequent states
of each element; mixed valence is allowed where pymatgen's averaged guesses allow it, e.g.
``LiMn2O4`` as Li+ Mn3.5+ O2-). Only reduced formulas are listed (``Li2Mn2O4`` is
``LiMnO2``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pymatgen.core import Composition, Element

from matdiscover.science.embeddings import anonymous_formula
from matdiscover.science.generation.errors import GenerationInputError

__all__ = [
    "MAX_ATOMS_LIMIT",
    "MAX_COEFFICIENT_LIMIT",
    "MAX_ELEMENTS",
    "MAX_SEARCH_SPACE",
    "ChargeBalancedComposition",
    "check_elements",
    "enumerate_compositions",
    "oxidation_state_guesses",
]

MAX_ELEMENTS = 6
"""Largest number of elements an enumeration accepts."""
MAX_ATOMS_LIMIT = 30
"""Largest accepted ``max_atoms`` (atoms per reduced formula unit)."""
MAX_COEFFICIENT_LIMIT = 20
"""Largest accepted ``max_coefficient`` (amount of one element per formula unit)."""
MAX_SEARCH_SPACE = 200_000
"""Largest number of coefficient vectors (``max_coefficient ** n_elements``) searched."""


@dataclass(frozen=True)
class ChargeBalancedComposition:
    """One charge-balanced reduced composition.

    Attributes:
        formula: Reduced formula, e.g. ``"LiMn2O4"``.
        amounts: Element → atoms per reduced formula unit.
        oxidation_states: Element → oxidation state of pymatgen's most likely guess
            (averaged over the element's sites, so mixed valence is fractional: Mn 3.5).
        anonymous_formula: Prototype formula, e.g. ``"AB2C4"``.
    """

    formula: str
    amounts: dict[str, int]
    oxidation_states: dict[str, float]
    anonymous_formula: str

    @property
    def n_atoms(self) -> int:
        """Atoms per reduced formula unit."""
        return sum(self.amounts.values())


@lru_cache(maxsize=65536)
def _guesses(formula: str) -> tuple[tuple[tuple[str, float], ...], ...]:
    comp = Composition(formula)
    return tuple(
        tuple(sorted((el, float(ox)) for el, ox in guess.items()))
        for guess in comp.oxi_state_guesses(max_sites=-1)
    )


def oxidation_state_guesses(formula: str) -> list[dict[str, float]]:
    """pymatgen's charge-balanced oxidation-state guesses of a formula, most likely first
    (element → oxidation state averaged over its sites); ``[]`` if none balances.

    Example:
        >>> oxidation_state_guesses("LiMn2O4")
        [{'Li': 1.0, 'Mn': 3.5, 'O': -2.0}]
        >>> oxidation_state_guesses("LiMnO")
        []
    """
    reduced = Composition(formula).reduced_formula
    return [dict(guess) for guess in _guesses(reduced)]


def check_elements(elements: Iterable[str], *, min_elements: int = 2) -> list[str]:
    """Element symbols checked and de-duplicated, in the given order.

    Raises:
        GenerationInputError: An unknown symbol, fewer than ``min_elements`` distinct
            elements or more than :data:`MAX_ELEMENTS`.

    Example:
        >>> check_elements(["Li", " Mn", "O", "Li"])
        ['Li', 'Mn', 'O']
    """
    out: list[str] = []
    for raw in elements:
        symbol = str(raw).strip()
        if not Element.is_valid_symbol(symbol):
            raise GenerationInputError(f"unknown element {raw!r}")
        if symbol not in out:
            out.append(symbol)
    if len(out) < min_elements:
        raise GenerationInputError(
            f"at least {min_elements} distinct elements are needed, got {len(out)}"
            + (f" ({', '.join(out)})" if out else "")
        )
    if len(out) > MAX_ELEMENTS:
        raise GenerationInputError(
            f"at most {MAX_ELEMENTS} elements can be enumerated, got {len(out)}"
        )
    return out


def enumerate_compositions(
    elements: Sequence[str],
    *,
    max_atoms: int = 10,
    max_coefficient: int = 8,
) -> list[ChargeBalancedComposition]:
    """Every charge-balanced reduced composition containing ALL ``elements``.

    Each element has 1 to ``max_coefficient`` atoms per formula unit and the formula unit
    at most ``max_atoms`` atoms. Order is deterministic: fewer atoms first, then the
    amounts in the order the elements were given (so ``LiMnO2`` before ``Li2MnO2`` before
    ``LiMnO4``).

    Args:
        elements: 2 to :data:`MAX_ELEMENTS` element symbols.
        max_atoms: Largest formula unit, 2 to :data:`MAX_ATOMS_LIMIT` atoms.
        max_coefficient: Largest amount of one element, 1 to :data:`MAX_COEFFICIENT_LIMIT`.

    Raises:
        GenerationInputError: Unknown element, fewer than two elements, a limit out of
            range, or more than :data:`MAX_SEARCH_SPACE` coefficient vectors to search.

    Example:
        >>> [c.formula for c in enumerate_compositions(["Li", "Mn", "O"], max_atoms=6)]
        ['LiMnO2', 'Li2MnO2', 'LiMnO4', 'LiMn2O3', 'Li2MnO3']
    """
    symbols = check_elements(elements)
    n = len(symbols)
    if not n <= max_atoms <= MAX_ATOMS_LIMIT:
        raise GenerationInputError(
            f"max_atoms must be between the number of elements ({n}) and {MAX_ATOMS_LIMIT}, "
            f"got {max_atoms}"
        )
    if not 1 <= max_coefficient <= MAX_COEFFICIENT_LIMIT:
        raise GenerationInputError(
            f"max_coefficient must be between 1 and {MAX_COEFFICIENT_LIMIT}, got {max_coefficient}"
        )
    top = min(max_coefficient, max_atoms - (n - 1))
    space = top**n
    if space > MAX_SEARCH_SPACE:
        raise GenerationInputError(
            f"the search space has {space:,} coefficient vectors ({top}^{n}), more than the "
            f"cap of {MAX_SEARCH_SPACE:,}; lower max_coefficient or max_atoms"
        )
    vectors = [
        c
        for c in itertools.product(range(1, top + 1), repeat=n)
        if sum(c) <= max_atoms and math.gcd(*c) == 1
    ]
    vectors.sort(key=lambda c: (sum(c), c))
    out: list[ChargeBalancedComposition] = []
    for coeffs in vectors:
        formula = "".join(
            f"{el}{k if k > 1 else ''}" for el, k in zip(symbols, coeffs, strict=True)
        )
        guesses = _guesses(formula)
        if not guesses:
            continue
        out.append(
            ChargeBalancedComposition(
                formula=Composition(formula).reduced_formula,
                amounts=dict(zip(symbols, coeffs, strict=True)),
                oxidation_states=dict(guesses[0]),
                anonymous_formula=anonymous_formula(formula),
            )
        )
    return out
