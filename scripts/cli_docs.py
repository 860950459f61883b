"""Write docs/cli.md from the commands themselves (tests/test_docs.py checks it is current).

    .venv/bin/python scripts/cli_docs.py

Rendered from the command objects typer builds — names, help, options, defaults — not
from the rich help screen, so a new typer or rich release does not change it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from extractor.cli import app

ROOT = Path(__file__).resolve().parents[1]


def _param(p: Any) -> str:
    names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
    kind = "argument" if p.param_type_name == "argument" else "option"
    bits = [getattr(p, "help", None) or ""]
    if p.required:
        bits.append("(required)")
    elif p.default not in (None, False, ()) and not callable(p.default):
        bits.append(f"(default: `{getattr(p.default, 'value', p.default)}`)")
    meaning = " ".join(b for b in bits if b).replace("|", "\\|")
    return f"| {names} | {kind} | {meaning} |"


def render() -> str:
    group: Any = typer.main.get_command(app)  # typer's own click; read by attribute
    note = "Generated from the commands by `scripts/cli_docs.py`; a test keeps it current."
    out = ["# Command-line reference", "", note, ""]
    out += [(group.help or "").strip(), ""]
    for name, cmd in group.commands.items():
        out += [f"## nianbao {name}", "", (cmd.help or "").strip(), "", "| name | kind | meaning |", "|---|---|---|"]
        out += [_param(p) for p in cmd.params if p.name != "help"]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    (ROOT / "docs" / "cli.md").write_text(render(), encoding="utf-8")
    sys.stdout.write("wrote docs/cli.md\n")
