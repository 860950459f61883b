"""Normalise decoded text so the parser sees one spelling of each character.

Folding is one character for one character (so every offset stays valid):
full-width digits, Latin letters and the ASCII-like punctuation the tables use
become ASCII; NBSP, the ideographic space and other odd spaces become a plain
space; a lone surrogate becomes U+FFFD. Chinese punctuation (，。、：；“”) is kept as printed.
"""

from __future__ import annotations

import re
from itertools import accumulate, count

from . import cache
from .document import Cell, Document, Line

_FOLD = {0xFF10 + i: ord("0") + i for i in range(10)}
_FOLD.update({0xFF21 + i: ord("A") + i for i in range(26)})
_FOLD.update({0xFF41 + i: ord("a") + i for i in range(26)})
_FOLD.update({ord(c): ord(a) for c, a in zip("＋－．％／（）｜＊", "+-.%/()|*", strict=True)})
_FOLD.update({c: 0x20 for c in (0x00A0, 0x3000, 0x2002, 0x2003, 0x2009, 0x200A, 0x202F, 0x205F, 0x1680)})
_FOLD.update({0x2212: ord("-"), 0xFE63: ord("-")})
# A lone surrogate (a PDF's broken ToUnicode map) cannot be written as UTF-8 anywhere.
_FOLD.update({c: 0xFFFD for c in range(0xD800, 0xE000)})


class Collapsed:
    """A pattern matched on text whose whitespace runs are collapsed to one space.

    For patterns whose only whitespace is ``\\s*`` (optional), a run of any
    length matches as one space does; collapsing it first keeps two ``\\s*``
    around an optional atom from backtracking quadratically over a long run.
    """

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = cache.compile(pattern, flags)

    def match(self, text: str) -> re.Match[str] | None:
        return self.pattern.match(" ".join(text.split()))

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(" ".join(text.split()))


#: A page number or page count a document prints in its margins: ``- 3 -``,
#: ``第 3 页 共 6 页``, ``3/6``, ``Page 3 of 6``. A bare ``3`` is one only by
#: position (a PDF's footer band, a form feed), which the callers judge.
PAGE_MARK = Collapsed(
    r"^\s*(?:[-—–]\s*\d{1,4}\s*[-—–]"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)\s*$",
    re.I,
)


def _class(codes: list[int]) -> str:
    """A character class of the code points ``codes``, consecutive ones as ranges."""
    runs: list[list[int]] = []
    for c in sorted(codes):
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs)


#: Runs of characters to fold: ``translate`` looks every character up in a dict,
#: most of a report's characters need no folding and the C regex engine skips them.
#: ``[…][…]*``, not ``[…]+``: a pattern that starts with a character class has the
#: engine scan for the class alone, where a repeat is tried at every position (4× the cost).
_FOLDABLE = cache.compile("[{0}][{0}]*".format(_class(list(_FOLD))))


def fold(text: str) -> str:
    """Fold full-width forms and odd spaces; the result has the same length."""
    if text.isascii():
        return text  # every character folded is beyond ASCII
    return _FOLDABLE.sub(lambda m: m.group().translate(_FOLD), text)


def clean_newlines(text: str) -> str:
    """CRLF and lone CR to LF, a leading BOM and zero-width characters dropped."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\u200b", "").replace("\ufeff", "")


_PIPE_SEPARATOR = Collapsed(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")


def _separators(lines: list[str]) -> set[int]:
    """Indexes of Markdown ``|---|---|`` lines (only a line holding ``---`` can be one)."""
    return {i for i, ln in enumerate(lines) if "---" in ln and "|" in ln and _PIPE_SEPARATOR.match(ln)}


def pipe_rows(lines: list[str], separators: set[int]) -> set[int]:
    """Indexes of Markdown table rows: a ``|---|---|`` separator (``separators``), the
    header above it and the piped lines below it (outer pipes optional, as GFM allows),
    plus any line that starts with a pipe and holds three or more."""
    rows = {i for i, ln in enumerate(lines) if ln.lstrip().startswith("|") and ln.count("|") >= 3}
    j = 0  # lines before j are in a block already: each line is walked once
    for i in sorted(separators):
        if i > 0 and "|" in lines[i - 1]:
            rows.add(i - 1)
        j = max(j, i)
        while j < len(lines) and "|" in lines[j]:
            rows.add(j)
            j += 1
    return rows


def split_cells(line: str, start: int, sep: str) -> tuple[Cell, ...]:
    """Cells of a tab-separated (``sep="\\t"``) or Markdown pipe row (not a separator)."""
    lead, tail = 0, len(line)
    if sep == "|":
        # Outer pipes are optional in Markdown; when printed they enclose no cell.
        if line.lstrip().startswith("|"):
            lead = line.index("|") + 1
        if line.rstrip().endswith("|") and line.rindex("|") >= lead:
            tail = line.rindex("|")
    cells: list[Cell] = []
    pos = lead
    for part in line[lead:tail].split(sep):
        left = len(part) - len(part.lstrip())
        text = part.strip()
        cells.append(Cell(text, start + pos + left, start + pos + left + len(text)))
        pos += len(part) + 1
    if sep == "\t":
        # Tab-separated text pads rows with trailing tabs that are not columns;
        # pipes mark every cell, so a Markdown row keeps its blank last cells.
        while cells and not cells[-1].text:
            cells.pop()
    return tuple(cells)


def text_document(text: str, *, source: str = "<text>", fmt: str = "txt") -> Document:
    """A :class:`Document` from decoded text: cleaned, folded, split into lines.

    Lines with tabs or Markdown pipes become table rows with cells.
    """
    return split_document(fold(clean_newlines(text)), source=source, fmt=fmt)


def split_document(text: str, *, source: str, fmt: str) -> Document:
    """A :class:`Document` from text cleaned and folded already (see :func:`text_document`).

    Every line is made at once; only the table rows (tab-separated or Markdown, a run
    of them one table) are then read one by one."""
    raws = text.split("\n")
    starts = list(accumulate([len(raw) + 1 for raw in raws], initial=0))
    lines = list(map(Line, count(1), starts, [s - 1 for s in starts[1:]], raws))
    separators = _separators(raws) if "|" in text else set()
    piped = pipe_rows(raws, separators) if "|" in text else set()
    tabbed = {i for i, raw in enumerate(raws) if "\t" in raw} if "\t" in text else set()
    table = -1
    for i in sorted(piped | tabbed):
        if i == 0 or lines[i - 1].table is None:
            table += 1
        cells = () if i in separators else split_cells(raws[i], starts[i], "|" if i in piped else "\t")
        lines[i] = Line(i + 1, starts[i], starts[i] + len(raws[i]), raws[i], cells or None, table)
    return Document(text=text, lines=lines, source=source, format=fmt)
