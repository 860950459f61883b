"""pdfium's C functions, called in bulk with plain integer handles and addresses.

A call through ``pypdfium2.raw`` converts each argument through its typed
pointer class and costs about a microsecond; a page has hundreds of
characters and objects, each needing a call or two. These are the same
functions, declared with untyped pointers (``c_void_p``), so a handle or an
address into one ctypes array passes as an int, and each is mapped over a
whole page at once: the results land in one buffer read back with a single
slice. Handles stay valid while their page (or text page) is open.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import repeat
from typing import Any

import pypdfium2.raw as raw  # type: ignore[import-untyped]

#: ``int`` is what ctypes gives back for a ``c_void_p`` result (``None`` for NULL).
Handle = int | None


def _plain(func: Any) -> Any:
    """``func`` declared with every pointer argument and result as ``c_void_p``."""

    def untyped(t: Any) -> Any:
        return ctypes.c_void_p if t is not None and issubclass(t, ctypes._Pointer) else t

    address = ctypes.cast(func, ctypes.c_void_p).value
    if address is None:
        raise ImportError(f"pdfium has no {func.__name__}")
    return ctypes.CFUNCTYPE(untyped(func.restype), *(untyped(t) for t in func.argtypes))(address)


_LOOSE_BOX = _plain(raw.FPDFText_GetLooseCharBox)
_CHAR_BOX = _plain(raw.FPDFText_GetCharBox)
_PAGE_COUNT = _plain(raw.FPDFPage_CountObjects)
_PAGE_OBJECT = _plain(raw.FPDFPage_GetObject)
_FORM_OBJECT = _plain(raw.FPDFFormObj_GetObject)
_FORM_COUNT = _plain(raw.FPDFFormObj_CountObjects)
_OBJECT_TYPE = _plain(raw.FPDFPageObj_GetType)
_MATRIX = _plain(raw.FPDFPageObj_GetMatrix)
_DRAW_MODE = _plain(raw.FPDFPath_GetDrawMode)
_SEGMENT_COUNT = _plain(raw.FPDFPath_CountSegments)
_SEGMENT = _plain(raw.FPDFPath_GetPathSegment)
_SEGMENT_POINT = _plain(raw.FPDFPathSegment_GetPoint)
_SEGMENT_TYPE = _plain(raw.FPDFPathSegment_GetType)
_SEGMENT_CLOSE = _plain(raw.FPDFPathSegment_GetClose)


def handle(obj: Any) -> Handle:
    """The address behind one of pypdfium2's typed handles."""
    value: Handle = ctypes.cast(obj, ctypes.c_void_p).value
    return value


def _run(calls: Iterator[Any]) -> None:
    """Make the calls of a lazy ``map`` (they write into a buffer)."""
    deque(calls, maxlen=0)


def _addresses(buf: ctypes.Array[Any], first: int, step: int, n: int) -> range:
    base = ctypes.addressof(buf) + first
    return range(base, base + step * n, step)


def loose_boxes(textpage: Handle, indices: Sequence[int]) -> list[float]:
    """``left, top, right, bottom`` of each character's loose box (pdfium's frame), flat."""
    n = len(indices)
    buf = (ctypes.c_float * (4 * n))()
    _run(map(_LOOSE_BOX, repeat(textpage, n), indices, _addresses(buf, 0, 16, n)))
    return buf[:]


def box_heights(textpage: Handle, indices: Sequence[int]) -> list[float]:
    """The height of each character's tight box (its glyph's outline)."""
    n = len(indices)
    buf = (ctypes.c_double * (4 * n))()
    boxes = (_addresses(buf, k * 8, 32, n) for k in range(4))
    _run(map(_CHAR_BOX, repeat(textpage, n), indices, *boxes))
    return [top - bottom for bottom, top in zip(buf[2::4], buf[3::4], strict=True)]


def objects(page: Handle, form: Handle) -> tuple[list[Handle], list[int]]:
    """The objects on ``page`` (or inside the form object ``form``) and their types."""
    if form is None:
        count = _PAGE_COUNT(page)
        found = list(map(_PAGE_OBJECT, repeat(page, count), range(count)))
    else:
        count = _FORM_COUNT(form)
        found = list(map(_FORM_OBJECT, repeat(form, count), range(count)))
    return found, list(map(_OBJECT_TYPE, found))


def matrix(obj: Handle) -> tuple[float, float, float, float, float, float] | None:
    """The object's matrix ``(a, b, c, d, e, f)``, or None if pdfium has none."""
    m = (ctypes.c_float * 6)()
    if not _MATRIX(obj, ctypes.addressof(m)):
        return None
    a, b, c, d, e, f = m
    return (a, b, c, d, e, f)


def stroked(path: Handle) -> bool:
    """Whether the path is stroked (pdfium's draw mode)."""
    modes = (ctypes.c_int * 2)()
    _DRAW_MODE(path, ctypes.addressof(modes), ctypes.addressof(modes) + 4)
    return bool(modes[1])


def segments(path: Handle) -> tuple[list[float], list[int], list[int]]:
    """A path's segment points ``x, y`` (flat), kinds and close flags."""
    n = _SEGMENT_COUNT(path)
    segs = list(map(_SEGMENT, repeat(path, n), range(n)))
    buf = (ctypes.c_float * (2 * n))()
    _run(map(_SEGMENT_POINT, segs, _addresses(buf, 0, 8, n), _addresses(buf, 4, 8, n)))
    return buf[:], list(map(_SEGMENT_TYPE, segs)), list(map(_SEGMENT_CLOSE, segs))
