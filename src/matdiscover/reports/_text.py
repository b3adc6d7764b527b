"""Text that any PDF font can draw: the bundled Unicode font and a sanitiser for it.

The report uses DejaVu Sans as shipped inside the matplotlib package (a project dependency;
Bitstream Vera licence), so nothing is downloaded. DejaVu covers Latin, Greek, Cyrillic,
Hebrew, Arabic (drawn letter by letter, left to right: no text shaping) and many symbols; a
character it lacks (CJK, most emoji) is shown as U+FFFD (a visible replacement mark), and control
characters become spaces. Text is never interpreted (no markup), so a name such as
``=cmd|' /C calc'!A0`` is printed as is.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont

__all__ = ["FONT_BOLD", "FONT_REGULAR", "REPLACEMENT", "clean", "shorten"]

_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_REGULAR = _FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = _FONT_DIR / "DejaVuSans-Bold.ttf"
REPLACEMENT = "\ufffd"


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both report fonts can draw."""
    points: set[int] | None = None
    for path in (FONT_REGULAR, FONT_BOLD):
        with TTFont(str(path), lazy=True) as font:
            cmap = set(font.getBestCmap())
        points = cmap if points is None else points & cmap
    return frozenset(points or ())


def clean(text: object) -> str:
    """``text`` as a string the report fonts can draw (see the module docstring).

    >>> clean("caf\\u00e9 \\u4e2d\\x07!") == "caf\\u00e9 \\ufffd !"
    True
    """
    covered = _covered()
    out: list[str] = []
    for char in unicodedata.normalize("NFC", str(text)):
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(" ")
        elif ord(char) in covered:
            out.append(char)
        else:
            out.append(REPLACEMENT)
    return "".join(out)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis when longer.

    >>> shorten("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
