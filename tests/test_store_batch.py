"""``nianbao batch`` over folders of generated variants: the right counts, nothing done
twice after a kill -9 and a restart, two processes sharing one PostgreSQL store, and the
cross-year checks stored."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg
from conftest import FIXTURES, load_gold
from llm_endpoint import MODEL, ScriptedEndpoint, endpoint_fixture, tables_answer  # noqa: F401 (fixture)
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import DBAPIError
from store_support import copies, text_reports
from variants import crlf_fullwidth, markdown

from extractor.llm.settings import LLMSettings
from extractor.pipeline import extract
from extractor.store.api import Store
from extractor.store.batch import Batch, BatchSummary
from extractor.store.db import store_url
from extractor.store.schema import extractions, findings

NIANBAO = [sys.executable, "-m", "extractor"]


def batch(*args: str, db: str) -> dict[str, Any]:
    run = subprocess.run([*NIANBAO, "batch", *args, "--db", db, "--json"], capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    out: dict[str, Any] = json.loads(run.stdout)
    return out


def in_process(*paths: Path, db: str) -> BatchSummary:
    """A batch run here, one document at a time (no worker processes to start)."""
    store = Store.open(db)
    try:
        return Batch(store, jobs=1).run([str(p) for p in paths])
    finally:
        store.close()


def variants_folder(root: Path) -> tuple[list[Path], list[Path]]:
    """The text fixtures, a CRLF/full-width copy of each UTF-8 one, each gold re-rendered as Markdown
    (in a subfolder), and broken files; returns (readable, broken)."""
    good: list[Path] = []
    for src in text_reports():
        good.append(root / src.name)
        good[-1].write_bytes(src.read_bytes())
        if src.suffix == ".txt":
            try:
                text = src.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue
            good.append(root / f"{src.stem}-crlf.txt")
            good[-1].write_bytes(crlf_fullwidth(text).encode("utf-8"))
    (root / "rendered").mkdir()
    for gold in sorted((FIXTURES / "gold").glob("*.json")):
        good.append(root / "rendered" / f"{gold.stem}.md")
        good[-1].write_text(markdown(load_gold(gold)), encoding="utf-8")
    broken = {"empty.txt": b"", "notes.txt": "会议纪要：无。\n".encode(), "scan.pdf": b"%PDF-1.4\n" + bytes(range(256)),
              "letter.docx": b"PK\x03\x04 not really a zip", "binary.md": bytes(range(256)) * 4}
    for name, data in broken.items():
        (root / name).write_bytes(data)
    (root / "labels.json").write_text("{}")  # not a report suffix: a folder walk leaves it alone
    unique = {p.read_bytes(): p for p in reversed(good)}  # some renderings coincide: the first of each is kept
    return sorted(unique.values()), [root / n for n in broken]


def test_a_batch_over_many_variants_counts_right(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    good, broken = variants_folder(folder)
    (folder / "again.md").write_bytes(good[0].read_bytes())  # same content under another name
    expected_errors = sum(
        sum(f.severity == "error" for f in extract(p).findings) for p in good
    )
    db = str(tmp_path / "corpus.db")
    first = batch(str(folder), "--jobs", "2", db=db)
    assert first["files"] == len(good_all(folder))
    duplicates = len(good_all(folder)) - len(good) - len(broken)
    assert (first["done"], first["failed"], first["duplicates"], first["skipped"]) == (
        len(good), len(broken), duplicates, 0)
    assert first["error_findings"] == expected_errors > 0
    assert sum(r["reports"] for r in first["by_agency_year"]) == len(good)
    assert all(str(p) in " ".join(first["failures"]) for p in broken)  # each failure names its file

    again = in_process(folder, db=db)
    assert (again.done, again.skipped, again.failed) == (0, len(good), len(broken))

    store = Store.open(db)
    assert len(store.list_reports()) == len(good)
    failed = store.list_reports(status="failed")
    assert len(failed) == len(broken) and all(r.error for r in failed)
    store.close()


def good_all(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix != ".json"]


def _done(db: str) -> dict[int, tuple[str, str]]:
    engine = create_engine(store_url(db))
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(extractions.c.id, extractions.c.finished_at, extractions.c.claimed_by)
                                .where(extractions.c.status == "done")).all()
    except DBAPIError:  # the batch has not created its tables yet
        return {}
    finally:
        engine.dispose()
    return {i: (t, by) for i, t, by in rows}


def test_a_batch_killed_mid_run_and_restarted_does_every_document_once(tmp_path: Path) -> None:
    files = copies(tmp_path / "reports", 200)
    db = str(tmp_path / "corpus.db")
    proc = subprocess.Popen([*NIANBAO, "batch", str(tmp_path / "reports"), "--db", db, "--jobs", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if Path(db).exists() and len(_done(db)) >= 25:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, as a crash would
    proc.wait()
    before = _done(db)
    assert 25 <= len(before) < len(files), "the batch was not stopped mid-run"

    rest = in_process(tmp_path / "reports", db=db)
    assert (rest.skipped, rest.done, rest.failed) == (len(before), len(files) - len(before), 0)
    after = _done(db)
    assert len(after) == len(files)
    assert {i: after[i] for i in before} == before  # what was done before the kill was not redone
    engine = create_engine(store_url(db))
    with engine.connect() as conn:
        per_doc = conn.execute(select(func.count()).select_from(extractions)).scalar_one()
        dup = conn.execute(select(findings.c.extraction_id, findings.c.finding_key).group_by(
            findings.c.extraction_id, findings.c.finding_key).having(func.count() > 1)).all()
    engine.dispose()
    assert per_doc == len(files) and dup == []


def test_two_batch_processes_share_one_postgresql_store(postgres: str, tmp_path: Path) -> None:
    from store_support import fresh_database

    db = fresh_database(postgres)
    Store.open(db).close()
    files = copies(tmp_path / "reports", 200)
    # Hold both at their first touch of the queue until both are there, so they race from one moment.
    gate = psycopg.connect(db)
    gate.execute("LOCK TABLE extractions IN ACCESS EXCLUSIVE MODE")
    procs = [
        subprocess.Popen([*NIANBAO, "batch", str(tmp_path / "reports"), "--db", db, "--jobs", "1", "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    deadline = time.monotonic() + 120
    with psycopg.connect(db, autocommit=True) as watch:
        while time.monotonic() < deadline and watch.execute(waiting).fetchone() != (2,):
            time.sleep(0.05)
    gate.rollback()
    gate.close()
    outs = [json.loads(p.communicate(timeout=300)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sum(o["done"] for o in outs) == len(files)
    assert all(o["done"] > 0 for o in outs), "one process did all the work"
    assert sum(o["failed"] for o in outs) == 0
    done = _done(db)
    assert len(done) == len(files)
    assert len({by for _, by in done.values()}) == 2


def test_cross_year_findings_are_stored_on_the_later_year(tmp_path: Path) -> None:
    later = load_gold(FIXTURES / "gold" / "dongguan-hrss-2023.json")
    earlier = copy.deepcopy(later)
    earlier["meta"]["year"] = 2022
    earlier["active"]["normative_documents"]["in_force"] = 56
    earlier["applications"]["carried_forward"]["natural_person"] += 2
    earlier["applications"]["carried_forward"]["total"] += 2
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "dg-2023.md").write_text(markdown(later), encoding="utf-8")
    (folder / "dg-2022.md").write_text(markdown(earlier), encoding="utf-8")
    db = str(tmp_path / "corpus.db")
    assert in_process(folder, db=db).crossyear_errors == 2
    assert in_process(folder / "dg-2023.md", db=db).crossyear_errors == 2  # checked again, stored once

    store = Store.open(db)
    [report] = store.list_reports(year=2023)
    cross = [f for f in store.get_report(report.id).findings if f.scope == "crossyear"]
    assert sorted(f.paths[0] for f in cross if f.severity == "error") == [
        "applications.carried_over.natural_person", "applications.carried_over.total",
    ]
    assert all(f.rule == "X-CARRIED" for f in cross)
    store.close()


def test_an_llm_batch_asks_concurrently_and_sums_tokens(endpoint: ScriptedEndpoint, tmp_path: Path) -> None:
    source = FIXTURES / "reports" / "synthetic-2021-gbk.txt"
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        (folder / f"copy{i}.txt").write_bytes(source.read_bytes() + f"\n(copy {i})\n".encode())
        endpoint.answer(tables_answer(load_gold(FIXTURES / "gold" / "synthetic-2021-gbk.json")), 1000, 200)
    db = str(tmp_path / "llm.db")
    store = Store.open(db)
    summary = Batch(store, backend="llm", jobs=2, llm=LLMSettings.from_env(cache=False)).run([str(folder)])
    assert (summary.done, summary.failed) == (3, 0)
    assert (summary.prompt_tokens, summary.completion_tokens) == (3000, 600)
    assert summary.cost(2.0, 8.0) == (3000 * 2.0 + 600 * 8.0) / 1e6
    assert len(endpoint.requests) == 3
    [report] = store.list_reports(limit=1)
    assert report.backend == "llm" and report.model == MODEL and report.prompt_version
    assert Batch(store, backend="llm", jobs=2, llm=LLMSettings.from_env(cache=False)).run([str(folder)]).skipped == 3
    assert len(endpoint.requests) == 3  # done documents are not asked again
    store.close()
