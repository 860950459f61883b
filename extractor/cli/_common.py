"""What every command shares: the consoles and the bad-input exit."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import typer

from ..errors import NianbaoError

if TYPE_CHECKING:
    from rich.console import Console


class _LazyConsole:
    """A rich Console made on its first use: importing rich costs a command tens of
    milliseconds, which one that prints only JSON need not pay."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)


console = cast("Console", _LazyConsole())
err_console = cast("Console", _LazyConsole(stderr=True))

P = ParamSpec("P")
R = TypeVar("R")

#: How each finding severity is shown.
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}

#: Help of the options that choose the model, shared by ``extract`` and ``eval``.
MODEL_HELP = "Model name (default: $NIANBAO_LLM_MODEL, then nianbao.toml)"
BASE_URL_HELP = "OpenAI-compatible endpoint (default: $NIANBAO_LLM_BASE_URL, $OPENAI_BASE_URL, nianbao.toml)"
NO_CACHE_HELP = "Ask the model even when its answer is cached"

#: Exit codes shared by all commands.
EXIT_FINDINGS, EXIT_BAD_INPUT = 1, 2


#: Exit code of a command whose reader closed the pipe (as for a process killed by SIGPIPE).
EXIT_BROKEN_PIPE = 141

#: Characters that steer a terminal (C0/C1 controls, DEL, bidi overrides) or cannot be
#: written at all (lone surrogates); a report's text and a file's name may hold any.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: str) -> str:
    """``text`` safe for a terminal line: every control character written as an escape (``\\x1b``)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def say_error(message: str) -> None:
    """One line on stderr, escaped."""
    err_console.print(f"nianbao: {shown(message)}", markup=False, highlight=False, soft_wrap=True)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`NianbaoError` into one line on stderr and exit 2; a closed
    pipe on stdout ends the command quietly, a failing stdout in one line."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = fn(*args, **kwargs)
            sys.stdout.flush()
            return result
        except NianbaoError as e:
            say_error(str(e))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except BrokenPipeError:
            _drop_stdout()  # the reader is gone (``| head``): nothing more to say
            raise typer.Exit(EXIT_BROKEN_PIPE) from None
        except OSError as e:  # stdout on a full disk, /dev/full, a vanished terminal
            say_error(f"cannot write the output: {e.strerror or e}")
            _drop_stdout()
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("nianbao: interrupted")
            sys.exit(130)

    return wrapper
