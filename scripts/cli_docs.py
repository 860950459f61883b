"""Write docs/cli.md from the commands' own --help (tests/test_docs.py checks it is current).

    .venv/bin/python scripts/cli_docs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["", "extract", "verify", "eval", "bench", "logs"]


def render() -> str:
    runner = CliRunner()
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    note = "Generated from `--help` by `scripts/cli_docs.py`; a test keeps it current."
    parts = ["# Command-line reference", "", note, ""]
    for name in COMMANDS:
        args = [name, "--help"] if name else ["--help"]
        out = runner.invoke(app, args, env=env, prog_name="nianbao").output
        text = "\n".join(line.rstrip() for line in out.strip("\n").splitlines()).strip("\n")
        parts += [f"## nianbao {name}".rstrip(), "", "```", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    (ROOT / "docs" / "cli.md").write_text(render(), encoding="utf-8")
    sys.stdout.write("wrote docs/cli.md\n")
