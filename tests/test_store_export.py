"""``nianbao export``: every format read back with the analyst's own tools (pandas,
openpyxl, pyarrow) equals the hand labels, findings included; corrections show as
their own columns beside the printed value; filters select."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import FIXTURES, load_gold
from openpyxl import load_workbook
from store_support import text_reports
from typer.testing import CliRunner

from extractor.cli import app
from extractor.report import flatten
from extractor.store.api import Store
from extractor.store.batch import Batch
from extractor.store.export import LEAF_COLUMNS, REPORT_COLUMNS, Filter, findings_path
from extractor.store.export import export as run_export
from extractor.store.formats import Format


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding every text fixture."""
    db = tmp_path_factory.mktemp("export") / "corpus.db"
    store = Store.open(str(db))
    summary = Batch(store, jobs=1).run([str(p) for p in text_reports()])
    assert summary.done == len(text_reports())
    store.close()
    return db


def read_back(fmt: Format, out: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The reports and findings tables as an analyst would load them."""
    if fmt is Format.csv:
        return ([r for r in pd.read_csv(out).to_dict("records")],
                [r for r in pd.read_csv(findings_path(out)).to_dict("records")])
    if fmt is Format.jsonl:
        def lines(p: Path) -> list[dict[str, Any]]:
            return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
        return lines(out), lines(findings_path(out))
    if fmt is Format.parquet:
        return pq.read_table(out).to_pylist(), pq.read_table(findings_path(out)).to_pylist()
    book = load_workbook(out)
    tables = []
    for name in ("reports", "findings"):
        header, *rows = list(book[name].iter_rows(values_only=True))
        tables.append([dict(zip(header, r, strict=True)) for r in rows])
    return tables[0], tables[1]


def blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


@pytest.mark.parametrize("fmt", list(Format))
def test_export_round_trips_to_the_gold(corpus: Path, tmp_path: Path, fmt: Format) -> None:
    store = Store.open(str(corpus))
    out = tmp_path / f"corpus.{fmt}"
    counts = run_export(store, fmt, out, Filter())
    reports, found = read_back(fmt, out)
    assert counts["reports"] == len(reports) == len(text_reports())
    assert list(reports[0])[: len(REPORT_COLUMNS) + len(LEAF_COLUMNS)] == [*REPORT_COLUMNS, *LEAF_COLUMNS]
    for row in reports:
        gold = load_gold(FIXTURES / "gold" / f"{Path(row['path']).stem}.json")
        assert row["agency"] == gold["meta"]["agency"] and int(row["year"]) == gold["meta"]["year"]
        leaves = flatten(gold)
        for column in LEAF_COLUMNS:
            want, got = leaves.get(column), row[column]
            assert (want is None) == blank(got), (row["path"], column, want, got)
            if want is not None:
                assert float(got) == want, (row["path"], column, want, got)
                if fmt in (Format.parquet, Format.jsonl) and not column.endswith("amount_10k_yuan"):
                    assert isinstance(got, int), (row["path"], column)  # counts stay integers
    errors_by_report: dict[int, int] = {}
    for f in found:
        if f["severity"] == "error":
            errors_by_report[int(f["report_id"])] = errors_by_report.get(int(f["report_id"]), 0) + 1
    assert counts["findings"] == len(found) == len(store.list_findings())
    assert errors_by_report == {int(r["report_id"]): int(r["errors"]) for r in reports if int(r["errors"])}
    store.close()


def test_a_correction_gets_its_own_columns_and_the_printed_value_stays(store_url: str) -> None:
    store = Store.open(store_url)
    Batch(store, jobs=1).run([str(FIXTURES / "reports" / n) for n in
                              ("synthetic-2021-arithmetic-errors.txt", "dongguan-hrss-2023.md")])
    finding = store.list_findings(severity="error")[0]
    cell = finding.paths[0]
    store.record_review(finding.id, "correct", "王芳", based_on_revision=0, path=cell, corrected_value=22)

    buf = io.StringIO()
    run_export(store, Format.csv, None, Filter(), stdout=buf)
    rows = pd.read_csv(io.StringIO(buf.getvalue())).to_dict("records")
    fixed = next(r for r in rows if r["report_id"] == finding.report_id)
    other = next(r for r in rows if r["report_id"] != finding.report_id)
    printed = flatten(store.get_report(finding.report_id).report)[cell]
    assert fixed[cell] == printed != 22
    assert [fixed[f"{cell}:{k}"] for k in ("corrected", "source", "corrected_by")] == [22, "corrected", "王芳"]
    assert other[f"{cell}:source"] == "printed" and blank(other[f"{cell}:corrected"])

    buf = io.StringIO()
    run_export(store, Format.csv, None, Filter(status="corrected"), findings_only=True, stdout=buf)
    [row] = pd.read_csv(io.StringIO(buf.getvalue())).to_dict("records")
    assert (row["finding_id"], row["reviewed_by"], row["corrected_path"], row["corrected_value"]) == (
        finding.id, "王芳", cell, 22)
    store.close()


def test_several_corrections_of_one_finding_each_get_their_columns(store_url: str) -> None:
    store = Store.open(store_url)
    Batch(store, jobs=1).run([str(FIXTURES / "reports" / "synthetic-2021-arithmetic-errors.txt")])
    finding = next(f for f in store.list_findings(severity="error") if f.rule == "T3-ROW")
    first, second = finding.paths[:2]
    store.record_review(finding.id, "correct", "王芳", based_on_revision=0, path=first, corrected_value=22)
    store.record_review(finding.id, "correct", "李强", based_on_revision=1, path=second, corrected_value=19)
    store.record_review(finding.id, "confirm", "李强", based_on_revision=2)  # withdraws neither value

    buf = io.StringIO()
    run_export(store, Format.csv, None, Filter(), stdout=buf)
    [row] = pd.read_csv(io.StringIO(buf.getvalue())).to_dict("records")
    printed = flatten(store.get_report(finding.report_id).report)
    for cell, value, who in ((first, 22, "王芳"), (second, 19, "李强")):
        assert row[cell] == printed[cell] != value
        assert [row[f"{cell}:{k}"] for k in ("corrected", "source", "corrected_by")] == [value, "corrected", who]
    store.close()


def test_filters_and_stdout_from_the_command_line(corpus: Path) -> None:
    store = Store.open(str(corpus))
    target = store.list_reports()[0]
    store.close()
    run = CliRunner().invoke(app, ["export", "--db", str(corpus), "--format", "jsonl", "--agency", str(target.agency),
                                   "--year", str(target.year)])
    assert run.exit_code == 0, run.output
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["report_id"] for r in rows] == [target.id]
    binary = CliRunner().invoke(app, ["export", "--db", str(corpus), "--format", "xlsx"])
    assert binary.exit_code == 2 and "-o" in binary.stderr and "Traceback" not in binary.stderr


def test_reading_commands_refuse_a_store_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "nianbao.db"
    for args in (["export", "--format", "csv"], ["review"]):
        run = CliRunner().invoke(app, [*args, "--db", str(missing)])
        assert run.exit_code == 2, run.output
        assert "no store there" in run.output and run.output.count("\n") == 1
    assert not missing.parent.exists()  # nothing created at the mistyped path
