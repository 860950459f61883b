"""The page model both PDF readers produce (pdfium first, pdfplumber as the fallback):
characters with boxes grouped into lines in content order, ruling segments, images.
Coordinates are points in a top-down frame (``top`` grows down the page).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import NamedTuple

from ..record import record


class Char(NamedTuple):
    """One printed character; ``x0 < x1`` and ``top < bottom`` in points, top-down.

    A named tuple rather than a frozen dataclass: a page has thousands, and a
    tuple is built several times faster.
    """

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


#: ``Char`` built from one ``(text, x0, top, x1, bottom)`` tuple by C code alone (the named
#: tuple's own constructor is a Python function): for mapping over a page's characters.
make_char: Callable[[Iterable[str | float]], Char] = partial(tuple.__new__, Char)


@record
class Seg:
    """An axis-aligned ruling segment: horizontal ``(y, a..b)`` or vertical ``(x, a..b)``."""

    horizontal: bool
    at: float
    a: float
    b: float


@record(frozen=False)
class PageLayout:
    """A page as read: its lines of characters (in content order), rules and images.

    ``glyphless`` is set when a font on the page is neither embedded nor found on
    this system: pdfium then has no glyph boxes for it and silently skips text
    objects that print a single glyph (a label printed one character per line),
    so the page must be read again by another engine.
    """

    number: int
    width: float
    height: float
    lines: list[list[Char]]
    rules: list[Seg]
    images: int
    glyphless: bool = False
