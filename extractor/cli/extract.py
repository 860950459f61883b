"""``nianbao extract``: one report to canonical JSON or a readable table view."""

from __future__ import annotations

import contextlib
import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InputError
from ..llm import NAMES as LLM_NAMES
from . import BACKEND, NO_OCR
from ._common import BASE_URL_HELP, MODEL_HELP, NO_CACHE_HELP, console, err_console, shown, user_errors


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
        str,
        typer.Option(
            *BACKEND, help=f"parser | {' | '.join(LLM_NAMES)}; llm and hybrid ask a model (docs/llm.md)"
        ),
    ] = "parser",
    model: Annotated[str | None, typer.Option("--model", help=MODEL_HELP)] = None,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help=BASE_URL_HELP)
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help=NO_CACHE_HELP)] = False,
    no_ocr: Annotated[
        bool, typer.Option(NO_OCR, help="Refuse scanned PDFs and pictures instead of reading them by OCR")
    ] = False,
) -> None:
    """Extract one report into the canonical schema, with claims and findings."""
    if output is not None and output.exists() and file.exists() and output.samefile(file):
        raise InputError("is the report itself: choose another -o", path=str(output))
    from ..load.isolate import listening
    from ..pipeline import extract, extract_json

    llm = None
    if backend in LLM_NAMES:
        from ..llm.settings import LLMSettings

        llm = LLMSettings.from_env(model=model, base_url=base_url, cache=not no_cache)
    as_json = format is Format.json or output is not None
    data: dict[str, Any] | None = None
    with listening(lambda message: err_console.print(f"{file.name}: {message}", highlight=False, markup=False)):
        if as_json and backend == "parser":  # the JSON comes from the worker as plain data
            data = extract_json(file, ocr=not no_ocr)
        else:
            result = extract(file, backend=backend, llm=llm, ocr=not no_ocr)
            data = result.to_json() if as_json else None
    if data is not None:
        text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)
        if output is not None:
            write_atomically(output, text + "\n")
            console.print(f"wrote {shown(str(output))}", highlight=False, markup=False)
        else:
            typer.echo(text)
        return
    from .render import render_result

    render_result(result, console)


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file renamed over ``path``: a full disk or a kill
    leaves the old file or none, never a truncated one."""
    import tempfile  # only with -o

    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as a plain write would create it
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise InputError(f"cannot write: {e.strerror or e}", path=str(path)) from e
