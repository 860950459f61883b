"""Read one PDF page with pypdfium2: its characters with boxes, grouped into
pdfium's text lines, and the straight ruling segments drawn on it.

Everything is read through pdfium's C API (``pypdfium2.raw``) in one pass per
page: the object wrappers cost microseconds per call, and a six-page report
has several thousand characters. Coordinates are converted to a top-down
frame (``top`` grows down the page) so that sorting by ``top`` is reading
order.
"""

from __future__ import annotations

import ctypes
from itertools import pairwise
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as raw  # type: ignore[import-untyped]

from .pdf_model import Char, PageLayout, Seg

#: A path thinner than this (points) is a ruling line, whatever its draw mode.
THIN = 2.5
#: Paths with more segments than this are drawings (logos, seals, charts), not rules.
MAX_PATH_SEGMENTS = 64


def read_page(page: pdfium.PdfPage, number: int) -> PageLayout:
    """The characters, lines and rules of one page (``number`` is 1-based)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines, glyphless = _lines(textpage.raw, height)
    finally:
        textpage.close()
    rules: list[Seg] = []
    images = 0
    for obj in page.get_objects(filter=(raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_IMAGE), max_depth=1):
        if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
            images += 1
        else:
            rules.extend(_rules(obj, height))
    return PageLayout(number, width, height, lines, rules, images, glyphless)


def _lines(tp: Any, height: float) -> tuple[list[list[Char]], bool]:
    """Characters split where pdfium starts a new line, generated spaces kept as spaces;
    and whether some font has no glyph outlines (see :attr:`PageLayout.glyphless`).

    Boxes are pdfium's loose boxes (font ascent to descent), equal for every
    character of a line whatever its glyph, so lines and cells group cleanly.
    """
    rect = raw.FS_RECTF()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    glyphless = False
    lines: list[list[Char]] = []
    line: list[Char] = []
    last: Char | None = None
    for i in range(raw.FPDFText_CountChars(tp)):
        code = raw.FPDFText_GetUnicode(tp, i)
        if code in (10, 13):
            if line:
                lines.append(line)
                line = []
            last = None
            continue
        ch = chr(code) if code < 0x110000 else "\ufffd"
        if raw.FPDFText_IsGenerated(tp, i) or ch.isspace():
            # Generated characters have no box: a space takes its place after the last char.
            if last is not None and (not line or line[-1].text != " "):
                line.append(Char(" ", last.x1, last.top, last.x1, last.bottom))
            continue
        raw.FPDFText_GetLooseCharBox(tp, i, rect)
        last = Char(ch, rect.left, height - rect.top, rect.right, height - rect.bottom)
        if not glyphless:
            raw.FPDFText_GetCharBox(tp, i, left, right, bottom, top)
            glyphless = top.value - bottom.value < 0.01 < rect.top - rect.bottom
        line.append(last)
    if line:
        lines.append(line)
    return [ln[:-1] if ln[-1].text == " " else ln for ln in lines], glyphless


def _rules(obj: Any, height: float) -> list[Seg]:
    """Ruling segments of one path object: thin paths are lines, stroked boxes give their edges."""
    x0, y0, x1, y1 = obj.get_bounds()
    if x1 - x0 <= THIN or y1 - y0 <= THIN:
        return [_thin(x0, height - y1, x1, height - y0)]
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    raw.FPDFPath_GetDrawMode(obj.raw, fill, stroke)
    count = raw.FPDFPath_CountSegments(obj.raw)
    if count > MAX_PATH_SEGMENTS:
        return []
    m = obj.get_matrix()
    px, py = ctypes.c_float(), ctypes.c_float()
    points: list[list[tuple[float, float]]] = []
    for i in range(count):
        seg = raw.FPDFPath_GetPathSegment(obj.raw, i)
        raw.FPDFPathSegment_GetPoint(seg, px, py)
        x = m.a * px.value + m.c * py.value + m.e
        y = m.b * px.value + m.d * py.value + m.f
        if raw.FPDFPathSegment_GetType(seg) == raw.FPDF_SEGMENT_MOVETO or not points:
            points.append([])
        points[-1].append((x, height - y))
        if raw.FPDFPathSegment_GetClose(seg) and points[-1]:
            points[-1].append(points[-1][0])
    out: list[Seg] = []
    for sub in points:
        xs = [p[0] for p in sub]
        ys = [p[1] for p in sub]
        if not sub:
            continue
        if max(xs) - min(xs) <= THIN or max(ys) - min(ys) <= THIN:
            # A thin filled rectangle (how Word draws borders) or a single stroke.
            out.append(_thin(min(xs), min(ys), max(xs), max(ys)))
        elif stroke.value:
            out.extend(_edges(sub))
    return out


def _thin(x0: float, top: float, x1: float, bottom: float) -> Seg:
    if x1 - x0 >= bottom - top:
        return Seg(True, (top + bottom) / 2, x0, x1)
    return Seg(False, (x0 + x1) / 2, top, bottom)


def _edges(points: list[tuple[float, float]]) -> list[Seg]:
    """The axis-aligned edges of a stroked polyline (diagonals and curves ignored)."""
    out: list[Seg] = []
    for (xa, ya), (xb, yb) in pairwise(points):
        if abs(ya - yb) < 0.5 and abs(xa - xb) > THIN:
            out.append(Seg(True, (ya + yb) / 2, min(xa, xb), max(xa, xb)))
        elif abs(xa - xb) < 0.5 and abs(ya - yb) > THIN:
            out.append(Seg(False, (xa + xb) / 2, min(ya, yb), max(ya, yb)))
    return out
