"""Find the template's numbered sections (二、三、四、五) in a Document.

Headings are searched with whitespace allowed between any two characters (in the
text with its whitespace squeezed out, see :class:`Squeezed`), so a heading printed
one character per line is found as easily as one on a single line. A
heading counts only where the table it announces follows it: a table of
contents or the introduction naming the sections is passed over.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate
from operator import add

from .. import cache
from ..document import Document
from ..errors import NotAReport
from ..record import record

_WORDS = cache.compile(r"\S+")


class Squeezed:
    """A text with its whitespace taken out, and where each kept character stood.

    Headings may be printed with whitespace between any two characters (one
    character per line), so they are searched in the squeezed text with plain
    patterns: a pattern that allowed whitespace between its atoms (``\\s*``
    after each) backtracks over long runs of spaces, cubically on hostile input.
    """

    def __init__(self, text: str) -> None:
        words = text.split()  # the runs _WORDS matches: both split at str.isspace characters
        self.text = "".join(words)
        self.length = len(text)
        #: per word: where it starts in the squeezed text and in the document (the
        #: whitespace before it added back); sums run in C, not per word in Python
        self._at: list[int] = list(accumulate(map(len, words), initial=0))[:-1]
        self._doc: list[int] = list(map(add, self._at, accumulate(map(len, _WORDS.split(text)))))

    def orig(self, i: int) -> int:
        """The document offset of squeezed offset ``i`` (a match end maps past the whitespace after it)."""
        if i >= len(self.text):
            return self.length
        k = bisect_right(self._at, i) - 1
        return self._doc[k] + i - self._at[k]

    def index(self, offset: int) -> int:
        """The squeezed offset of the first kept character at or after document ``offset``."""
        k = bisect_right(self._doc, offset) - 1
        if k < 0:
            return 0
        inside = offset - self._doc[k]
        width = (self._at[k + 1] if k + 1 < len(self._at) else len(self.text)) - self._at[k]
        return self._at[k] + min(inside, width)

    def finditer(self, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        """Document spans ``(start, end)`` of ``pattern``'s matches within document offsets ``[start, end)``."""
        stop = len(self.text) if end is None else self.index(end)
        for m in pattern.finditer(self.text, self.index(start), stop):
            yield self.orig(m.start()), self.orig(m.end())

    def search(self, pattern: re.Pattern[str], start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        return next(self.finditer(pattern, start, end), None)

    def occurs(self, pattern: re.Pattern[str]) -> Callable[[int, int], bool]:
        """A test whether ``pattern`` matches within document offsets ``[start, end)``,
        answered from one pass over the text (a page repeating a heading thousands of
        times asks once per heading)."""
        found = [(m.start(), m.end()) for m in pattern.finditer(self.text)]
        starts = [a for a, _ in found]

        def within(start: int, end: int) -> bool:
            i = bisect_left(starts, self.index(start))
            return i < len(found) and found[i][1] <= self.index(end)

        return within


_HEADINGS: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    # section: (heading, a cue that its table follows)
    "active": (
        cache.compile(r"(?:二[、.,，]?|\(二\))主动公开政府信息"),
        cache.compile(r"第二十条|信息内容|规章|行政许可"),
    ),
    "applications": (
        cache.compile(r"(?:三[、.,，]?|\(三\))收到和?处理政府信息公开申请"),
        cache.compile(r"申请人情况|自然人|本年新收"),
    ),
    # 四 and 五 allow words between the numeral and the key word, so they need
    # the numeral's separator: "四是依法做好行政复议…" in the narrative is no heading.
    "review_litigation": (
        cache.compile(r"(?:四[、.,，]|\(四\))[^。\d/]{0,16}?行政复议"),
        cache.compile(r"结果维持|结果纠正|尚未审结|直接起诉|复议后起诉"),
    ),
    "problems": (cache.compile(r"(?:五[、.,，]|\(五\))[^。\d]{0,20}?(?:问题|改进)"), None),
    "other_matters": (cache.compile(r"(?:六[、.,，]?|\(六\))其他需要报告"), None),
}
_OVERVIEW = cache.compile(r"一[、.,，]总体情况")
_FALLBACK = {
    "applications": cache.compile(r"\(?本列数据的?勾稽关系|申请人情况"),
    "review_litigation": cache.compile(r"行政复议行政诉讼|行政复议.{0,6}结果维持"),
}


@record
class Sections:
    """Document offsets ``[start, end)`` of each table section found."""

    spans: dict[str, tuple[int, int]]
    #: Sections whose heading, with its table after it, is printed more than once.
    repeated: tuple[str, ...] = ()
    #: Where a second report printed in the same file starts (its 一、总体情况 or,
    #: failing that, its first repeated table heading).
    second_report: int | None = None

    def get(self, name: str) -> tuple[int, int] | None:
        return self.spans.get(name)


def find_sections(doc: Document) -> Sections:
    """Locate sections 二, 三 and 四 (and where 五 starts, to end 四)."""
    text = doc.text
    squeezed = Squeezed(text)
    hits: list[tuple[int, int, str]] = []  # (start, end, name)
    for name, (heading, _) in _HEADINGS.items():
        hits.extend((s, e, name) for s, e in squeezed.finditer(heading))
    hits.sort()
    # Where the next heading of another section starts, for each hit (one pass from the end).
    other = [len(text)] * len(hits)
    for i in range(len(hits) - 2, -1, -1):
        other[i] = hits[i + 1][0] if hits[i + 1][2] != hits[i][2] else other[i + 1]
    cues = {name: squeezed.occurs(cue) for name, (_, cue) in _HEADINGS.items() if cue is not None}
    chosen: dict[str, tuple[int, int]] = {}
    repeated: set[str] = set()
    second: int | None = None
    for i, (s, e, name) in enumerate(hits):
        if name not in cues and not chosen:
            continue  # 五/六 end the tables; before any table it is a narrative point
        if name not in cues or cues[name](e, min(other[i], e + 8000)):
            if name in chosen:
                repeated.add(name)
                second = s if second is None else second
            else:
                chosen[name] = (s, e)
    for name, pattern in _FALLBACK.items():
        if name not in chosen:
            found = squeezed.search(pattern)
            if found:
                chosen[name] = (found[0], found[0])
    order = sorted((s, name) for name, (s, _) in chosen.items())
    spans: dict[str, tuple[int, int]] = {}
    for k, (_, name) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(text)
        spans[name] = (chosen[name][1], end)
    tables = {"active", "applications", "review_litigation"}
    if second is not None:
        first_tables = min(s for s, _ in chosen.values())
        overview = [s for s, _ in squeezed.finditer(_OVERVIEW, first_tables, second)]
        second = overview[-1] if overview else second
    return Sections(
        {k: v for k, v in spans.items() if k in tables}, tuple(sorted(repeated & tables)), second
    )


def require_sections(doc: Document) -> Sections:
    """:func:`find_sections`, or :class:`NotAReport` when none of the tables is there."""
    sections = find_sections(doc)
    if not sections.spans:
        raise NotAReport(
            "not a government information disclosure annual report: none of its tables "
            "(二、主动公开政府信息情况 / 三、收到和处理政府信息公开申请情况 / 四、行政复议、行政诉讼) was found",
            path=doc.source,
        )
    return sections
