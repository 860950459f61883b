"""The rule catalogue (``rules/*.yaml``), loaded once and validated.

Rules are data so a domain expert can add a summation without Python; this
module turns the YAML into checked pydantic models and expands a rule's
operands over canonical paths. Operand syntax (see ``rules/README.md``)::

    [-][prev:]applications.{row}.[applicant]

``{var}`` gives one check per value of the set named in the rule's ``for``;
``[set]`` adds up every key of a set; ``*`` adds up every key at one level of
the report (a group printed as a single row, like the 2019 （六）其他处理,
matches the ``*`` level collapsed); ``-`` subtracts; ``prev:`` reads the
previous year's report (cross-year rules only). A malformed file raises
:class:`~extractor.errors.ConfigError` naming it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, model_validator

from ..errors import ConfigError
from ..resources import data_dir
from ..result import Severity
from ..template import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    Template,
    active_paths,
    application_paths,
    application_rows,
    review_paths,
)
from .compiled import read_yaml

#: Sets every rule file may use without defining them (keys → Chinese labels).
BUILTIN_SETS: dict[str, dict[str, str]] = {
    "column": dict(APPLICANT_COLUMNS),
    "applicant": {k: v for k, v in APPLICANT_COLUMNS.items() if k != "total"},
    "organisation": {k: v for k, v in APPLICANT_COLUMNS.items() if k not in {"natural_person", "total"}},
    "table3_row": dict(application_rows(True) + application_rows(False)),
    "review_group": dict(REVIEW_GROUPS),
    "review_result": {k: v for k, v in REVIEW_COLUMNS.items() if k != "total"},
    "active_row": {k: lab for rows in ACTIVE_ROWS.values() for k, (lab, _) in rows.items()},
}

#: Every canonical path a rule or claim may name (both templates, both forms of （六）).
KNOWN_PATHS: frozenset[str] = frozenset(
    application_paths(True)
    + application_paths(False)
    + review_paths()
    + active_paths("2021")
    + active_paths("2019")
    + ["meta.year"]
)

_TEMPLATES: tuple[Template, ...] = ("2021", "2019")
_VAR = re.compile(r"\{(\w+)\}")
_SET = re.compile(r"\[(\w+)\]")
_OPERAND = re.compile(r"^(-)?(prev:)?([\w.*{}\[\]]+)$")


class Title(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][\w.-]*$")
    title: Title
    severity: Severity
    templates: list[Template] = Field(default_factory=lambda: list(_TEMPLATES))
    for_: dict[str, str] = Field(default_factory=dict, alias="for")

    def operands(self) -> list[str]:
        return []


class SumRule(_Rule):
    """The sum of ``parts`` stands in relation ``op`` to the sum of ``total``
    (the side the document prints as the total; empty means zero)."""

    check: Literal["sum"]
    total: list[str]
    parts: list[str]
    op: Literal["=", ">=", "<="] = "="

    def operands(self) -> list[str]:
        return self.total + self.parts


class BoundsRule(_Rule):
    """Each cell lies within [min, max] and has at most ``decimals`` decimals."""

    check: Literal["bounds"]
    cells: list[str]
    min: float | None = None
    max: float | None = None
    decimals: int | None = None

    def operands(self) -> list[str]:
        return self.cells


class PublishedRule(_Rule):
    """``meta.published`` falls after the end of ``meta.year``."""

    check: Literal["published_after_year"]


Rule = Annotated[SumRule | BoundsRule | PublishedRule, Field(discriminator="check")]


class RuleFile(BaseModel):
    """One YAML file: named sets (shared by every file) and rules."""

    model_config = ConfigDict(extra="forbid")

    sets: dict[str, list[str]] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_resolve(self, info: ValidationInfo) -> RuleFile:
        sets: dict[str, dict[str, str]] = (info.context or {}).get("sets", BUILTIN_SETS)
        for rule in self.rules:
            for var, set_name in rule.for_.items():
                if set_name not in sets:
                    raise ValueError(f"rule {rule.id}: for {var}: unknown set {set_name!r}")
            for op in rule.operands():
                _check_operand(rule, op, sets)
        return self


def _check_operand(rule: _Rule, operand: str, sets: dict[str, dict[str, str]]) -> None:
    m = _OPERAND.match(operand)
    if not m:
        raise ValueError(f"rule {rule.id}: cannot read operand {operand!r}")
    if m.group(2) and not isinstance(rule, SumRule):
        raise ValueError(f"rule {rule.id}: prev: is only allowed in sum rules")
    for var in _VAR.findall(operand):
        if var not in rule.for_:
            raise ValueError(f"rule {rule.id}: {{{var}}} in {operand!r} is not declared in for")
    for name in _SET.findall(operand):
        if name not in sets:
            raise ValueError(f"rule {rule.id}: unknown set [{name}] in {operand!r}")
    if not any(operands(operand, b, sets, KNOWN_PATHS, KNOWN_PATHS) for b in bindings(rule, sets)):
        raise ValueError(f"rule {rule.id}: {operand!r} names no canonical path")


@dataclass(frozen=True, slots=True, eq=False)
class Catalogue:
    """All rules, by file order; ``sets`` holds builtin and file-defined sets."""

    rules: tuple[SumRule | BoundsRule | PublishedRule, ...]
    sets: dict[str, dict[str, str]]


def validation_message(e: ValidationError) -> str:
    """The first pydantic error as one line: where, then what."""
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else err["msg"]


def _file_sets(path: Path, data: Any) -> dict[str, dict[str, str]]:
    raw = data.get("sets", {}) if isinstance(data, dict) else {}
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(k, str) for k in v) for v in raw.values()
    ):
        raise ConfigError("sets: each set must be a list of keys", path=str(path))
    return {str(name): dict.fromkeys(keys, "") for name, keys in raw.items()}


@functools.lru_cache(maxsize=8)
def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Every ``*.yaml`` in ``directory`` except ``claims.yaml``, validated; cached.

    Sets defined in any file are visible to every file.
    """
    directory = directory or data_dir("rules")
    files = sorted(p for p in directory.glob("*.yaml") if p.name != "claims.yaml")
    if not files:
        raise ConfigError("no rule files found", path=str(directory))
    raw = {path: read_yaml(path) for path in files}
    sets = dict(BUILTIN_SETS)
    for path, data in raw.items():
        for name, keys in _file_sets(path, data).items():
            if name in sets:
                raise ConfigError(f"set {name} is defined twice", path=str(path))
            sets[name] = keys
    rules: list[SumRule | BoundsRule | PublishedRule] = []
    seen: dict[str, Path] = {}
    for path, data in raw.items():
        try:
            parsed = RuleFile.model_validate(data, context={"sets": sets})
        except ValidationError as e:
            raise ConfigError(validation_message(e), path=str(path)) from None
        for rule in parsed.rules:
            if rule.id in seen:
                raise ConfigError(f"duplicate rule id {rule.id} (first in {seen[rule.id].name})", path=str(path))
            seen[rule.id] = path
            rules.append(rule)
    return Catalogue(tuple(rules), sets)


# -- operand expansion ---------------------------------------------------------------------------


def _fits(leaf: str, parts: list[str]) -> bool:
    """Whether ``leaf`` is ``parts`` with each ``*`` standing for one whole segment."""
    got = leaf.split(".")
    return len(got) == len(parts) and all(p in ("*", g) for p, g in zip(parts, got, strict=True))


def expand(path: str, leaves: Collection[str]) -> list[str]:
    """Concrete leaf paths a path (possibly with ``*``) names among ``leaves``; a path
    with one ``*`` that names none also tries its collapsed form (that level dropped).

    Plain string tests rather than a regex per path: compiling those was most of the first check's cost.
    """
    if "*" not in path:
        return [path] if path in leaves else []
    parts = path.split(".")
    prefix = path[: path.index("*")]
    found = [p for p in leaves if p.startswith(prefix) and _fits(p, parts)]
    if not found and parts.count("*") == 1:
        collapsed = ".".join(p for p in parts if p != "*")
        found = [collapsed] if collapsed in leaves else []
    return found


def expand_sets(path: str, sets: dict[str, dict[str, str]]) -> list[str]:
    """One path per key of every ``[set]`` in ``path`` (their product)."""
    paths = [path]
    for name in _SET.findall(path):
        paths = [p.replace(f"[{name}]", key, 1) for p in paths for key in sets[name]]
    return paths


@dataclass(frozen=True, slots=True)
class Operand:
    """One concrete cell of a relation: its path, sign and which year it reads."""

    path: str
    sign: int = 1
    prev: bool = False


def bindings(rule: _Rule, sets: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Every assignment of the rule's ``for`` variables (one check each)."""
    names = list(rule.for_)
    values = [list(sets[rule.for_[n]]) for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def operands(
    spec: str,
    binding: dict[str, str],
    sets: dict[str, dict[str, str]],
    leaves: Collection[str],
    prev_leaves: Collection[str] = (),
) -> list[Operand] | None:
    """The cells one operand spec names under ``binding``; None when a named
    path does not exist in the report's shape (the check does not apply)."""
    m = _OPERAND.match(spec)
    assert m is not None  # validated at load time
    sign, prev = (-1 if m.group(1) else 1), bool(m.group(2))
    paths = expand_sets(_VAR.sub(lambda v: binding[v.group(1)], m.group(3)), sets)
    pool = prev_leaves if prev else leaves
    out: list[Operand] = []
    for p in paths:
        found = expand(p, pool)
        if not found:
            return None
        out += [Operand(f, sign, prev) for f in found]
    return out
