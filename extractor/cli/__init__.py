"""The ``nianbao`` command line: one module per command, assembled in :mod:`.commands`
(a run naming a command imports only that command's module).

:func:`main` is the console script. Before it imports the CLI (typer, rich and the
command modules), a command that will extract starts the bounded worker, which
imports the pipeline and compiles the catalogues meanwhile on another core.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .commands import app

#: Commands whose first act is an extraction in the worker.
EXTRACTING = ("extract", "verify")


def _warm(args: list[str]) -> None:
    from ..pipeline import warm

    warm([Path(a).suffix for a in args if not a.startswith("-")])


def main() -> None:
    """Run ``nianbao`` with the arguments of this process."""
    if sys.argv[1:2] and sys.argv[1] in EXTRACTING and "--help" not in sys.argv:
        from ..load import isolate

        isolate.start(functools.partial(_warm, sys.argv[2:]))
    from .commands import COMMANDS, build

    named = sys.argv[1:2]
    build(named if named and named[0] in COMMANDS else COMMANDS)()


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .commands import build

    return build()


__all__ = ["app", "main"]
