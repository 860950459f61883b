"""Every labelled gold printed in the layouts real reports take (issue 16's
classes): long labels wrapped around their values with a vertical group label
between the lines, labels detached from their numbers, a value line above its
label, table 四 flat, table 二 as 第二十条 blocks, row and column names that
differ from the template's. Each must read exactly — or, where the report's own
arithmetic is broken and a reading by row order cannot be confirmed, leave the
cells blank with a warning: never a wrong number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, leaf_diff, load_gold
from variants import TEXT_LAYOUTS, text_dump

from extractor.load import load_bytes
from extractor.parse.parser import parse

GOLDS = sorted((FIXTURES / "gold").glob("*.json"))


def _complete(gold: dict[str, Any]) -> bool:
    return all(gold[k] is not None for k in ("active", "applications", "review_litigation"))


@pytest.mark.parametrize("layout", TEXT_LAYOUTS)
def test_every_gold_in_the_layout(layout: str) -> None:
    checked = 0
    for path in GOLDS:
        gold = load_gold(path)
        if not _complete(gold):
            continue
        p = parse(load_bytes(text_dump(gold, layout).encode("utf-8"), path.stem + ".txt"))
        wrong = leaf_diff(gold, p.report.to_canonical())
        checked += 1
        if not wrong:
            continue
        # Only a report whose own tables do not add up may keep cells blank.
        assert gold["findings"], (path.stem, wrong[:5])
        warned = {q for f in p.findings if f.rule.startswith("parse.") and f.severity == "warning" for q in f.paths}
        for leaf, want, got in wrong:
            assert got is None, (path.stem, leaf, want, got)
            row = leaf.rsplit(".", 1)[0]
            assert any(q.startswith(row + ".") or q == leaf for q in warned), (path.stem, leaf)
    assert checked >= 40


def test_reading_by_row_order_is_recorded_in_evidence_and_findings() -> None:
    gold = load_gold(FIXTURES / "gold" / "guangzhou-hrss-2020.json")
    p = parse(load_bytes(text_dump(gold, "detached").encode("utf-8"), "x.txt"))
    assert leaf_diff(gold, p.report.to_canonical()) == []
    (note,) = [f for f in p.findings if f.rule == "parse.order_reading"]
    assert "applications.granted.total" in note.paths
    assert "按模板行序" in (p.evidence["applications.granted.total"].row or "")


def test_reading_by_row_order_is_refused_when_the_arithmetic_fails() -> None:
    """A detached table whose rows fit the template's count: one misprinted cell
    is a report's own error (read, and reported by the verifier), but two cells
    off in different rows and columns is not a reading the arithmetic bears out."""
    gold = load_gold(FIXTURES / "gold" / "guangzhou-hrss-2020.json")
    rows = text_dump(gold, "detached").split("\n")
    granted = rows.index("15 0 0 0 0 0 15")
    one = [*rows[:granted], "15 0 0 0 0 1 15", *rows[granted + 1 :]]
    p = parse(load_bytes("\n".join(one).encode("utf-8"), "x.txt"))
    assert p.report.to_canonical()["applications"]["granted"]["other_org"] == 1
    forward = next(k for k in range(len(rows) - 1, 0, -1) if rows[k] == "4 0 0 0 0 0 4")
    two = [*one[:forward], "4 0 0 1 0 0 4", *one[forward + 1 :]]
    p = parse(load_bytes("\n".join(two).encode("utf-8"), "x.txt"))
    assert p.report.to_canonical()["applications"]["granted"]["natural_person"] is None
    assert "parse.order_rejected" in {f.rule for f in p.findings}


def test_misspelt_and_renamed_rows(tmp_path: Path) -> None:
    gold = load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")
    text = text_dump(gold, "misnamed")
    assert "规范性文件" in text and "行政规范性文件" not in text and "数据1" in text and "行政止公开" in text
    assert leaf_diff(gold, parse(load_bytes(text.encode("utf-8"), "x.txt")).report.to_canonical()) == []
