"""``nianbao verify``: readable findings with source lines; exit 0 / 1 / 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES
from typer.testing import CliRunner
from verify_support import canonical

from extractor.cli import app

REPORTS = FIXTURES / "reports"
runner = CliRunner()


def _run(*args: str | Path) -> tuple[int, str]:
    res = runner.invoke(app, ["verify", *map(str, args)])
    return res.exit_code, res.output


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_consistent_report_exits_0() -> None:
    code, out = _run(REPORTS / "dongguan-hrss-2023.md")
    assert code == 0
    assert "dongguan-hrss-2023.md: 0 errors" in out


def test_errors_exit_1_and_show_where_they_stand() -> None:
    code, out = _run(REPORTS / "synthetic-2021-arithmetic-errors.txt")
    assert code == 1
    assert "ERROR   T3-ROW  line 34" in out
    assert "（一）予以公开·总计 为 23" in out
    assert "CLAIM.withheld" in out and "不予公开5件" in out


def test_errors_are_listed_before_warnings(tmp_path: Path) -> None:
    data = canonical("dongguan-hrss-2023", {"meta.published": "2023-06-01", "applications.granted.total": 57})
    code, out = _run(_write(tmp_path / "r.json", data))
    assert code == 1
    assert out.index("ERROR") < out.index("WARNING META-PUBLISHED")


def test_canonical_json_is_verified_afresh(tmp_path: Path) -> None:
    extracted = runner.invoke(app, ["extract", str(REPORTS / "pingtan-gov-2023.html"), "--format", "json"])
    data = json.loads(extracted.output)
    assert _run(_write(tmp_path / "ok.json", data))[0] == 0
    data["review_litigation"]["review"]["total"] = 3  # the narrative says 2, the parts add up to 2
    code, out = _run(_write(tmp_path / "bad.json", data))
    assert code == 1
    assert "T4-GROUP" in out and "CLAIM.review_total" in out


def test_consecutive_years_are_checked_against_each_other(tmp_path: Path) -> None:
    later = _write(tmp_path / "2023.json", canonical("dongguan-hrss-2023"))
    earlier = canonical("dongguan-hrss-2023", {"meta.year": 2022, "active.normative_documents.in_force": 56})
    assert _run(later, _write(tmp_path / "2022.json", earlier))[0] == 0
    earlier["applications"]["carried_forward"]["natural_person"] = 3
    earlier["applications"]["carried_forward"]["total"] = 3
    code, out = _run(later, _write(tmp_path / "2022.json", earlier))
    assert code == 1
    assert out.count("X-CARRIED") == 2


def test_not_assessable_relations_are_counted_and_shown_on_request(tmp_path: Path) -> None:
    path = _write(tmp_path / "r.json", canonical("dongguan-hrss-2023", {"applications.granted.commercial": None}))
    code, out = _run(path)
    assert code == 0
    assert "0 errors, 0 warnings, 2 info" in out and "INFO" not in out
    res = runner.invoke(app, ["verify", str(path), "--info"])
    assert res.output.count("INFO") == 2


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    wrong = _write(tmp_path / "wrong.json", canonical("dongguan-hrss-2023", {"applications.granted.total": "many"}))
    for path in (tmp_path / "missing.txt", tmp_path / "broken.json", wrong):
        code, out = _run(path)
        assert code == 2, out
        assert out.strip().count("\n") == 0 and path.name in out


def test_json_that_is_not_a_report_is_bad_input(tmp_path: Path) -> None:
    stray = tmp_path / "settings.json"
    stray.write_text('{"a": 1}', encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(stray)])
    assert result.exit_code == 2
    assert "settings.json" in result.output and "not canonical JSON" in result.output
