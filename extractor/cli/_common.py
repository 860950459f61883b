"""What every command shares: the consoles and the bad-input exit."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from ..errors import NianbaoError

console = Console()
err_console = Console(stderr=True)

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


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`NianbaoError` into one line on stderr and exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except NianbaoError as e:
            err_console.print(f"nianbao: {e}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("nianbao: interrupted")
            sys.exit(130)

    return wrapper
