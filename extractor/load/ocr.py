"""Read scanned pages and pictures of reports by OCR, offline (the ``ocr`` extra).

A page image (a PDF page without a usable text layer, rendered with pypdfium2,
or a ``.png``/``.jpg``/``.tif`` file) is straightened, turned upright, and
recognised (:mod:`.ocr_engine`). What it says becomes the same page model the
PDF reader builds from a text layer: characters with boxes in lines, and the
table rules found in the image (:mod:`.ocr_image`). From there the PDF
reader's own assembly makes the Document, so grids, blank cells placed by
position, page chrome and tables across pages work for scans as for PDFs.

OCR never guesses a number. A run that mixes digits with letters OCR confuses
with them (``1O``, ``l5``, ``S0``), a lone ``O``/``l`` where a number would
stand, or digits read with a low score, is left out (the cell stays blank) and
listed in :attr:`Document.unread`; every line and cell keeps its lowest score
in :attr:`Document.confidence`, which evidence carries.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from typing import Any

from ..document import Box, Document
from ..errors import InputError, ScannedDocument, UnsupportedFormat
from ..record import field, record
from . import isolate
from .ocr_engine import TextBox, installed, recognise
from .pdf_model import Char, PageLayout

#: Install hint for scans when the extra is missing.
NEEDS_EXTRA = "reading scans needs the OCR extra: pip install 'nianbao[ocr]'"
#: Digits read with a lower score than this are left blank (and listed as unread).
UNREAD_BELOW = 0.6
#: The score of an upright page's text; below it the page may be upside down.
UPRIGHT_SCORE = 0.85
#: Scanned pages read per document at most.
MAX_PAGES = 200
#: Largest picture accepted (pixels), against decompression bombs.
MAX_PIXELS = 60_000_000
#: Resolution scanned PDF pages are rendered at.
RENDER_DPI = 200
#: Runs of letters and digits inside a text line (numbers, and what OCR mistakes for them).
_RUN = re.compile(r"[0-9A-Za-z|.,]+")
#: Letters OCR reads for digits: O/o/D/Q for 0, l/I/| for 1, S/s for 5, B for 8, Z/z for 2, g/q for 9.
_LOOKALIKE = frozenset("OoDQlI|SsBZzgq")


@record(frozen=False)
class Scans:
    """Pages read by OCR, with every character's score and what was left unread."""

    pages: list[PageLayout] = field(default_factory=list)
    scores: dict[int, list[tuple[float, float, float]]] = field(default_factory=dict)
    unread: list[tuple[Box, str, float]] = field(default_factory=list)

    def annotate(self, doc: Document) -> None:
        """Give the document's lines and cells on these pages their lowest character score."""
        for offset, (page, x0, top, x1, bottom) in doc.boxes.items():
            scores = self.scores.get(page, ())
            inside = [s for x, y, s in scores if x0 - 0.5 <= x <= x1 + 0.5 and top - 0.5 <= y <= bottom + 0.5]
            if inside:
                doc.confidence[offset] = round(min(inside), 4)
        doc.unread.extend(self.unread)


def check_available(source: str, *, ocr: bool, what: str) -> None:
    """Raise the one-line error for a scan that will not be read: OCR off, or not installed."""
    if not ocr:
        raise ScannedDocument(f"{what}; OCR is off (--no-ocr)", path=source)
    if not installed():
        raise UnsupportedFormat(f"{what}; {NEEDS_EXTRA}", path=source)


def load_image(data: bytes, source: str, *, ocr: bool = True, timeout: float | None = None) -> Document:
    """A Document from a picture of a report (PNG, JPEG, TIFF; every TIFF frame a page)."""
    check_available(source, ocr=ocr, what="an image has no text layer")
    return isolate.run(read_image, data, source, source=source, timeout=timeout)


def read_image(data: bytes, source: str) -> Document:
    """The image loader proper (runs inside the worker)."""
    from .pdf import layout_document

    scans = Scans()
    frames = list(_frames(data, source))
    for number, (rgb, dpi) in enumerate(frames, 1):
        _read_page(scans, rgb, number, dpi / 72, f"{number}/{len(frames)}")
    if not any(ln for p in scans.pages for ln in p.lines):
        raise InputError("no text found in the image (blank, or not a page of a report)", path=source)
    doc = layout_document(scans.pages, source, "image")
    scans.annotate(doc)
    doc.extra["ocr"] = f"{len(frames)} page(s)"
    return doc


def _frames(data: bytes, source: str) -> Iterator[tuple[Any, float]]:
    """Each page of a picture as RGB pixels with its resolution (dpi; guessed from an A4 page when unset)."""
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(io.BytesIO(data))
        for n, frame in enumerate(ImageSequence.Iterator(img)):
            if n >= MAX_PAGES:
                break
            rgb = np.asarray(frame.convert("RGB"))
            dpi = frame.info.get("dpi", (0, 0))[0] or 0
            if not 50 <= dpi <= 1200:
                dpi = max(rgb.shape[:2]) / 11.69  # the long side of an A4 page
            yield rgb, float(dpi)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as e:
        raise InputError(f"cannot read the image: {e}", path=source) from e


def read_scans(data: bytes, numbers: list[int], source: str) -> Scans:
    """The given pages of a PDF, rendered (pypdfium2, imported only here: a text PDF's reader
    calls pdfium without it) and recognised."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    if len(numbers) > MAX_PAGES:
        raise InputError(f"too many scanned pages ({len(numbers)}; OCR reads at most {MAX_PAGES})", path=source)
    scans = Scans()
    scale = RENDER_DPI / 72
    pdf = pdfium.PdfDocument(data)
    try:
        for k, number in enumerate(numbers, 1):
            page = pdf[number - 1]
            try:
                rgb = page.render(scale=scale, rev_byteorder=True).to_numpy()[:, :, :3]
            finally:
                page.close()
            _read_page(scans, rgb, number, scale, f"{k}/{len(numbers)}")
    finally:
        pdf.close()
    return scans


def _read_page(scans: Scans, rgb: Any, number: int, scale: float, label: str) -> None:
    from .ocr_image import rules

    t0 = time.perf_counter()
    rgb, boxes = _upright(rgb)
    height = _text_height(boxes)
    h, w = rgb.shape[:2]
    lines, scores, unread = _lines(boxes, scale, number)
    scans.pages.append(PageLayout(number, w / scale, h / scale, lines, rules(rgb, height, scale), 1))
    scans.scores[number] = scores
    scans.unread.extend(unread)
    isolate.progress(f"OCR page {label}: {time.perf_counter() - t0:.1f} s")


def _upright(rgb: Any) -> tuple[Any, list[TextBox]]:
    """The page straightened (:func:`.ocr_image.skew`) and turned so its text reads
    left to right, and its text.

    A page whose text boxes stand upright (taller than wide) lies on its side:
    both quarter turns are read and the better-scored kept; a level page read
    with a poor score is also read upside down.
    """
    from .ocr_image import quarter_turns, rotate, skew

    angle = skew(rgb)
    if abs(angle) >= 0.1:
        rgb = rotate(rgb, angle)
    boxes = recognise(rgb)
    if not boxes:
        return rgb, boxes  # a blank page reads as blank whichever way up
    if _sideways(boxes):
        tries = [quarter_turns(rgb, k) for k in (1, 3)]
    elif _mean_score(boxes) < UPRIGHT_SCORE:
        tries = [rgb, quarter_turns(rgb, 2)]
    else:
        tries = [rgb]
    if len(tries) > 1:
        read = [(img, recognise(img)) for img in tries]
        rgb, boxes = max(read, key=lambda r: _mean_score(r[1]) * min(1.0, len(r[1]) / max(1, len(boxes))))
        angle = skew(rgb)  # a page on its side was measured across its lines
        if abs(angle) >= 0.1:
            rgb = rotate(rgb, angle)
            boxes = recognise(rgb)
    return rgb, boxes


def _sideways(boxes: list[TextBox]) -> bool:
    long = [b for b in boxes if len(b.text) >= 3]
    tall = sum(1 for b in long if b.bottom - b.top > 1.5 * (b.x1 - b.x0))
    return bool(long) and tall * 2 > len(long)


def _mean_score(boxes: list[TextBox]) -> float:
    weight = sum(len(b.text) for b in boxes)
    return sum(b.score * len(b.text) for b in boxes) / weight if weight else 0.0


def _text_height(boxes: list[TextBox]) -> float:
    """The usual height of a line of text (pixels): the median over boxes of two or more characters."""
    heights = sorted(b.bottom - b.top for b in boxes if len(b.text) >= 2)
    return heights[len(heights) // 2] if heights else 30.0


def _glyph_chars(box: TextBox, scale: float) -> list[tuple[Char, float]]:
    """The box's characters with their scores, in points; a glyph of several
    characters (a word) shares its width among them."""
    top, bottom = box.top / scale, box.bottom / scale
    glyphs = box.glyphs or ()
    if not glyphs or sum(len(g.text) for g in glyphs) != len(box.text.replace(" ", "")):
        from .ocr_engine import Glyph

        text = box.text.replace(" ", "")
        step = (box.x1 - box.x0) / max(1, len(text))
        glyphs = tuple(Glyph(ch, box.score, box.x0 + i * step, box.x0 + (i + 1) * step) for i, ch in enumerate(text))
    out: list[tuple[Char, float]] = []
    for g in glyphs:
        step = (g.x1 - g.x0) / len(g.text)
        for i, ch in enumerate(g.text):
            out.append((Char(ch, (g.x0 + i * step) / scale, top, (g.x0 + (i + 1) * step) / scale, bottom), g.score))
    return out


def _spaced(chars: list[tuple[Char, float]]) -> list[list[tuple[Char, float]]]:
    """Characters split into words where the gap between two is wider than half the text
    height (values a table prints apart but OCR boxed together), except between two
    Chinese characters (a title printed with wide tracking is one line of text)."""
    words: list[list[tuple[Char, float]]] = []
    for ch, s in chars:
        last = words[-1][-1][0] if words else None
        near = last is not None and ch.x0 - last.x1 <= 0.5 * (ch.bottom - ch.top)
        if last is not None and (near or (_han(last.text) and _han(ch.text))):
            words[-1].append((ch, s))
        else:
            words.append([(ch, s)])
    return words


def _han(text: str) -> bool:
    return "\u3400" <= text <= "\u9fff"


def _unreadable(run: str, scores: list[float]) -> bool:
    """A run of letters and digits that cannot be taken as the number it may be."""
    digits = any(c.isdigit() for c in run)
    letters = [c for c in run if c.isalpha() or c == "|"]
    if any(c not in _LOOKALIKE for c in letters):
        return False  # a word, an address, a code (163.com, 5G): not a misread number
    if digits and letters:
        return True  # 1O, l5, S0, 2O24: never turned into a number either way
    if letters:
        return len(run) <= 2 and all(c in _LOOKALIKE for c in letters)  # a lone O or l where a value stands
    return digits and min(scores) < UNREAD_BELOW


def _screen(word: list[tuple[Char, float]], page: int) -> tuple[list[tuple[Char, float]], list[tuple[Box, str, float]]]:
    """The word without its unreadable runs of letters and digits, and those runs."""
    text = "".join(c.text for c, _ in word)
    drop: set[int] = set()
    unread: list[tuple[Box, str, float]] = []
    for m in _RUN.finditer(text):
        part = word[m.start() : m.end()]
        scores = [s for _, s in part]
        if _unreadable(m.group(), scores):
            drop.update(range(m.start(), m.end()))
            box = (page, part[0][0].x0, part[0][0].top, part[-1][0].x1, part[0][0].bottom)
            unread.append((box, m.group(), round(min(scores), 4)))
    return [cs for i, cs in enumerate(word) if i not in drop], unread


def _lines(
    boxes: list[TextBox], scale: float, page: int
) -> tuple[list[list[Char]], list[tuple[float, float, float]], list[tuple[Box, str, float]]]:
    """Text boxes grouped into lines (boxes that share most of their height), left to
    right, one space between words; the score at each character's centre; what was unread."""
    rows: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        mid = (b.top + b.bottom) / 2
        if rows and rows[-1][0].top <= mid <= rows[-1][0].bottom and b.top < rows[-1][0].bottom:
            rows[-1].append(b)
        else:
            rows.append([b])
    lines: list[list[Char]] = []
    scores: list[tuple[float, float, float]] = []
    unread: list[tuple[Box, str, float]] = []
    for row in rows:
        line: list[Char] = []
        for b in sorted(row, key=lambda b: b.x0):
            for word in _spaced(_glyph_chars(b, scale)):
                kept, lost = _screen(word, page)
                unread.extend(lost)
                if not kept:
                    continue
                if line:
                    last = line[-1]
                    line.append(Char(" ", last.x1, last.top, last.x1, last.bottom))
                line.extend(c for c, _ in kept)
                scores.extend(((c.x0 + c.x1) / 2, (c.top + c.bottom) / 2, s) for c, s in kept)
        if line:
            lines.append(line)
    return lines, scores, unread
