"""The ``nianbao`` typer app: one module per command, assembled here."""

from __future__ import annotations

from typing import Annotated

import typer

from ..resources import nianbao_version
from . import batch, bench, evaluate, export, extract, logs, review, serve, verify

app = typer.Typer(
    name="nianbao",
    help="Extract and verify Chinese government information disclosure annual reports (政府信息公开工作年度报告).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nianbao {nianbao_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """Extract and verify Chinese government information disclosure annual reports (政府信息公开工作年度报告)."""


app.command("extract")(extract.command)
app.command("eval")(evaluate.command)
app.command("bench")(bench.command)
app.command("logs")(logs.command)
app.command("verify")(verify.command)
app.command("batch")(batch.command)
app.command("export")(export.command)
app.command("serve")(serve.command)
app.command("review")(review.command)
