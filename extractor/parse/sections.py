"""Find the template's numbered sections (二、三、四、五) in a Document.

Headings are searched with whitespace allowed between any two characters, so a
heading printed one character per line is found as easily as one on a single line. A
heading counts only where the table it announces follows it: a table of
contents or the introduction naming the sections is passed over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document
from ..errors import NotAReport

_ATOM = re.compile(r"\\.|\[(?:\\.|[^\]])*\]|\(\?:|[()|]|[^\\[()|]")
_QUANT = re.compile(r"(?:[?*+]|\{\d*,?\d*\})\??")


def loose(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` so that whitespace may stand between any two of its
    atoms: a heading printed one character per line still matches, and match
    offsets are offsets in the document text itself."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        atom = _ATOM.match(pattern, i)
        assert atom is not None, pattern
        i = atom.end()
        tok = atom.group()
        quant = _QUANT.match(pattern, i)
        if quant:
            tok += quant.group()
            i = quant.end()
        out.append(tok if tok in {"(", "(?:", "|"} else tok + r"\s*")
    return re.compile("".join(out))


_HEADINGS: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    # section: (heading, a cue that its table follows)
    "active": (loose(r"(?:二[、.,，]?|\(二\))主动公开政府信息"), loose(r"第二十条|信息内容|规章|行政许可")),
    "applications": (
        loose(r"(?:三[、.,，]?|\(三\))收到和?处理政府信息公开申请"),
        loose(r"申请人情况|自然人|本年新收"),
    ),
    # 四 and 五 allow words between the numeral and the key word, so they need
    # the numeral's separator: "四是依法做好行政复议…" in the narrative is no heading.
    "review_litigation": (
        loose(r"(?:四[、.,，]|\(四\))[^。\d/]{0,16}?行政复议"),
        loose(r"结果维持|结果纠正|尚未审结|直接起诉|复议后起诉"),
    ),
    "problems": (loose(r"(?:五[、.,，]|\(五\))[^。\d]{0,20}?(?:问题|改进)"), None),
    "other_matters": (loose(r"(?:六[、.,，]?|\(六\))其他需要报告"), None),
}
_OVERVIEW = loose(r"一[、.,，]总体情况")
_FALLBACK = {
    "applications": loose(r"\(?本列数据的?勾稽关系|申请人情况"),
    "review_litigation": loose(r"行政复议行政诉讼|行政复议.{0,6}结果维持"),
}


@dataclass(frozen=True, slots=True)
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
    hits: list[tuple[int, int, str]] = []  # (start, end, name)
    for name, (heading, _) in _HEADINGS.items():
        hits.extend((m.start(), m.end(), name) for m in heading.finditer(text))
    hits.sort()
    chosen: dict[str, tuple[int, int]] = {}
    repeated: set[str] = set()
    second: int | None = None
    for i, (s, e, name) in enumerate(hits):
        nxt = next((h[0] for h in hits[i + 1 :] if h[2] != name), len(text))
        cue = _HEADINGS[name][1]
        if cue is None and not chosen:
            continue  # 五/六 end the tables; before any table it is a narrative point
        if cue is None or cue.search(text, e, min(nxt, e + 8000)):
            if name in chosen:
                repeated.add(name)
                second = s if second is None else second
            else:
                chosen[name] = (s, e)
    for name, pattern in _FALLBACK.items():
        if name not in chosen:
            m = pattern.search(text)
            if m:
                chosen[name] = (m.start(), m.start())
    order = sorted((s, name) for name, (s, _) in chosen.items())
    spans: dict[str, tuple[int, int]] = {}
    for k, (_, name) in enumerate(order):
        end = order[k + 1][0] if k + 1 < len(order) else len(text)
        spans[name] = (chosen[name][1], end)
    tables = {"active", "applications", "review_litigation"}
    if second is not None:
        first_tables = min(s for s, _ in chosen.values())
        overview = [m.start() for m in _OVERVIEW.finditer(text, first_tables, second)]
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
