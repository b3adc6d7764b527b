"""Bonds between drawn atoms, and half bonds across the periodic boundary.

A bond between two drawn atoms is drawn once. A bond whose partner lies outside
the drawn region crosses the periodic boundary; it is drawn as a half bond (``b``
is None, ``end`` the partner's true position) from an atom inside the supercell,
unless the same periodic bond -- equal up to a translation by whole supercells --
is already drawn between two boundary images.
"""

from __future__ import annotations

import numpy as np

from matdiscover.science.structures.scene.cell import Images, Shift, shifted
from matdiscover.science.structures.scene.model import Bond, rounded
from matdiscover.science.structures.scene.neighbours import Pairs


def _bond_class(repeats: np.ndarray, j: int, t: Shift, jj: int, img: Shift) -> tuple[object, ...]:
    """The bond's identity up to a translation by whole supercells."""
    tm = tuple(int(v) for v in np.mod(t, repeats))
    tt = tuple(int(v) for v in np.mod(np.array(t) + img, repeats))
    back = (-img[0], -img[1], -img[2])
    return min((j, tm, jj, img), (jj, tt, j, back))


def build_bonds(images: Images, pairs: Pairs) -> list[Bond]:
    """Every bond of the drawn atoms, full bonds first (in atom order), then half bonds."""
    n = images.repeats
    # pass 1: bonds between two drawn atoms, and the periodic classes they represent
    bonds: list[Bond] = []
    drawn_classes: set[tuple[object, ...]] = set()
    seen_pairs: set[tuple[int, int]] = set()
    stubs: list[tuple[int, int, Shift, Shift, float]] = []
    for ai, (j, t) in enumerate(images.keys):
        for jj, img, d in pairs[j]:
            tt = shifted(t, img)
            other = images.index.get((jj, tt))
            if other is None:
                if images.is_home(t):
                    stubs.append((ai, jj, t, img, d))
                continue
            drawn_classes.add(_bond_class(n, j, t, jj, img))
            pair = (min(ai, other), max(ai, other))
            if pair not in seen_pairs:
                seen_pairs.add(pair)
                start, end = images.position(j, t), images.position(jj, tt)
                bonds.append(Bond(ai, other, rounded(start), rounded(end), round(d, 3)))
    # pass 2: a bond that crosses the boundary and is not already drawn elsewhere
    # (between boundary images) is drawn as a half bond towards its true partner
    for ai, jj, t, img, d in stubs:
        j = images.keys[ai][0]
        if _bond_class(n, j, t, jj, img) in drawn_classes:
            continue
        start, end = images.position(j, t), images.position(jj, shifted(t, img))
        bonds.append(Bond(ai, None, rounded(start), rounded(end), round(d, 3)))
    return bonds
