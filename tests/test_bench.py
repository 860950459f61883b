"""``nianbao bench``: stage timings and memory over copies of the fixtures, in process and in workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.errors import NianbaoError
from extractor.evaluate.bench import STAGES, bench, peak_heap, process_seconds, readable, time_stages

REPORTS = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports"
SMALL = [REPORTS / "synthetic-2021-gbk.txt", REPORTS / "synthetic-2019-rowspan.html"]


def test_every_stage_is_timed_and_traced() -> None:
    items, skipped = readable(SMALL)
    assert [n for n, _ in items] == ["synthetic-2021-gbk.txt", "synthetic-2019-rowspan.html"] and skipped == []
    spent = time_stages(items)
    assert set(spent) == set(STAGES) and all(s > 0 for s in spent.values())
    heap = peak_heap(items)
    assert all(heap[s] > 0 for s in STAGES)


def test_single_process_and_jobs(tmp_path: Path) -> None:
    junk = tmp_path / "notes.xyz"
    junk.write_bytes(b"\x00\x01 not a report")
    r = bench([*SMALL, junk], copies=2, jobs=2)
    assert r.files == 2 and r.copies == 2 and len(r.skipped) == 1 and "notes.xyz" in r.skipped[0]
    single, multi = r.modes
    assert (single.jobs, single.docs, multi.jobs, multi.docs) == (1, 4, 2, 4)
    for m in r.modes:
        assert m.wall > 0 and m.wall_rate > 0 and m.peak_rss_kib > 0
        assert all(m.stage_seconds[s] > 0 and m.rate(s) > 0 for s in STAGES)
    data = json.loads(json.dumps(r.to_json()))
    assert data["modes"][1]["jobs"] == 2 and set(data["peak_heap_bytes"]) == set(STAGES)


def test_copies_fit_the_target_duration() -> None:
    r = bench(SMALL[:1], seconds=0.05)
    assert r.copies >= 1 and len(r.modes) == 1


def test_nothing_readable_is_bad_input(tmp_path: Path) -> None:
    junk = tmp_path / "a.xyz"
    junk.write_bytes(b"\x00\x01")
    with pytest.raises(NianbaoError):
        bench([junk], copies=1)


def test_command_prints_a_table_and_json(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    for f in SMALL:
        (tmp_path / "reports" / f.name).write_bytes(f.read_bytes())
    runner = CliRunner()
    res = runner.invoke(app, ["bench", str(tmp_path), "-n", "1"])
    assert res.exit_code == 0, res.output
    assert "load" in res.output and "parse" in res.output and "check" in res.output and "reports/s" in res.output
    res = runner.invoke(app, ["bench", str(tmp_path), "-n", "1", "--json"])
    assert json.loads(res.output)["files"] == 2
    res = runner.invoke(app, ["bench", str(tmp_path / "nowhere")])
    assert res.exit_code == 2


def test_by_format_rates_and_whole_process_timings() -> None:
    r = bench(SMALL, copies=1, by_format=True, runs=1)
    assert set(r.format_rates) == {"txt", "html"} and all(v > 0 for v in r.format_rates.values())
    assert {f: p.report for f, p in r.startup.items()} == {"txt": SMALL[0].name, "html": SMALL[1].name}
    assert all(p.wall > 0 and p.cpu > 0 for p in r.startup.values())
    assert json.loads(json.dumps(r.to_json()))["extract_process_seconds"]["txt"]["report"] == SMALL[0].name


def test_whole_process_timing_runs_the_installed_package_not_a_folder_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoy = tmp_path / "extractor"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("", encoding="utf-8")
    (decoy / "__main__.py").write_text(f"open({str(tmp_path / 'ran')!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    figures = process_seconds(SMALL[0], runs=1)
    assert not (tmp_path / "ran").exists()  # `python -m extractor` from here would have run the decoy
    assert figures.report == SMALL[0].name and figures.cpu > 0
