"""Hard constraints on candidates before ranking, with the reason each one is excluded.

>>> result = apply_constraints(
...     ["LiMnO2", "PbTiO3", "LiFePO4"],
...     excluded_elements=["Pb"],
...     e_hull=[0.02, 0.0, 0.3],
...     max_e_hull=0.1,
... )
>>> result.mask.tolist()
[True, False, False]
>>> result.reasons[2]
'predicted energy above hull > 0.1 eV/atom (0.3)'

Each reason reads ``kind (this candidate's detail)``, so counting the parts before `` (``
groups a pool's exclusions by constraint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pymatgen.core import Composition, Element

from matdiscover.science.ranking.errors import AcquisitionError, RankingInputError


def exclusion_counts(reasons: Iterable[str | None]) -> dict[str, int]:
    """How many candidates each constraint excluded, most first: every ``"; "``-joined
    part of a reason counts once under its kind (the text before `` (``).

    >>> exclusion_counts(["excluded element (Pb)", None,
    ...     "excluded element (Cd); predicted energy above hull > 0.1 eV/atom (0.3)"])
    {'excluded element': 2, 'predicted energy above hull > 0.1 eV/atom': 1}
    """
    counts = Counter(part.split(" (")[0] for r in reasons if r for part in r.split("; "))
    return dict(counts.most_common())


def all_excluded_error(n: int, reasons: Iterable[str | None]) -> AcquisitionError:
    """The error for a pool that the constraints empty, naming the three commonest kinds."""
    top = ", ".join(f"{k} ({v})" for k, v in list(exclusion_counts(reasons).items())[:3])
    return AcquisitionError(f"the constraints exclude all {n} candidates: {top}")


BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ConstraintResult:
    """Which candidates pass the constraints.

    Attributes:
        mask: ``True`` for candidates that may be ranked.
        reasons: per candidate ``None`` if kept, else why it was excluded (all reasons
            joined by ``"; "``).
    """

    mask: BoolArray
    reasons: tuple[str | None, ...]

    @property
    def n_kept(self) -> int:
        """Number of candidates that pass."""
        return int(self.mask.sum())


def _element_set(symbols: Iterable[str] | None, name: str) -> frozenset[str] | None:
    if symbols is None:
        return None
    out: set[str] = set()
    for sym in symbols:
        if not Element.is_valid_symbol(str(sym)):
            raise RankingInputError(f"{name}: {sym!r} is not a chemical element symbol")
        out.add(str(sym))
    return frozenset(out)


def _optional_vector(values: ArrayLike | None, n: int, name: str) -> NDArray[np.float64] | None:
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise RankingInputError(f"{name} has shape {arr.shape}, expected ({n},) for {n} candidates")
    return arr


def apply_constraints(
    formulas: Sequence[str],
    *,
    allowed_elements: Iterable[str] | None = None,
    excluded_elements: Iterable[str] | None = None,
    e_hull: ArrayLike | None = None,
    max_e_hull: float | None = None,
    in_domain: ArrayLike | None = None,
    exclude_out_of_domain: bool = True,
) -> ConstraintResult:
    """Mask candidates by chemistry, predicted stability and model domain.

    Args:
        formulas: one formula per candidate (parsed with pymatgen ``Composition``).
        allowed_elements: if given, every element of a kept candidate must be in it.
        excluded_elements: no kept candidate contains any of these.
        e_hull: predicted energy above hull per candidate, eV/atom (needed with
            ``max_e_hull``; a NaN prediction is excluded).
        max_e_hull: keep candidates with ``e_hull <= max_e_hull`` (eV/atom).
        in_domain: per candidate, whether the model's applicability check passed.
        exclude_out_of_domain: exclude candidates with ``in_domain == False``.

    Returns:
        :class:`ConstraintResult` with the mask and a reason per excluded candidate.

    Raises:
        RankingInputError: empty pool, unknown element symbol, misshaped arrays,
            ``max_e_hull`` without ``e_hull``.
        AcquisitionError: the constraints exclude every candidate (the message counts
            the reasons).
    """
    n = len(formulas)
    if n == 0:
        raise RankingInputError("the candidate pool is empty")
    allowed = _element_set(allowed_elements, "allowed_elements")
    excluded = _element_set(excluded_elements, "excluded_elements")
    hull = _optional_vector(e_hull, n, "e_hull")
    if max_e_hull is not None and hull is None:
        raise RankingInputError("max_e_hull needs the predicted e_hull of every candidate")
    domain = None if in_domain is None else np.asarray(in_domain, dtype=bool)
    if domain is not None and domain.shape != (n,):
        raise RankingInputError(f"in_domain has shape {domain.shape}, expected ({n},)")

    reasons: list[str | None] = []
    for i, formula in enumerate(formulas):
        why: list[str] = []
        try:
            elements = {el.symbol for el in Composition(formula).elements}
        except Exception as exc:  # pymatgen raises several types for bad formulas
            why.append(f"formula could not be parsed ({formula!r}: {exc})")
            elements = set()
        unknown = sorted(e for e in elements if not Element.is_valid_symbol(e))
        if unknown:
            why.append(f"not a chemical element ({', '.join(unknown)})")
            elements -= set(unknown)
        if elements and allowed is not None and not elements <= allowed:
            why.append(f"element not allowed ({', '.join(sorted(elements - allowed))})")
        if excluded is not None and elements & excluded:
            why.append(f"excluded element ({', '.join(sorted(elements & excluded))})")
        if max_e_hull is not None and hull is not None:
            if not np.isfinite(hull[i]):
                why.append("no predicted energy above hull")
            elif hull[i] > max_e_hull:
                why.append(
                    f"predicted energy above hull > {max_e_hull:.3g} eV/atom ({hull[i]:.3g})"
                )
        if exclude_out_of_domain and domain is not None and not domain[i]:
            why.append("out of the model's domain")
        reasons.append("; ".join(why) if why else None)

    mask = np.array([r is None for r in reasons], dtype=bool)
    if not mask.any():
        raise all_excluded_error(n, reasons)
    return ConstraintResult(mask, tuple(reasons))
