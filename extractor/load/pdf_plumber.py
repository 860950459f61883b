"""Read PDF pages with pdfplumber (pdfminer), for pages pdfium cannot read whole.

pdfminer takes glyph metrics from the font program or the PDF's width tables,
so it keeps text that pdfium drops when a font is neither embedded nor
installed (see :attr:`PageLayout.glyphless`). It is about twenty times slower,
so it only reads the pages that need it. It yields the same page model.
"""

from __future__ import annotations

import io
from typing import Any

import pdfplumber

from .pdf_model import Char, PageLayout, Seg

#: A gap wider than this share of the font size between two characters is a space.
SPACE_GAP = 0.5


def read_pages(data: bytes, numbers: list[int]) -> list[PageLayout]:
    """The pages ``numbers`` (1-based) of the PDF in ``data``."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [_page(pdf.pages[n - 1], n) for n in numbers]


def _page(page: Any, number: int) -> PageLayout:
    rules = [
        Seg(True, (e["top"] + e["bottom"]) / 2, e["x0"], e["x1"])
        if e["orientation"] == "h"
        else Seg(False, (e["x0"] + e["x1"]) / 2, e["top"], e["bottom"])
        for e in page.edges
    ]
    return PageLayout(number, float(page.width), float(page.height), _lines(page.chars), rules, len(page.images))


def _lines(chars: list[dict[str, Any]]) -> list[list[Char]]:
    """Characters in content order, a new line where the baseline moves or the text runs back."""
    lines: list[list[Char]] = []
    for c in chars:
        if not c["text"].strip():
            continue
        ch = Char(c["text"], c["x0"], c["top"], c["x1"], c["bottom"])
        prev = lines[-1][-1] if lines else None
        if prev is None or not prev.top <= (ch.top + ch.bottom) / 2 <= prev.bottom or ch.x0 < prev.x0:
            lines.append([ch])
            continue
        if ch.x0 - prev.x1 > SPACE_GAP * (ch.bottom - ch.top):
            lines[-1].append(Char(" ", prev.x1, prev.top, ch.x0, prev.bottom))
        lines[-1].append(ch)
    return lines
