"""pdfium's C functions, called in bulk with plain integer handles and addresses.

A call through ctypes bindings converts each argument through its typed
pointer class and costs about a microsecond; a page has hundreds of
characters and objects, each needing a call or two. These functions are
declared with every pointer an ``intptr_t`` (:mod:`.pdf_library`), so a
handle or an address into one ctypes array passes as an int (a call costs
about 30% fewer instructions than through ctypes, and the GIL is kept), and
each is mapped over a whole page at once: the results land in one buffer
read back with a single slice. Handles stay valid while their page (or text
page) is open.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import chain, repeat
from typing import Any

from .pdf_library import pdfium

#: A pdfium handle as an address (``None`` or 0 for NULL).
Handle = int | None
#: An affine matrix ``(a, b, c, d, e, f)`` as PDF writes it.
Matrix = tuple[float, float, float, float, float, float]
#: A path's segments: points ``x, y`` (flat), kinds (``FPDF_SEGMENT_*``) and close flags.
Path = tuple[list[float], list[int], list[int]]

_LOOSE_BOX = pdfium.FPDFText_GetLooseCharBox
_CHAR_BOX = pdfium.FPDFText_GetCharBox
_PAGE_COUNT = pdfium.FPDFPage_CountObjects
_PAGE_OBJECT = pdfium.FPDFPage_GetObject
_FORM_OBJECT = pdfium.FPDFFormObj_GetObject
_FORM_COUNT = pdfium.FPDFFormObj_CountObjects
_OBJECT_TYPE = pdfium.FPDFPageObj_GetType
_MATRIX = pdfium.FPDFPageObj_GetMatrix
_DRAW_MODE = pdfium.FPDFPath_GetDrawMode
_SEGMENT_COUNT = pdfium.FPDFPath_CountSegments
_SEGMENT = pdfium.FPDFPath_GetPathSegment
_SEGMENT_POINT = pdfium.FPDFPathSegment_GetPoint
_SEGMENT_TYPE = pdfium.FPDFPathSegment_GetType
_SEGMENT_CLOSE = pdfium.FPDFPathSegment_GetClose


def _run(calls: Iterator[Any]) -> None:
    """Make the calls of a lazy ``map`` (they write into a buffer)."""
    deque(calls, maxlen=0)


def _addresses(buf: ctypes.Array[Any], first: int, step: int, n: int) -> range:
    base = ctypes.addressof(buf) + first
    return range(base, base + step * n, step)


def _values(buf: ctypes.Array[Any]) -> list[Any]:
    """The numbers in a ctypes array as a list: read through a memoryview, several
    times cheaper per item than slicing the array (which wraps each item in turn)."""
    return memoryview(buf).cast("B").cast(buf._type_._type_).tolist()


def codes(textpage: Handle) -> list[int]:
    """The code point of every character index, fetched in one call."""
    n = pdfium.FPDFText_CountChars(textpage)
    buf = (ctypes.c_ushort * (n + 1))()
    got = pdfium.FPDFText_GetText(textpage, 0, n, ctypes.addressof(buf))
    found: list[int] = _values(buf)[: max(got - 1, 0)]
    if len(found) != n:  # surrogate pairs shift the indices: ask char by char
        found = list(map(pdfium.FPDFText_GetUnicode, repeat(textpage, n), range(n)))
    return found


def loose_boxes(textpage: Handle, indices: Sequence[int]) -> list[float]:
    """``left, top, right, bottom`` of each character's loose box (pdfium's frame), flat."""
    n = len(indices)
    buf = (ctypes.c_float * (4 * n))()
    _run(map(_LOOSE_BOX, repeat(textpage, n), indices, _addresses(buf, 0, 16, n)))
    return _values(buf)


def box_heights(textpage: Handle, indices: Sequence[int]) -> list[float]:
    """The height of each character's tight box (its glyph's outline)."""
    n = len(indices)
    buf = (ctypes.c_double * (2 * n + 2))()
    spare = ctypes.addressof(buf) + 16 * n  # left and right land here, unread
    bottoms, tops = _addresses(buf, 0, 16, n), _addresses(buf, 8, 16, n)
    _run(map(_CHAR_BOX, repeat(textpage, n), indices, repeat(spare, n), repeat(spare + 8, n), bottoms, tops))
    values = _values(buf)
    return [top - bottom for bottom, top in zip(values[0 : 2 * n : 2], values[1 : 2 * n : 2], strict=True)]


def objects(page: Handle, form: Handle) -> tuple[list[Handle], list[int]]:
    """The objects on ``page`` (or inside the form object ``form``) and their types."""
    if form is None:
        count = _PAGE_COUNT(page)
        found = list(map(_PAGE_OBJECT, repeat(page, count), range(count)))
    else:
        count = _FORM_COUNT(form)
        found = list(map(_FORM_OBJECT, repeat(form, count), range(count)))
    return found, list(map(_OBJECT_TYPE, found))


def matrices(objs: Sequence[Handle]) -> list[Matrix | None]:
    """Each object's matrix ``(a, b, c, d, e, f)``, or None where pdfium has none."""
    n = len(objs)
    buf = (ctypes.c_float * (6 * n))()
    found = list(map(_MATRIX, objs, _addresses(buf, 0, 24, n)))
    values = iter(_values(buf))
    sixes = zip(values, values, values, values, values, values, strict=True)  # consecutive sixes
    return [m if ok else None for m, ok in zip(sixes, found, strict=True)]


def stroked(paths: Sequence[Handle]) -> list[bool]:
    """Whether each path is stroked (pdfium's draw mode)."""
    n = len(paths)
    buf = (ctypes.c_int * (2 * n))()
    _run(map(_DRAW_MODE, paths, _addresses(buf, 0, 8, n), _addresses(buf, 4, 8, n)))
    return [bool(v) for v in _values(buf)[1::2]]


def segments(paths: Sequence[Handle]) -> list[Path]:
    """Each path's segments: points ``x, y`` (flat, the path's own frame), kinds, close flags."""
    counts = [max(n, 0) for n in map(_SEGMENT_COUNT, paths)]
    segs = list(map(_SEGMENT, chain.from_iterable(map(repeat, paths, counts)), chain.from_iterable(map(range, counts))))
    n = len(segs)
    buf = (ctypes.c_float * (2 * n))()
    _run(map(_SEGMENT_POINT, segs, _addresses(buf, 0, 8, n), _addresses(buf, 4, 8, n)))
    points, kinds, closes = _values(buf), list(map(_SEGMENT_TYPE, segs)), list(map(_SEGMENT_CLOSE, segs))
    out: list[Path] = []
    at = 0
    for count in counts:
        out.append((points[2 * at : 2 * (at + count)], kinds[at : at + count], closes[at : at + count]))
        at += count
    return out
