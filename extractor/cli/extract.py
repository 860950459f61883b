"""``nianbao extract``: one report to canonical JSON or a readable table view."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError
from ..llm.backend import LLM_BACKENDS
from ..llm.settings import LLMSettings
from ..load.isolate import listening
from ..pipeline import BACKENDS, extract
from ._common import BASE_URL_HELP, MODEL_HELP, NO_CACHE_HELP, console, err_console, user_errors
from .render import render_result


class Format(StrEnum):
    table = "table"
    json = "json"


@user_errors
def command(
    file: Annotated[Path, typer.Argument(help="Report file: .txt .md .html .htm .pdf .docx .png .jpg .tif")],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table (for people) or json (canonical)")
    ] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON here instead of stdout")] = None,
    backend: Annotated[
        str, typer.Option("--backend", "-b", help=f"{' | '.join(BACKENDS)}; llm and hybrid ask a model (docs/llm.md)")
    ] = "parser",
    model: Annotated[str | None, typer.Option("--model", help=MODEL_HELP)] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help=BASE_URL_HELP)
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=NO_CACHE_HELP)] = False,
    no_ocr: Annotated[
        bool, typer.Option("--no-ocr", help="Refuse scanned PDFs and pictures instead of reading them by OCR")
    ] = False,
) -> None:
    """Extract one report into the canonical schema, with claims and findings."""
    llm = LLMSettings.from_env(model=model, base_url=base_url, cache=not no_cache) if backend in LLM_BACKENDS else None
    with listening(lambda message: err_console.print(f"{file.name}: {message}", highlight=False, markup=False)):
        result = extract(file, backend=backend, llm=llm, ocr=not no_ocr)
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
    render_result(result, console)
