"""What a model call costs: a price table per model, in US dollars per million
input (prompt) and output (completion) tokens.

The table ships in ``config/prices.toml`` (each entry dated: prices change and
must be checked) and ``[prices.<model>]`` in ``nianbao.toml`` adds or overrides
entries. A model found in neither has no price: its cost is unknown (``None``),
never guessed. Models are matched by exact name as sent to the endpoint.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, NonNegativeFloat, ValidationError

from ..errors import ConfigError
from ..resources import data_dir

PER = 1_000_000


class Price(BaseModel):
    """US dollars per million tokens, and when that was the published price."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input: NonNegativeFloat
    output: NonNegativeFloat
    as_of: str | None = None
    source: str | None = None

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """Dollars for that many tokens."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / PER


def _entries(where: Path | str, table: Any) -> dict[str, Price]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [prices] must hold one table per model")
    out = {}
    for model, entry in table.items():
        try:
            out[model] = Price.model_validate(entry)
        except ValidationError as e:
            err = e.errors()[0]
            raise ConfigError(f"{where}: [prices.{model!r}] {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    return out


def builtin_prices() -> dict[str, Price]:
    """The table shipped in ``config/prices.toml``."""
    path = data_dir("config") / "prices.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read the price table {path}: {e}") from None
    return _entries(path, data.get("prices", {}))


def price_table(config: tuple[Path | None, dict[str, Any]]) -> dict[str, Price]:
    """The shipped table with the config file's ``[prices]`` over it."""
    path, data = config
    return builtin_prices() | _entries(path or "nianbao.toml", data.get("prices", {}))
