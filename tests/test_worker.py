"""The bounded worker: what a result is when it crosses back, and ``isolate.start``
(the worker forked ahead of its first job warms itself up, then serves jobs under
the same bounds; those cases run in a fresh interpreter, since a process has one worker)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.load import isolate, load
from extractor.pipeline import _finish, extract, get_backend

REPORTS = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports"

_HEAD = """
import json, os
from extractor.load import isolate
"""


def _run(body: str, **env: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _HEAD + body], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_warm_runs_in_the_worker_before_its_first_job() -> None:
    out = _run("""
def warm():
    global WARMED
    WARMED = os.getpid()
isolate.start(warm)
print(json.dumps({"me": os.getpid(), "warmed": isolate.run(eval, "__import__('__main__').WARMED", source="probe")}))
""")
    assert isinstance(out["warmed"], int) and out["warmed"] != out["me"]


def test_a_failing_warm_up_leaves_a_working_worker() -> None:
    out = _run("""
def warm():
    raise RuntimeError("rules unreadable")
isolate.start(warm)
print(json.dumps({"sum": isolate.run(sum, [1, 2, 3], source="probe")}))
""")
    assert out == {"sum": 6}


def test_memory_limit_counts_from_after_the_warm_up() -> None:
    # The warm-up keeps 200 MiB; the limit of 128 MiB is what a job may add on top.
    out = _run("""
def warm():
    global KEPT
    KEPT = bytearray(200 * 2**20)
isolate.start(warm)
kept = isolate.run(eval, "len(__import__('__main__').KEPT) >> 20", source="probe")
small = isolate.run(eval, "len(bytearray(64 * 2**20)) >> 20", source="probe")
try:
    isolate.run(eval, "len(bytearray(512 * 2**20))", source="big")
    big = "read"
except isolate.InputError as e:
    big = str(e)
print(json.dumps({"kept": kept, "small": small, "big": big}))
""", NIANBAO_MEMORY_MB="128")
    assert out["kept"] == 200 and out["small"] == 64
    assert "more than 128 MiB" in str(out["big"])


@pytest.mark.parametrize("name", ["panyu-hrss-2023.txt", "huaian-gov-2024.pdf"])
def test_a_result_crosses_from_the_worker_unchanged(name: str) -> None:
    path = REPORTS / name
    here = _finish(isolate.run(load, path, source=name), "parser", get_backend("parser"), 0.0)
    there = extract(path)
    assert there.evidence == here.evidence and any(e.box for e in there.evidence.values()) == name.endswith(".pdf")
    assert there.claims == here.claims and there.findings == here.findings and there.report == here.report


def test_warming_for_a_pdf_imports_its_reader_and_for_text_none() -> None:
    out = _run("""
import sys
from extractor.pipeline import warm
warm([".txt"])
modules = ("lxml", "extractor.load.pdf_library", "extractor.load.text", "extractor.verify.claims")
text = sorted(m for m in modules if m in sys.modules)
warm([".PDF", ".md"])
pdf = all(m in sys.modules for m in ("extractor.load.pdf", "extractor.load.pdf_library"))  # pdfium opened
print(json.dumps({"text": text, "pdf": pdf}))
""")
    assert out == {"text": ["extractor.load.text", "extractor.verify.claims"], "pdf": True}


def test_the_work_ahead_runs_bounded_after_the_warm_up_and_its_failure_harms_nothing() -> None:
    out = _run("""
def warm():
    global ORDER
    ORDER = ["warm"]
def ahead():
    ORDER.append(isolate.remaining() > 1)  # a deadline runs, as for a job
    try:
        bytearray(512 * 2**20)
    except MemoryError:
        ORDER.append("capped")
    raise RuntimeError("a wrong guess")
isolate.start(warm, ahead)
print(json.dumps({"order": isolate.run(eval, "__import__('__main__').ORDER", source="probe")}))
""", NIANBAO_MEMORY_MB="128")
    assert out == {"order": ["warm", True, "capped"]}


_REPORT = REPORTS / "panyu-hrss-2023.txt"


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every report the pipeline loads from now on (read ahead or not)."""
    import extractor.pipeline as pipeline

    loaded: list[object] = []
    real = pipeline.load
    monkeypatch.setattr(pipeline, "load", lambda path, **kw: loaded.append(path) or real(path, **kw))
    return loaded


def test_the_first_job_takes_the_report_read_ahead(tmp_path: Path, no_reading: list[object]) -> None:
    from extractor.pipeline import _extract_file, read_ahead

    read_ahead(str(_REPORT), ocr=True)
    assert no_reading == [str(_REPORT)]
    first = _extract_file(_REPORT, True)  # the same file as a Path: the same report
    assert no_reading == [str(_REPORT)]
    again = _extract_file(_REPORT, True)  # used once
    assert no_reading == [str(_REPORT), _REPORT]
    assert first.to_json() | {"usage": None} == again.to_json() | {"usage": None}


@pytest.mark.parametrize("change", ["ocr", "content", "environment", "file"])
def test_a_job_that_asks_otherwise_is_read_afresh(
    change: str, tmp_path: Path, no_reading: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    from extractor.pipeline import _extract_file, read_ahead

    copy = tmp_path / "report.txt"
    copy.write_bytes(_REPORT.read_bytes())
    read_ahead(copy, ocr=True)
    asked = (copy, change != "ocr")
    if change == "content":
        copy.write_bytes(_REPORT.read_bytes().replace("依申请公开".encode(), "依 申请公开".encode()))
    elif change == "environment":
        monkeypatch.setenv("NIANBAO_TIMEOUT", "7")
    elif change == "file":
        asked = (_REPORT, True)
    _extract_file(*asked)
    assert no_reading == [copy, asked[0]]


def test_an_error_read_ahead_is_the_first_jobs_error(tmp_path: Path, no_reading: list[object]) -> None:
    from extractor.errors import InputError
    from extractor.pipeline import _extract_file, read_ahead

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    read_ahead(bad, ocr=True)
    with pytest.raises(InputError, match=r"empty\.txt"):
        _extract_file(bad, True)
    assert no_reading == [bad]


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (["-o", "out.json", "{report}", "--format", "json"], ("{report}", True)),
        (["{report}", "--no-ocr"], ("{report}", False)),
        (["{report}", "--backend", "llm"], None),
        (["{report}", "-b", "hybrid"], None),
        (["gone.txt"], None),
    ],
)
def test_the_command_line_reads_ahead_the_report_it_names(
    args: list[str], wanted: tuple[str, bool] | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import extractor.pipeline as pipeline
    from extractor.cli import _read_ahead

    asked: list[tuple[str, bool]] = []
    monkeypatch.setattr(pipeline, "read_ahead", lambda path, ocr: asked.append((path, ocr)))
    _read_ahead([a.format(report=_REPORT) for a in args])
    assert asked == ([] if wanted is None else [(wanted[0].format(report=_REPORT), wanted[1])])
