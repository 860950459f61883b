"""Start-up stays lean: ``nianbao extract`` on a text report imports only what it uses,
and the command line itself none of the pipeline (the worker extracts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPORT = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports" / "panyu-hrss-2023.txt"

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


def _modules_after(*args: str, env: dict[str, str] | None = None) -> dict[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meta"]["year"] == 2023
    return {k: set(v) for k, v in json.loads(done.stderr.strip().splitlines()[-1]).items()}


def _under(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


def test_extract_text_report_imports_no_heavy_module() -> None:
    loaded = _modules_after("extract", str(REPORT), "--format", "json")
    assert "extractor.verify.claims" in loaded["worker"]  # the probe really extracted there
    assert _under(loaded["worker"], HEAVY) == []
    assert _under(loaded["cli"], HEAVY) == []  # only extract's own module declares options
    assert _under(loaded["cli"], (*PIPELINE, "rich")) == []  # JSON needs no console
    others = {f"extractor.cli.{m}" for m in ("batch", "bench", "evaluate", "export", "logs", "review", "serve")}
    assert sorted(loaded["cli"] & others) == []


def test_a_second_run_reads_the_rules_from_the_cache(tmp_path: Path) -> None:
    env = {"NIANBAO_CATALOGUE_CACHE": str(tmp_path)}
    _modules_after("extract", str(REPORT), "--format", "json", env=env)
    assert sorted(p.name.split("-")[1] for p in tmp_path.glob("yaml-*.marshal")) == sorted(
        p.stem for p in (REPORT.parents[3] / "rules").glob("*.yaml")
    )
    again = _modules_after("extract", str(REPORT), "--format", "json", env=env)
    assert "extractor.verify.claims" in again["worker"] and "yaml" not in again["worker"]


def _pydantic_after(code: str) -> list[str]:
    """The pydantic modules a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('pydantic'))))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_reading_a_report_into_its_json_imports_no_pydantic() -> None:
    # The core types, the parser and the result's JSON are plain classes: pydantic is for JSON coming in.
    code = f"""
from extractor.load import load
from extractor.parse.extraction import parser_backend
from extractor.parse.ocr_notes import ocr_findings
from extractor.result import Result
doc = load({str(REPORT)!r})
parsed = parser_backend(doc).parsed
out = Result(parsed.report, parsed.evidence, findings=parsed.findings + ocr_findings(doc, parsed.evidence)).to_json()
assert out["meta"]["year"] == 2023 and out["applications"]["new_received"]["total"] is not None
"""
    assert _pydantic_after(code) == []
    assert _pydantic_after("from extractor.schema import validate_report") != []  # the probe sees pydantic


@pytest.mark.xfail(strict=True, reason="until branch plain-catalogue is merged: the rule and claims catalogues "
                   "(verify/catalogue.py, verify/claims.py's YAML models) still import pydantic")
def test_the_workers_warm_up_and_an_extraction_import_no_pydantic() -> None:
    code = f"""
from extractor import pipeline
pipeline.warm([".txt"])
assert pipeline._extract_file_json({str(REPORT)!r}, False)["meta"]["year"] == 2023
"""
    assert _pydantic_after(code) == []
