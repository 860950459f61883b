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
