"""``nianbao review`` (open findings with their source lines; one decision from the
command line) and ``nianbao serve`` as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from conftest import FIXTURES
from service_support import free_port
from typer.testing import CliRunner

from extractor.cli import app
from extractor.pipeline import extract
from extractor.store.api import Store

PLANTED = FIXTURES / "reports" / "synthetic-2021-arithmetic-errors.txt"
runner = CliRunner()


def _store(tmp_path: Path) -> tuple[str, list[int]]:
    db = str(tmp_path / "store.db")
    store = Store.open(db)
    store.add_result(PLANTED.read_bytes(), str(PLANTED), extract(PLANTED))
    ids = [f.id for f in store.list_findings(status="open")]
    store.close()
    return db, ids


def test_review_lists_open_findings_with_their_source_lines(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    res = runner.invoke(app, ["review", "--db", db])
    assert res.exit_code == 0, res.output
    assert f"#{ids[0]} [error] T3-ROW" in res.output
    assert ">   34 │ (一)予以公开 20 2 0 0 0 0 23" in res.output  # the line the flagged total stands on
    assert "printed 23 · computed 22" in res.output
    assert "4 findings open" in res.output


def test_review_decides_and_refuses_to_overwrite_unseen_decisions(tmp_path: Path) -> None:
    db, ids = _store(tmp_path)
    first = ["review", str(ids[0]), "--db", db]
    res = runner.invoke(app, [*first, "--decide", "dismiss", "--note", "原表如此", "--reviewer", "王一"])
    assert res.exit_code == 0, res.output
    assert "dismissed (revision 1)" in res.output and "王一: dismiss — 原表如此" in res.output
    res = runner.invoke(app, [*first, "--decide", "confirm", "--reviewer", "李二"])
    assert res.exit_code == 2
    assert "was decided by 王一" in res.output and "pass --revision 1" in res.output
    res = runner.invoke(app, [*first, "--decide", "confirm", "--reviewer", "李二", "--revision", "1"])
    assert res.exit_code == 0 and "李二: confirm" in res.output
    res = runner.invoke(app, ["review", str(ids[1]), "--db", db, "--decide", "correct", "--reviewer", "王一"])
    assert res.exit_code == 2 and "needs --value" in res.output
    res = runner.invoke(app, ["review", str(ids[1]), "--db", db, "--decide", "correct", "--value", "49",
                              "--reviewer", "王一"])
    assert res.exit_code == 0 and "applications.total.total = 49" in res.output
    store = Store.open(db)
    fix = store.corrections(store.get_finding(ids[1]).report_id)["applications.total.total"]
    assert (fix.printed, fix.corrected, fix.reviewer) == (48, 49, "王一")
    store.close()
    assert runner.invoke(app, ["review", "999", "--db", db]).exit_code == 2


def test_serve_runs_the_service(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_TOKEN"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "extractor", "serve", "--port", str(port), "--db", str(tmp_path / "s.db")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/v1/reports", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "nianbao serve did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json() == []
    finally:
        proc.terminate()
        proc.wait(10)
