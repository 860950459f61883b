"""Start-up stays lean: ``nianbao extract`` on a text report imports only what it uses,
and the command line itself none of the pipeline (the worker extracts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports"
REPORT = REPORTS / "panyu-hrss-2023.txt"

#: Modules the parser path must never load: the store, the service, eval, the model client.
HEAVY = (
    "extractor.store", "extractor.service", "extractor.evaluate", "extractor.llm.backend", "extractor.llm.client",
    "extractor.llm.ask", "openai", "instructor", "sqlalchemy", "fastapi", "charset_normalizer", "lxml", "pypdfium2",
)

#: What the extraction needs and the command line, which only prints the worker's JSON, does not.
PIPELINE = ("extractor.parse", "extractor.verify", "extractor.result", "extractor.schema", "pydantic", "yaml")

# The console script on the given arguments, then what the process and its worker have imported.
_PROBE = """
import json, sys
sys.argv = ["nianbao", *sys.argv[1:]]
from extractor.cli import main
from extractor.load import isolate
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
worker = isolate.run(eval, "sorted(__import__('sys').modules)", source="probe")
print(json.dumps({"cli": sorted(sys.modules), "worker": worker}), file=sys.stderr)
"""


def _modules_after(*args: str, env: dict[str, str] | None = None, year: int = 2023) -> dict[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meta"]["year"] == year
    return {k: set(v) for k, v in json.loads(done.stderr.strip().splitlines()[-1]).items()}


def _under(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def test_extract_text_report_imports_no_heavy_module() -> None:
    loaded = _modules_after("extract", str(REPORT), "--format", "json")
    assert "extractor.verify.claims" in loaded["worker"]  # the probe really extracted there
    assert _under(loaded["worker"], HEAVY) == []
    assert _under(loaded["cli"], HEAVY) == []  # only extract's own module declares options
    assert _under(loaded["cli"], (*PIPELINE, "rich")) == []  # JSON needs no console
    assert _under(loaded["cli"], ("hashlib", "tempfile")) == []  # the worker hashes; nothing is written
    others = {f"extractor.cli.{m}" for m in ("batch", "bench", "evaluate", "export", "logs", "review", "serve")}
    assert sorted(loaded["cli"] & others) == []


def test_extract_pdf_report_reads_pdfium_without_pypdfium2() -> None:
    """pdfium is called directly (load/pdf_library.py): pypdfium2's Python package, ~30 ms of
    start-up, is only the wheel that ships the library."""
    loaded = _modules_after("extract", str(REPORTS / "huaian-gov-2024.pdf"), "--format", "json", year=2024)
    assert "extractor.load.pdf_layout" in loaded["worker"]  # the probe really read the PDF there
    assert _under(loaded["worker"], ("pypdfium2", "pypdfium2_raw", "pypdfium2_cfg", "cffi")) == []
    # a text layer throughout: no page needs OCR
    assert _under(loaded["worker"], ("extractor.load.ocr", "extractor.load.ocr_engine")) == []


def test_a_second_run_reads_the_rules_from_the_cache(tmp_path: Path) -> None:
    env = {"NIANBAO_CATALOGUE_CACHE": str(tmp_path)}
    first = _modules_after("extract", str(REPORT), "--format", "json", env=env)
    assert "pydantic" in first["worker"]  # a cold cache: the rule files are validated
    assert sorted(p.name.split("-")[0] for p in tmp_path.glob("*.form-*.marshal")) == ["claims.form", "rules.form"]
    again = _modules_after("extract", str(REPORT), "--format", "json", env=env)
    assert "extractor.verify.claims" in again["worker"] and "yaml" not in again["worker"]
    # The report, its evidence, claims, findings and JSON are plain classes: pydantic is only for JSON coming in.
    assert _under(again["worker"], ("pydantic", "pydantic_core")) == []
    # Its classes are records (extractor/record.py): dataclasses, and the inspect it imports, cost ~40 ms.
    assert _under(again["worker"], ("dataclasses", "inspect")) == []


# The console script with an exit handler of the caller's: it must still run, and the
# output come out whole, though the extracting commands skip the interpreter's teardown.
_SCRIPT = """
import atexit, sys
atexit.register(lambda: print("exit handlers ran", file=sys.stderr, flush=True))
sys.argv = ["nianbao", *sys.argv[1:]]
from extractor.cli import script
script()
print("not reached", file=sys.stderr)
"""


def _script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _SCRIPT, *args], capture_output=True, text=True, timeout=120)


def test_extract_exits_with_its_output_whole_and_exit_handlers_run() -> None:
    done = _script("extract", str(REPORT), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meta"]["year"] == 2023
    assert done.stderr.splitlines() == ["exit handlers ran"]


def test_extract_of_a_missing_file_exits_2_through_the_same_door(tmp_path: Path) -> None:
    done = _script("extract", str(tmp_path / "gone.txt"))
    assert done.returncode == 2
    assert "gone.txt" in done.stderr and "exit handlers ran" in done.stderr and "Traceback" not in done.stderr


def test_other_commands_end_by_system_exit() -> None:
    done = _script("--version")
    assert done.returncode == 0 and done.stdout.strip()
    assert "exit handlers ran" in done.stderr and "not reached" not in done.stderr
