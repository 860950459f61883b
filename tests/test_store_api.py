"""The store's Python API on SQLite and on a real PostgreSQL server: migrations,
reports and findings read back, and reviews that append, move a finding's status and
refuse to overwrite a decision the reviewer has not seen."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import FIXTURES, load_gold
from sqlalchemy import (
    Column,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from extractor.errors import NianbaoError
from extractor.load import load
from extractor.pipeline import extract
from extractor.report import flatten
from extractor.store.api import NotFound, ReviewConflict, Store
from extractor.store.db import connect, current_revision, head_revision, migrate
from extractor.store.db import store_url as to_url
from extractor.store.schema import metadata, reviews
from extractor.store.work import ExtractionKey, claim, enqueue

ERRORS = FIXTURES / "reports" / "synthetic-2021-arithmetic-errors.txt"
CLEAN = FIXTURES / "reports" / "dongguan-hrss-2023.md"


def _add(store: Store, path: Path) -> int:
    doc = load(path)
    return store.add_result(path.read_bytes(), str(path), extract(doc), doc.text)


def test_migrations_build_the_schema_from_an_empty_database(store_url: str) -> None:
    engine = connect(to_url(store_url))
    assert current_revision(engine) is None
    migrate(engine)
    assert current_revision(engine) == head_revision() == "0004"
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0004"
        # The migrations and the tables the code expects agree, table by table, column by column.
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert set(inspect(conn).get_table_names()) == {*metadata.tables, "alembic_version"}
    migrate(engine)  # opening again is a no-op
    assert current_revision(engine) == "0004"
    engine.dispose()


def test_a_store_made_by_the_first_schema_opens_with_its_reports(store_url: str) -> None:
    engine = connect(to_url(store_url))
    migrate(engine, "0001")  # as nianbao's first store release left it
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO documents (sha256, path, format, size_bytes, first_seen) "
                          "VALUES ('ab', 'old.txt', 'txt', 3, '2026-01-01T00:00:00Z')"))
        conn.execute(text("INSERT INTO extractions (document_id, backend, prompt_version, nianbao_version, status, "
                          "agency, year, report_json, created_at) VALUES (1, 'parser', '', '0.0.9', 'done', "
                          "'某局', 2023, '{\"meta\": {\"agency\": \"某局\"}}', '2026-01-01T00:00:00Z')"))
    engine.dispose()
    store = Store.open(store_url)
    assert current_revision(store.engine) == head_revision()
    [old] = store.list_reports()
    detail = store.get_report(old.id)
    assert (detail.agency, detail.report["meta"]["agency"], detail.source_text) == ("某局", "某局", None)
    store.close()


def test_a_store_whose_uploads_an_older_service_kept_opens_with_them(store_url: str) -> None:
    engine = connect(to_url(store_url))
    migrate(engine, "0003")
    # Before revision 0004 ``nianbao serve`` made this table itself, on first use, so:
    old = Table(
        "source_files", MetaData(),
        Column("sha256", String(64), primary_key=True, comment="documents.sha256 of the file"),
        Column("name", Text, nullable=False, comment="the file name it was uploaded under"),
        Column("data", LargeBinary, nullable=False, comment="the file's bytes as uploaded"),
    )
    old.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(old).values(sha256="ab" * 32, name="upload/a.txt", data=b"\x00bytes"))
    engine.dispose()
    store = Store.open(store_url)
    assert current_revision(store.engine) == head_revision()
    assert store.kept_source("ab" * 32) == b"\x00bytes"
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    digest = store.keep_source(b"new", "upload/b.txt")
    assert store.keep_source(b"new", "upload/again.txt") == digest  # once per content
    assert (store.kept_source(digest), store.kept_source("cd" * 32)) == (b"new", None)
    store.close()


def test_reports_and_findings_read_back(store_url: str) -> None:
    store = Store.open(store_url)
    bad, good = _add(store, ERRORS), _add(store, CLEAN)
    assert _add(store, ERRORS) == bad  # the same bytes read the same way are stored once
    gold = load_gold(FIXTURES / "gold" / f"{ERRORS.stem}.json")
    detail = store.get_report(bad)
    assert detail.report["applications"] == gold["applications"]
    assert detail.agency == gold["meta"]["agency"] and detail.year == gold["meta"]["year"]
    assert detail.evidence["applications.granted.total"]["text"]
    errors = [f for f in detail.findings if f.severity == "error"]
    for expected in gold["findings"]:  # each error the labels expect is stored, on its cells
        assert any(set(expected["paths"]) & set(f.paths) for f in errors), expected
    assert detail.errors == detail.open_errors == len(errors) >= len(gold["findings"]) > 0

    assert [r.id for r in store.list_reports(has_open_errors=True)] == [bad]
    assert [r.id for r in store.list_reports(has_open_errors=False)] == [good]
    assert [r.id for r in store.list_reports(agency=gold["meta"]["agency"], year=gold["meta"]["year"])] == [bad]
    assert store.list_reports(year=1999) == []
    assert {f.report_id for f in store.list_findings(status="open", severity="error")} == {bad}
    with pytest.raises(NotFound):
        store.get_report(10_000)
    store.close()


def test_reviews_append_and_the_status_follows_the_latest(store_url: str) -> None:
    store = Store.open(store_url)
    report = store.get_report(_add(store, ERRORS))
    first, second = [f for f in report.findings if f.severity == "error"][:2]

    dismissed = store.record_review(first.id, "dismiss", "王芳", based_on_revision=0, note="见附注")
    assert (dismissed.status, dismissed.revision) == ("dismissed", 1)
    # A second reviewer who saw revision 0 does not overwrite the first decision.
    with pytest.raises(ReviewConflict) as conflict:
        store.record_review(first.id, "confirm", "李强", based_on_revision=0)
    assert conflict.value.current.status == "dismissed"
    assert conflict.value.current.reviews[-1].reviewer == "王芳"
    reopened = store.record_review(first.id, "reopen", "李强", based_on_revision=1)
    assert reopened.status == "open"
    assert [(r.revision, r.decision, r.reviewer) for r in store.history(first.id)] == [
        (1, "dismiss", "王芳"), (2, "reopen", "李强"),
    ]

    cell = second.paths[0]
    printed = report.report
    for key in cell.split("."):
        printed = printed[key]
    fixed = store.record_review(second.id, "correct", "王芳", based_on_revision=0, path=cell, corrected_value=7)
    assert fixed.status == "corrected"
    after = store.get_report(report.id)
    assert after.corrections[cell].corrected == 7 and after.corrections[cell].printed == printed
    assert after.report == report.report  # the printed values are never overwritten
    assert after.open_errors == report.open_errors - 1

    with pytest.raises(NianbaoError, match="names no cell"):
        store.record_review(second.id, "correct", "王芳", based_on_revision=1, path="meta.year", corrected_value=1)
    with pytest.raises(NianbaoError, match="reviewer"):
        store.record_review(second.id, "confirm", " ", based_on_revision=1)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(reviews)).scalar_one() == 3
    for change in (update(reviews).values(decision="confirm"), delete(reviews)):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(change)  # the database itself keeps the history
    store.close()


def test_every_correction_stands_and_the_latest_per_cell_wins(store_url: str) -> None:
    store = Store.open(store_url)
    report = store.get_report(_add(store, ERRORS))
    row = next(f for f in report.findings if f.rule == "T3-ROW")  # (一)予以公开: 总计 23, its parts add to 22
    outcomes = next(f for f in report.findings if f.rule == "T3-OUTCOMES")  # names that 总计 too
    total, part = "applications.granted.total", "applications.granted.natural_person"
    assert {total, part} <= set(row.paths) and total in outcomes.paths
    printed = flatten(report.report)

    def fixes() -> dict[str, tuple[object, object, str, int]]:
        found = store.corrections(report.id)
        return {p: (c.printed, c.corrected, c.reviewer, c.finding_id) for p, c in found.items()}

    # two corrections of one finding, on two cells: both stand
    store.record_review(row.id, "correct", "王芳", based_on_revision=0, path=total, corrected_value=22)
    store.record_review(row.id, "correct", "李强", based_on_revision=1, path=part, corrected_value=19)
    assert fixes() == {total: (printed[total], 22, "王芳", row.id), part: (printed[part], 19, "李强", row.id)}
    # deciding the finding holds (or not) withdraws no value a reviewer read
    store.record_review(row.id, "confirm", "张伟", based_on_revision=2)
    assert store.get_finding(row.id).status == "confirmed"
    assert fixes() == {total: (printed[total], 22, "王芳", row.id), part: (printed[part], 19, "李强", row.id)}
    # another finding's later correction of the same cell is the one that stands
    store.record_review(outcomes.id, "correct", "张伟", based_on_revision=0, path=total, corrected_value=21)
    assert fixes()[total] == (printed[total], 21, "张伟", outcomes.id)
    # a reopen withdraws that finding's corrections only: the earlier one of the cell stands again
    store.record_review(outcomes.id, "reopen", "张伟", based_on_revision=1)
    assert fixes() == {total: (printed[total], 22, "王芳", row.id), part: (printed[part], 19, "李强", row.id)}
    store.record_review(row.id, "reopen", "王芳", based_on_revision=3)
    assert fixes() == {}
    # ... and a correction after the reopen stands
    store.record_review(row.id, "correct", "王芳", based_on_revision=4, path=part, corrected_value=18)
    assert fixes() == {part: (printed[part], 18, "王芳", row.id)}
    after = store.get_report(report.id)
    assert after.report == report.report  # the printed values are never overwritten
    assert [(r.decision, r.path, r.corrected_value) for r in store.history(row.id)] == [
        ("correct", total, 22), ("correct", part, 19), ("confirm", None, None), ("reopen", None, None),
        ("correct", part, 18),
    ]
    store.close()


def test_concurrent_reviews_of_one_finding_one_wins(store_url: str) -> None:
    store = Store.open(store_url)
    finding = next(f for f in store.get_report(_add(store, ERRORS)).findings if f.severity == "error")
    results: list[str] = []
    barrier = threading.Barrier(4)

    def decide(name: str) -> None:
        barrier.wait()
        try:
            store.record_review(finding.id, "confirm", name, based_on_revision=0)
            results.append("ok")
        except ReviewConflict:
            results.append("conflict")

    threads = [threading.Thread(target=decide, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 3 + ["ok"]
    assert len(store.history(finding.id)) == 1
    store.close()


def test_claims_never_hand_one_document_to_two_processes(store_url: str) -> None:
    store = Store.open(store_url)
    files = sorted((FIXTURES / "reports").glob("*.txt"))
    queue = enqueue(store.engine, [(str(p), p.read_bytes()) for p in files], ExtractionKey.current("parser"))
    ids = sorted(i for i, _ in queue.values())
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(3)

    def worker(name: str) -> None:
        barrier.wait()
        while True:
            taken = claim(store.engine, ids, 2, f"host:{name}")
            if not taken:
                return
            got[name] += [i for i, _, _ in taken]

    threads = [threading.Thread(target=worker, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = got["a"] + got["b"] + got["c"]
    assert sorted(everything) == ids  # each claimed exactly once
    store.close()


def test_a_correction_must_fit_its_cell(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    finding = next(f for f in store.get_report(_add(store, ERRORS)).findings if f.severity == "error")
    cell = finding.paths[0]
    with pytest.raises(NianbaoError, match="whole number"):
        store.record_review(finding.id, "correct", "王芳", based_on_revision=0, path=cell, corrected_value=2.5)
    with pytest.raises(NianbaoError, match="path and the corrected value"):
        store.record_review(finding.id, "correct", "王芳", based_on_revision=0, path=cell)
    with pytest.raises(NianbaoError, match="only a correction"):
        store.record_review(finding.id, "confirm", "王芳", based_on_revision=0, corrected_value=3)
    assert store.get_finding(finding.id).revision == 0  # nothing was written
    store.record_review(finding.id, "correct", "王芳", based_on_revision=0, path=cell, corrected_value=23.0)
    assert store.corrections(finding.report_id)[cell].corrected == 23
    assert isinstance(store.corrections(finding.report_id)[cell].corrected, int)  # a count stays a count
    store.close()


def test_a_filter_naming_no_status_is_an_error(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "s.db"))
    with pytest.raises(NianbaoError, match="unknown status 'opne'"):
        store.list_findings(status="opne")
    with pytest.raises(NianbaoError, match="unknown severity"):
        store.list_findings(severity="fatal")
    with pytest.raises(NianbaoError, match="unknown status"):
        store.list_reports(status="finished")
    store.close()
