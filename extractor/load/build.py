"""Assemble a :class:`Document` line by line, for loaders that read structure
(HTML, PDF, Word) rather than text.

A table row is written as its distinct cells joined by tabs; a cell that spans
several grid slots is written once and every slot points at the same
:class:`Cell`. Each line and cell may carry a box
(page and position) so that evidence can point at the place (``Document.boxes``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from ..document import Box, Cell, Document, Line
from ..errors import InputError
from ..normalize import fold

#: Grid slots a table may expand to (rows x columns, spans counted): the report's
#: largest table has a few hundred; a hostile ``rowspan``/``gridSpan`` asks for millions.
MAX_GRID_SLOTS = 100_000


def check_grid(slots: int, source: str) -> None:
    """Refuse a table whose expanded grid would exceed :data:`MAX_GRID_SLOTS`."""
    if slots > MAX_GRID_SLOTS:
        raise InputError(f"a table expands to over {MAX_GRID_SLOTS} cells (row/column spans)", path=source)


class DocBuilder:
    """Accumulates text lines and table rows into one Document."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.lines: list[Line] = []
        self.pos = 0
        self.boxes: dict[int, Box] = {}
        self._placed: dict[Hashable, Cell] = {}
        self._table: int | None = None

    def text(self, text: str, page: int | None = None, box: Box | None = None, no: int | None = None) -> None:
        """One line of running text (folded; blank lines are kept out). ``no`` is
        its source line where the format has one (HTML); else lines are counted."""
        text = fold(text).strip()
        if not text:
            return
        if box is not None:
            self.boxes[self.pos] = box
        self._emit(text, page, no=no)

    def row(
        self,
        cells: Sequence[tuple[Hashable, str]],
        table: int,
        page: int | None = None,
        boxes: Mapping[Hashable, Box] | None = None,
        no: int | None = None,
    ) -> None:
        """One table row: ``(key, text)`` per grid slot; equal keys within a table are one cell."""
        if table != self._table:
            self._placed, self._table = {}, table
        texts: list[str] = []
        out: list[Cell] = []
        offset = self.pos
        for key, raw in cells:
            if key in self._placed:
                out.append(self._placed[key])
                continue
            if texts:
                offset += 1  # the tab before this cell
            text = fold(raw)
            cell = Cell(text, offset, offset + len(text))
            if boxes is not None and key in boxes:
                self.boxes[offset] = boxes[key]
            offset += len(text)
            texts.append(text)
            out.append(cell)
            self._placed[key] = cell
        self._emit("\t".join(texts), page, tuple(out), table, no)

    def _emit(
        self,
        text: str,
        page: int | None,
        cells: tuple[Cell, ...] | None = None,
        table: int | None = None,
        no: int | None = None,
    ) -> None:
        line_no = no or len(self.lines) + 1
        self.lines.append(Line(line_no, self.pos, self.pos + len(text), text, cells, table, page))
        self.parts.append(text + "\n")
        self.pos += len(text) + 1

    def document(self, source: str, fmt: str) -> Document:
        return Document(text="".join(self.parts), lines=self.lines, source=source, format=fmt, boxes=self.boxes)
