"""Start-up stays lean: ``nianbao extract`` on a text report imports only what it uses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[1] / "eval" / "fixtures" / "reports" / "panyu-hrss-2023.txt"

#: Modules the parser path must never load: the store, the service, eval, the model client.
HEAVY = (
    "extractor.store", "extractor.service", "extractor.evaluate", "extractor.llm.backend", "extractor.llm.client",
    "extractor.llm.ask", "openai", "instructor", "sqlalchemy", "fastapi", "charset_normalizer", "lxml", "pypdfium2",
)
#: What the command line needs of those packages to declare its options: enums and defaults only.
SIGNATURES = {"extractor.store", "extractor.store.formats", "extractor.service", "extractor.service.settings"}

_PROBE = """
import json, sys
from extractor.cli import app
try:
    app(sys.argv[1:])
except SystemExit as e:
    assert not e.code, e.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def _modules_after(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_extract_text_report_imports_no_heavy_module() -> None:
    loaded = _modules_after("extract", str(REPORT), "--format", "json")
    assert "extractor.verify.claims" in loaded  # the probe really extracted
    heavy = sorted(m for m in loaded - SIGNATURES if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert heavy == []
