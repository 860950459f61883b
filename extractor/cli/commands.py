"""The ``nianbao`` typer app: one module per command, assembled here.

:func:`build` imports only the commands it is asked for: ``nianbao extract`` needs
neither the store's nor the service's modules, and typer converts the signature of
every command it holds at each run.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from ..resources import nianbao_version

#: Each command's module, in the order ``nianbao --help`` lists them.
COMMANDS = {
    "extract": "extract",
    "eval": "evaluate",
    "bench": "bench",
    "logs": "logs",
    "verify": "verify",
    "batch": "batch",
    "export": "export",
    "serve": "serve",
    "review": "review",
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nianbao {nianbao_version()}")
        raise typer.Exit()


def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit")
    ] = False,
) -> None:
    """Extract and verify Chinese government information disclosure annual reports (政府信息公开工作年度报告)."""


def build(names: Iterable[str] = COMMANDS) -> typer.Typer:
    """The app with the commands ``names`` (all by default)."""
    app = typer.Typer(
        name="nianbao",
        help="Extract and verify Chinese government information disclosure annual reports (政府信息公开工作年度报告).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_main)
    for name in names:
        module = importlib.import_module(f".{COMMANDS[name]}", __package__)
        app.command(name)(module.command)
    return app


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return build()
