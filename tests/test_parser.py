"""The parser reads every labelled text fixture, and every variant of it, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import blanks_only, labelled, leaf_diff, load_gold
from variants import crlf_fullwidth, html_page, inject_page_break, markdown

from extractor.load import load, load_bytes
from extractor.load.text import decode
from extractor.parse.parser import parse
from extractor.parse.sections import find_sections

TEXT = labelled(".txt", ".md", ".html", ".htm")
IDS = [r.name for r, _ in TEXT]


def _text(report: Path) -> str:
    """The report's text whatever its encoding (one fixture is GBK)."""
    return decode(report.read_bytes(), report.name)


def _check(doc_source: Path | bytes, gold_path: Path, name: str = "") -> None:
    doc = load(doc_source) if isinstance(doc_source, Path) else load_bytes(doc_source, name)
    got = parse(doc).report.to_canonical()
    assert leaf_diff(load_gold(gold_path), got) == []


@pytest.mark.parametrize(("report", "gold"), TEXT, ids=IDS)
def test_fixture_equals_gold(report: Path, gold: Path) -> None:
    _check(report, gold)


@pytest.mark.parametrize(("report", "gold"), TEXT, ids=IDS)
def test_gbk_encoded(report: Path, gold: Path) -> None:
    text = _text(report)
    if report.suffix.startswith(".htm"):
        text = text.replace('charset="utf-8"', 'charset="gbk"').replace("charset=utf-8", "charset=gbk")
    _check(text.encode("gb18030"), gold, report.name)


@pytest.mark.parametrize(("report", "gold"), [p for p in TEXT if p[0].suffix in {".txt", ".md"}],
                         ids=[r.name for r, _ in TEXT if r.suffix in {".txt", ".md"}])
def test_crlf_fullwidth_digits(report: Path, gold: Path) -> None:
    _check(crlf_fullwidth(_text(report)).encode("utf-8"), gold, report.name)


@pytest.mark.parametrize(("report", "gold"), [p for p in TEXT if p[0].suffix == ".txt"],
                         ids=[r.name for r, _ in TEXT if r.suffix == ".txt"])
def test_page_break_header_anywhere_in_table_three(report: Path, gold: Path) -> None:
    text = _text(report)
    doc = load(report)
    start, end = find_sections(doc).spans["applications"]
    first = doc.text.count("\n", 0, start) + 2
    last = doc.text.count("\n", 0, end) - 1
    for after in range(first, last, 3):
        variant = inject_page_break(text, after)
        got = parse(load_bytes(variant.encode("utf-8"), report.name)).report.to_canonical()
        diff = leaf_diff(load_gold(gold), got)
        if diff:
            blanks_only(report.name, diff)
            raise AssertionError(f"page break after line {after}: {diff[:3]}")


@pytest.mark.parametrize("gold", sorted({g for _, g in labelled(".txt", ".md", ".html", ".pdf")}), ids=lambda p: p.stem)
@pytest.mark.parametrize("render", [markdown, html_page], ids=["markdown", "html"])
def test_gold_rendered_as_tables(gold: Path, render) -> None:  # type: ignore[no-untyped-def]
    data = load_gold(gold)
    if data["active"] is None or data["applications"] is None or data["review_litigation"] is None:
        pytest.skip("renderer draws complete reports only")
    suffix = ".md" if render is markdown else ".html"
    got = parse(load_bytes(render(data).encode("utf-8"), gold.stem + suffix)).report.to_canonical()
    assert leaf_diff(data, got) == []
