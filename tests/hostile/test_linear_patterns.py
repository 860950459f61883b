"""Every pattern over document text runs in linear time: long runs of whitespace,
digits and CJK around (and inside) every heading, title, date and page-mark
phrasing must not make the parse slower than a bound per KB of text."""

from __future__ import annotations

import contextlib
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.errors import NotAReport
from extractor.load import load_string
from extractor.parse.parser import parse
from extractor.verify.claims import read_narrative

#: The phrasings the parser's patterns look for (headings, cues, fallbacks, title,
#: dates, page marks, Markdown separators, narrative numbers).
PHRASES = [
    "二、主动公开政府信息情况",
    "(二)主动公开政府信息",
    "第二十条第(一)项 信息内容 规章 行政许可",
    "三、收到和处理政府信息公开申请情况",
    "申请人情况 自然人 本年新收",
    "(本列数据的勾稽关系为",
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议 结果维持 结果纠正 尚未审结 直接起诉",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
    "一、总体情况",
    "广州市人力资源和社会保障局2023年度政府信息公开工作年度报告",
    "发布时间：2024-03-08",
    "二〇二四年一月十九日",
    "2024年3月8日",
    "第 3 页 共 6 页",
    "- 3 -",
    "| --- | --- |",
    "主动公开政府信息 2117 条",
    "收到政府信息公开申请 7 件，予以公开 5 件",
    "一、本年新收政府信息公开申请数量 7 0 0 0 0 0 7",
]
FILLERS = [" ", "\u2005", "\n", "\t", "0", "9", "二", "年", "|", "-", "。", "报告"]


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """A phrase with runs of one filler inserted at some of its gaps, twice or thrice over."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        phrase = draw(st.sampled_from(PHRASES))
        filler = draw(st.sampled_from(FILLERS))
        cuts = draw(st.lists(st.integers(0, len(phrase)), min_size=1, max_size=3))
        run = draw(st.integers(500, 12_000))
        out = phrase
        for cut in sorted(set(cuts), reverse=True):
            out = out[:cut] + filler * (run // len(cuts)) + out[cut:]
        parts.append(out)
    return "\n".join(parts)


#: Seconds allowed per KB of text (the parse takes ~2 ms/KB; a quadratic pattern
#: over a 10 KB run takes seconds).
PER_KB = 0.05


def _parse(text: str) -> None:
    doc = load_string(text, "hostile.txt")
    try:
        parsed = parse(doc)
        read_narrative(doc, parsed.report, parsed.table_spans)
    except NotAReport:
        pass


_parse("\n".join(PHRASES))  # load the rule catalogue and compile the patterns before timing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_text())
def test_parse_time_is_linear(text: str) -> None:
    t0 = time.perf_counter()
    _parse(text)
    elapsed = time.perf_counter() - t0
    kb = len(text.encode("utf-8")) / 1024
    assert elapsed <= 0.3 + PER_KB * kb, f"{elapsed:.2f} s for {kb:.0f} KB"


def test_tag_patterns_of_the_text_table_reader_are_linear() -> None:
    """A text or Markdown file full of ``<table`` (or ``<``) with no ``>`` after it: each tag
    pattern gives up within a bounded tag length instead of scanning to the end each time."""
    from extractor.load import load_bytes

    for filler in ("<table ", "<tr ", "<"):
        run = filler * (600_000 // len(filler))
        text = f"二、主动公开政府信息情况\n{run}\n三、收到和处理政府信息公开申请情况\n"
        t0 = time.perf_counter()
        with contextlib.suppress(NotAReport):
            load_bytes(text.encode("utf-8"), "hostile.md")
        elapsed = time.perf_counter() - t0
        kb = len(text.encode("utf-8")) / 1024
        assert elapsed <= 0.3 + PER_KB * kb, f"{filler!r}: {elapsed:.2f} s for {kb:.0f} KB"
