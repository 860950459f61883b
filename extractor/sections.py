"""Find the template's numbered sections (二、三、四、五) in a Document.

Headings are searched in the *compact* text (whitespace removed), so a heading
printed one character per line is found as easily as one on a single line. A
heading counts only where the table it announces follows it: a table of
contents or the introduction naming the sections is passed over.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .document import Document

_NONSPACE = re.compile(r"\S+")


@dataclass(slots=True)
class Compact:
    """The document text without whitespace, with a map back to offsets."""

    text: str
    _starts: list[int]  # compact index where each run starts
    _origins: list[int]  # document offset of that run

    @classmethod
    def of(cls, text: str) -> Compact:
        parts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        n = 0
        for m in _NONSPACE.finditer(text):
            starts.append(n)
            origins.append(m.start())
            parts.append(m.group())
            n += m.end() - m.start()
        return cls("".join(parts), starts, origins)

    def offset(self, i: int) -> int:
        """Document offset of compact index ``i``."""
        if not self._starts:
            return 0
        k = bisect.bisect_right(self._starts, i) - 1
        return self._origins[k] + (i - self._starts[k])


_HEADINGS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # section: (heading, a cue that its table follows)
    "active": (re.compile(r"二[、.,，]?主动公开政府信息"), re.compile(r"第二十条|信息内容|规章|行政许可")),
    "applications": (
        re.compile(r"三[、.,，]?收到和?处理政府信息公开申请"),
        re.compile(r"申请人情况|自然人|本年新收"),
    ),
    "review_litigation": (
        re.compile(r"四[、.,，]?[^。\d/]{0,16}?行政复议"),
        re.compile(r"维持|纠正|尚未审结|审结"),
    ),
    "problems": (re.compile(r"五[、.,，]?[^。\d]{0,20}?(?:问题|改进)"), re.compile(r"")),
    "other_matters": (re.compile(r"六[、.,，]?其他需要报告"), re.compile(r"")),
}
_FALLBACK = {
    "applications": re.compile(r"\(?本列数据的?勾稽关系|申请人情况"),
    "review_litigation": re.compile(r"行政复议行政诉讼|行政复议.{0,6}结果维持"),
}


@dataclass(frozen=True, slots=True)
class Sections:
    """Document offsets ``[start, end)`` of each table section found."""

    spans: dict[str, tuple[int, int]]

    def get(self, name: str) -> tuple[int, int] | None:
        return self.spans.get(name)


def find_sections(doc: Document, compact: Compact | None = None) -> Sections:
    """Locate sections 二, 三 and 四 (and where 五 starts, to end 四)."""
    c = compact or Compact.of(doc.text)
    hits: list[tuple[int, int, str]] = []  # (compact start, compact end, name)
    for name, (heading, _) in _HEADINGS.items():
        hits.extend((m.start(), m.end(), name) for m in heading.finditer(c.text))
    hits.sort()
    chosen: dict[str, tuple[int, int]] = {}
    for i, (s, e, name) in enumerate(hits):
        if name in chosen:
            continue
        nxt = next((h[0] for h in hits[i + 1 :] if h[2] != name), len(c.text))
        cue = _HEADINGS[name][1]
        if not cue.pattern or cue.search(c.text, e, min(nxt, e + 4000)):
            chosen[name] = (s, e)
    for name, pattern in _FALLBACK.items():
        if name not in chosen:
            m = pattern.search(c.text)
            if m:
                chosen[name] = (m.start(), m.start())
    order = sorted((s, name) for name, (s, _) in chosen.items())
    spans: dict[str, tuple[int, int]] = {}
    for k, (s, name) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(c.text)
        spans[name] = (c.offset(chosen[name][1]), c.offset(end) if end < len(c.text) else len(doc.text))
    return Sections({k: v for k, v in spans.items() if k in {"active", "applications", "review_litigation"}})
