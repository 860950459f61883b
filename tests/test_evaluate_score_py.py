"""``nianbao eval`` and ../shared/tools/score.py give the same figures on the same fixtures.

score.py runs ``nianbao extract`` once per report and per mutation, so it is run on a
subset that still covers a consistent and an inconsistent report, Markdown, HTML, a PDF
text dump and a GBK file (which neither tool mutates).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SCORE_PY

from extractor.evaluate.harness import EvalRun, backend_extractor, evaluate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "eval" / "fixtures"
NIANBAO = Path(sys.executable).parent / "nianbao"
ONLY = "synthetic-2021-[aegp]*"
MUTATE = 3
LINE = re.compile(
    r"^(?P<file>\S+): leaves (?P<right>\d+)/(?P<leaves>\d+)  claims (?P<cf>\d+)/(?P<c>\d+)  "
    r"findings (?P<fd>\d+)/(?P<f>\d+)  false alarms (?P<fa>\d+)  \S+s(?:  mutations caught (?P<mc>\d+)/(?P<mt>\d+))?$"
)


@pytest.fixture(scope="module")
def both() -> tuple[str, EvalRun]:
    if not SCORE_PY.is_file():
        pytest.skip(f"{SCORE_PY} is absent (../shared not checked out beside the repo)")
    cmd = f"{NIANBAO} extract {{file}} --format json"
    proc = subprocess.run(
        [sys.executable, str(SCORE_PY), "--fixtures", str(FIXTURES), "--cmd", cmd, "--mutate", str(MUTATE),
         "--only", ONLY],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    run = evaluate(FIXTURES, backend_extractor("parser"), mutate=MUTATE, only=ONLY)
    return proc.stdout, run


def test_per_report_figures_agree(both: tuple[str, EvalRun]) -> None:
    out, run = both
    theirs = {m["file"]: m for m in map(LINE.match, out.splitlines()) if m}
    assert len(theirs) == len(run.reports) == 5
    for r in run.reports:
        t = theirs[Path(r.file).name]
        mine = (r.leaves.counts.right, r.leaves.counts.leaves, r.claims.found, r.claims.gold,
                r.findings.detected, r.findings.gold, r.findings.false_alarms)
        assert tuple(int(t[k]) for k in ("right", "leaves", "cf", "c", "fd", "f", "fa")) == mine, r.name
        if r.mutation is None:
            assert t["mc"] is None or (t["mc"], t["mt"]) == ("0", "0"), r.name
        else:
            assert (int(t["mc"]), int(t["mt"])) == (r.mutation.caught, r.mutation.tried), r.name
    assert any(r.mutation and r.mutation.tried for r in run.reports)


def test_summary_agrees(both: tuple[str, EvalRun]) -> None:
    out, run = both
    summary = out.strip().splitlines()[-1]
    c = run.counts
    assert f"docs {len(run.reports)} failed {run.failed} |" in summary
    assert f"leaf accuracy {100 * (c.accuracy or 0):.2f}%" in summary
    assert f"claims {run.total('claims.found')}/{run.total('claims.gold')}" in summary
    assert f"findings {run.total('findings.detected')}/{run.total('findings.gold')}" in summary
    assert f"false alarms {run.total('findings.false_alarms')}" in summary
    assert f"mutations caught {run.total('mutation.caught')}/{run.total('mutation.tried')}" in summary
