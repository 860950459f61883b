"""``nianbao extract``: one report to canonical JSON or a readable table view."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..llm import NAMES as LLM_NAMES
from ._common import BASE_URL_HELP, MODEL_HELP, NO_CACHE_HELP, console, user_errors


class Format(StrEnum):
    table = "table"
    json = "json"


@user_errors
def command(
    file: Annotated[Path, typer.Argument(help="Report file: .txt .md .html .htm .pdf .docx")],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table (for people) or json (canonical)")
    ] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON here instead of stdout")] = None,
    backend: Annotated[
        str,
        typer.Option(
            "--backend", "-b", help=f"parser | {' | '.join(LLM_NAMES)}; llm and hybrid ask a model (docs/llm.md)"
        ),
    ] = "parser",
    model: Annotated[str | None, typer.Option("--model", help=MODEL_HELP)] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help=BASE_URL_HELP)
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=NO_CACHE_HELP)] = False,
) -> None:
    """Extract one report into the canonical schema, with claims and findings."""
    from ..pipeline import extract

    llm = None
    if backend in LLM_NAMES:
        from ..llm.settings import LLMSettings

        llm = LLMSettings.from_env(model=model, base_url=base_url, cache=not no_cache)
    result = extract(file, backend=backend, llm=llm)
    if format is Format.json or output is not None:
        text = json.dumps(result.to_json(), ensure_ascii=False, indent=2)
        if output is not None:
            try:
                output.write_text(text + "\n", encoding="utf-8")
            except OSError as e:
                raise InputError(f"cannot write: {e.strerror or e}", path=str(output)) from e
            console.print(f"wrote {output}", highlight=False)
        else:
            typer.echo(text)
        return
    from .render import render_result

    render_result(result, console)
