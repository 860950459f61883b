"""Verifying files, as ``nianbao verify`` does: reports or their canonical JSON,
and one agency's consecutive years against each other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES
from verify_support import canonical, errors

from extractor.pipeline import check_file, check_files, extract
from extractor.resources import data_dir
from extractor.verify.files import load_canonical

REPORTS = FIXTURES / "reports"


def _write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_canonical_json_verifies_as_its_report(tmp_path: Path) -> None:
    source = REPORTS / "pingtan-gov-2023.html"
    path = _write(tmp_path / "pingtan.json", extract(source).to_json())
    from_json, from_report = load_canonical(path), check_file(source)
    assert from_json.name == "pingtan.json"
    assert from_json.report == from_report.report
    rules = {f.rule for f in from_report.findings if not f.rule.startswith("parse.")}
    assert {f.rule for f in from_json.findings} == rules


def test_stored_findings_are_recomputed_but_the_narratives_own_sums_are_kept(tmp_path: Path) -> None:
    data = canonical("dongguan-hrss-2023")
    textual = {
        "rule": "NARRATIVE-SUM",
        "severity": "error",
        "message": {"zh": "正文“1503条，其中…”总数 1503，所列各项合计 1502", "en": "…"},
        "quote": "1503条，其中…",
    }
    stale = {"rule": "T3-ROW", "severity": "error", "message": {"zh": "旧", "en": "old"}}
    # an entry of claims without paths (as older versions wrote breakdowns) names no cell
    old_breakdown = {"quote": "1503条，其中…", "paths": [], "value": 1503, "parts": [522], "rule": "NARRATIVE-SUM"}
    data |= {"findings": [textual, stale], "claims": [old_breakdown]}
    item = load_canonical(_write(tmp_path / "r.json", data))
    assert [(f.rule, f.quote) for f in item.findings] == [("NARRATIVE-SUM", "1503条，其中…")]


def test_consecutive_years_are_paired(tmp_path: Path) -> None:
    later = _write(tmp_path / "2023.json", canonical("dongguan-hrss-2023"))
    earlier = canonical("dongguan-hrss-2023", {"meta.year": 2022, "active.normative_documents.in_force": 56})
    earlier["applications"]["carried_forward"] |= {"natural_person": 3, "total": 3}
    items = check_files([later, _write(tmp_path / "2022.json", earlier)])
    assert [f.rule for f in errors(items[0].findings)] == ["X-CARRIED", "X-CARRIED"]
    assert "X-CARRIED" not in {f.rule for f in items[1].findings}  # raised on the later year


def test_data_directories_are_found() -> None:
    assert (data_dir("rules") / "claims.yaml").is_file()
    assert (data_dir("prompts") / "extract_tables.md").is_file()
