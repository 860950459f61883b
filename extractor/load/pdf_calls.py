"""pdfium's C functions, called in bulk with plain integer handles and addresses.

A call through ``pypdfium2.raw`` converts each argument through its typed
pointer class and costs about a microsecond; a page has hundreds of
characters and objects, each needing a call or two. These are the same
functions called through cffi with every pointer declared ``intptr_t``, so a
handle or an address into one ctypes array passes as an int (a call costs
about 30% fewer instructions than through ctypes, and the GIL is kept), and
each is mapped over a whole page at once: the results land in one buffer
read back with a single slice. Handles stay valid while their page (or text
page) is open.

The FFI is ``_cffi_backend``'s own, the one cffi's out-of-line modules build
on: it reads these simple C types itself, so importing it costs under a
millisecond where cffi's full front end (its C parser) costs tens.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import chain, repeat
from typing import Any

import _cffi_backend  # type: ignore[import-untyped]
import pypdfium2.raw as raw  # type: ignore[import-untyped]

#: A pdfium handle as an address (``None`` or 0 for NULL).
Handle = int | None
#: An affine matrix ``(a, b, c, d, e, f)`` as PDF writes it.
Matrix = tuple[float, float, float, float, float, float]
#: A path's segments: points ``x, y`` (flat), kinds (``FPDF_SEGMENT_*``) and close flags.
Path = tuple[list[float], list[int], list[int]]


_FFI = _cffi_backend.FFI()
#: C names of the ctypes types pdfium's functions take and return (pointers aside).
_C_TYPES: dict[Any, str] = {
    None: "void", ctypes.c_int: "int", ctypes.c_ulong: "unsigned long",
    ctypes.c_float: "float", ctypes.c_double: "double",
}


def _plain(func: Any) -> Any:
    """``func`` callable through cffi, every pointer argument and result an ``intptr_t``."""

    def c_type(t: Any) -> str:
        return "intptr_t" if t is not None and issubclass(t, ctypes._Pointer) else _C_TYPES[t]

    address = ctypes.cast(func, ctypes.c_void_p).value
    if address is None:
        raise ImportError(f"pdfium has no {func.__name__}")
    return _FFI.cast(f"{c_type(func.restype)}(*)({', '.join(map(c_type, func.argtypes))})", address)


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
    buf = (ctypes.c_double * (2 * n + 2))()
    spare = ctypes.addressof(buf) + 16 * n  # left and right land here, unread
    bottoms, tops = _addresses(buf, 0, 16, n), _addresses(buf, 8, 16, n)
    _run(map(_CHAR_BOX, repeat(textpage, n), indices, repeat(spare, n), repeat(spare + 8, n), bottoms, tops))
    return [top - bottom for bottom, top in zip(buf[0 : 2 * n : 2], buf[1 : 2 * n : 2], strict=True)]


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
    values = iter(buf[:])
    sixes = zip(values, values, values, values, values, values, strict=True)  # consecutive sixes
    return [m if ok else None for m, ok in zip(sixes, found, strict=True)]


def stroked(paths: Sequence[Handle]) -> list[bool]:
    """Whether each path is stroked (pdfium's draw mode)."""
    n = len(paths)
    buf = (ctypes.c_int * (2 * n))()
    _run(map(_DRAW_MODE, paths, _addresses(buf, 0, 8, n), _addresses(buf, 4, 8, n)))
    return [bool(v) for v in buf[1::2]]


def segments(paths: Sequence[Handle]) -> list[Path]:
    """Each path's segments: points ``x, y`` (flat, the path's own frame), kinds, close flags."""
    counts = [max(n, 0) for n in map(_SEGMENT_COUNT, paths)]
    segs = list(map(_SEGMENT, chain.from_iterable(map(repeat, paths, counts)), chain.from_iterable(map(range, counts))))
    n = len(segs)
    buf = (ctypes.c_float * (2 * n))()
    _run(map(_SEGMENT_POINT, segs, _addresses(buf, 0, 8, n), _addresses(buf, 4, 8, n)))
    points, kinds, closes = buf[:], list(map(_SEGMENT_TYPE, segs)), list(map(_SEGMENT_CLOSE, segs))
    out: list[Path] = []
    at = 0
    for count in counts:
        out.append((points[2 * at : 2 * (at + count)], kinds[at : at + count], closes[at : at + count]))
        at += count
    return out
