"""The loaded, normalised document that every extraction backend reads.

Loaders know file formats, not reports: they turn a file into a
:class:`Document` — its text, split into lines, where a line that is a table
row also knows its cells. Every :class:`Cell` and :class:`Line` keeps its
character offsets into :attr:`Document.text`, so any value read from it can be
traced back to where it stands.
"""

from __future__ import annotations

import bisect

from .record import field, record


@record
class Cell:
    """One table cell: its text and where that text stands in ``Document.text``."""

    text: str
    start: int
    end: int


@record
class Line:
    """One line of the document.

    ``no`` is the 1-based line number in the source file (for HTML the source
    line of the element, for PDF the line within the extracted text layer).
    ``cells`` is set when the loader knows the line is a table row (HTML, DOCX,
    tab-separated or pipe tables, PDF table structure); ``table`` numbers the
    table it belongs to. Plain text lines have ``cells=None`` and the parser
    splits them on whitespace.
    """

    no: int
    start: int
    end: int
    text: str
    cells: tuple[Cell, ...] | None = None
    table: int | None = None
    page: int | None = None


#: ``(page, x0, top, x1, bottom)``: page 1-based, points from the page's top-left corner.
Box = tuple[int, float, float, float, float]


@record(frozen=False)
class Document:
    """Normalised text plus its lines; ``source`` names the file it came from.

    ``boxes`` maps the start offset of a line or cell to where it is printed on
    its page, for formats that have pages (PDF). For text read by OCR,
    ``confidence`` maps the same offsets to the lowest recognition score of
    their characters (0–1), and ``unread`` lists what was left out because it
    could not be read as a number for sure: where, what OCR made of it, its score.
    """

    text: str
    lines: list[Line]
    source: str = "<text>"
    format: str = "txt"
    title: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    boxes: dict[int, Box] = field(default_factory=dict)
    confidence: dict[int, float] = field(default_factory=dict)
    unread: list[tuple[Box, str, float]] = field(default_factory=list)

    def lines_in(self, start: int, end: int) -> list[Line]:
        """The lines that overlap ``[start, end)`` (binary search, in order)."""
        lo = bisect.bisect_left(self.lines, start, key=lambda ln: ln.end)
        hi = bisect.bisect_left(self.lines, end, key=lambda ln: ln.start)
        return self.lines[lo:hi]

    def line_at(self, offset: int) -> Line | None:
        """The line containing character ``offset`` (binary search)."""
        lo, hi = 0, len(self.lines) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            ln = self.lines[mid]
            if offset < ln.start:
                hi = mid - 1
            elif offset > ln.end:
                lo = mid + 1
            else:
                return ln
        return None
