"""The ``nianbao`` command line: one module per command, assembled in :mod:`.commands`
(a run naming a command imports only that command's module).

:func:`script` is the console script, :func:`main` the same for a caller that wants
its :class:`SystemExit`. Before it imports the CLI (typer, rich and the
command modules), a command that will extract starts the bounded worker, which
imports the pipeline, compiles the catalogues and extracts the report the arguments
name meanwhile on another core.
"""

from __future__ import annotations

import atexit
import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from .commands import app

#: Commands whose first act is an extraction in the worker.
EXTRACTING = ("extract", "verify")
#: ``extract``'s options that change what the worker is asked (read here before typer parses).
NO_OCR, BACKEND = "--no-ocr", ("--backend", "-b")


def _warm(args: list[str]) -> None:
    from ..pipeline import warm

    warm([Path(a).suffix for a in args if not a.startswith("-")])


def _read_ahead(args: list[str]) -> None:
    """Extract the first report the arguments name while this process imports typer (a
    model backend reads the file another way, and canonical JSON is only verified)."""
    from ..pipeline import read_ahead

    if not any(a in BACKEND for a in args):
        reports = [a for a in args if not a.startswith("-") and not a.lower().endswith(".json") and os.path.isfile(a)]
        if reports:
            read_ahead(reports[0], ocr=NO_OCR not in args)


def _extracting() -> bool:
    """Whether this process runs a command of :data:`EXTRACTING`."""
    return sys.argv[1:2] != [] and sys.argv[1] in EXTRACTING


def main() -> None:
    """Run ``nianbao`` with the arguments of this process."""
    if _extracting() and "--help" not in sys.argv:
        from ..load import isolate

        isolate.start(functools.partial(_warm, sys.argv[2:]), functools.partial(_read_ahead, sys.argv[2:]))
    from .commands import COMMANDS, build

    named = sys.argv[1:2]
    build(named if named and named[0] in COMMANDS else COMMANDS)()


def script() -> None:
    """The console script: :func:`main`, and for the extracting commands an exit that
    skips the interpreter's teardown (see :func:`_leave`)."""
    try:
        main()
    except SystemExit as done:
        if _extracting():
            _leave(done.code)
        raise


def _leave(code: object) -> NoReturn:
    """Exit with ``code`` as :class:`SystemExit` would, minus the interpreter's teardown.

    Freeing every module and object one by one takes ~20 ms, a sixth of a whole
    ``nianbao extract``, and serves no one: the exit handlers still run and the
    standard streams are flushed. Only the extracting commands leave this way; they
    write their files through ``with`` blocks, so no buffer waits for a finaliser.
    """
    status = 0 if code is None else code if isinstance(code, int) else 1
    if not isinstance(code, int | None):
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 1
    os._exit(status)


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .commands import build

    return build()


__all__ = ["app", "main", "script"]
