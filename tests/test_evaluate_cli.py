"""``nianbao eval`` end to end: figures, gates and exit codes, the JSON and the HTML report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "eval" / "fixtures"
GATES = ["--min-accuracy", "100", "--min-claims", "100", "--max-false-alarms", "0"]


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, ["eval", *args])
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def mislabelled(tmp_path: Path) -> Path:
    """Two fixtures where gold is deliberately wrong in one cell of one of them."""
    for sub in ("reports", "gold"):
        (tmp_path / sub).mkdir()
    for name, ext in (("synthetic-2021-slash-cells", "txt"), ("synthetic-2019-rowspan", "html")):
        shutil.copy(FIXTURES / "reports" / f"{name}.{ext}", tmp_path / "reports")
        shutil.copy(FIXTURES / "gold" / f"{name}.json", tmp_path / "gold")
    gold_path = tmp_path / "gold" / "synthetic-2021-slash-cells.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["applications"]["granted"]["natural_person"] = 5  # the report prints 6
    gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_parser_passes_the_ci_gates_on_a_subset() -> None:
    code, out, err = invoke(str(FIXTURES), "--only", "synthetic-2021-[ao]*", "--mutate", "2", *GATES)
    assert code == 0, err
    assert "synthetic-2021-arithmetic-errors" in out and "synthetic-2021-other-single-row" in out
    assert "leaf accuracy: 100.00% (394/394)" in out and "findings recall: 100.00% (3/3)" in out
    assert "LLM usage: none" in out and "documents/s" in out


def test_a_mismatch_fails_the_gate_and_is_listed(mislabelled: Path) -> None:
    report = mislabelled / "eval-report.html"
    code, out, err = invoke(str(mislabelled), *GATES, "--report", str(report))
    assert code == 1
    assert "gate failed: leaf accuracy" in err and "claims" not in err.split("gate failed")[-1]
    assert "applications.granted.natural_person: gold 5 got 6" in out
    assert "applications.granted.natural_person" in out.split("rows that fail most")[1]
    page = report.read_text(encoding="utf-8")
    assert "<code>applications.granted.natural_person</code><td class=gold>5<td class=got>6" in page
    assert "<mark>6</mark>" in page


def test_json_output(mislabelled: Path) -> None:
    code, out, _ = invoke(str(mislabelled), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["backend"] == "parser" and data["total"]["docs"] == 2
    assert data["total"]["leaves"] - data["total"]["right"] == 1
    (mis,) = [m for r in data["reports"] for m in r["mismatches"]]
    assert mis["path"] == "applications.granted.natural_person" and (mis["gold"], mis["got"]) == (5, 6)
    assert mis["source"]["text"].startswith("(一)予以公开 6 ")


def test_markdown_report(mislabelled: Path) -> None:
    md = mislabelled / "r.md"
    invoke(str(mislabelled), "--report", str(md))
    assert "| `applications.granted.natural_person` | 5 | 6 | line " in md.read_text(encoding="utf-8")


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    code, _, err = invoke(str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "gold" in err
    code, _, err = invoke(str(FIXTURES), "--backend", "nope")
    assert code == 2 and "unknown backend 'nope'" in err
    (tmp_path / "gold").mkdir()
    code, _, err = invoke(str(tmp_path))
    assert code == 2 and "no labelled reports" in err
