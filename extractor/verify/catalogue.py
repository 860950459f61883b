"""The rule catalogue (``rules/*.yaml``), loaded once and validated.

Rules are data so a domain expert can add a summation without Python; this
module turns the YAML into checked plain classes (pydantic validates them, only
when the validated form is not cached) and expands a rule's
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
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, dataclass_transform

from .. import cache
from ..errors import ConfigError
from ..record import Field, asdict, field, record
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
from .compiled import cached_form, parse_yaml, read_rule_file

if TYPE_CHECKING:
    from pydantic import ValidationError

T = TypeVar("T")

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


_TEMPLATES: tuple[Template, ...] = ("2021", "2019")
_VAR = cache.compile(r"\{(\w+)\}")
_SET = cache.compile(r"\[(\w+)\]")
_OPERAND = cache.compile(r"^(-)?(prev:)?([\w.*{}\[\]]+)$")
_ID = cache.compile(r"[A-Za-z0-9][\w.-]*")




@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(field, Field))
def shape(cls: type[T]) -> type[T]:
    """A class a rule file is validated into (by pydantic, through the record's twin)
    and the catalogue is made of: a :func:`~extractor.record.record`, keyword-only
    (required fields follow inherited defaults; the cache's form is a dict per object),
    compared by identity. pydantic is told that a key the class has no field for is an error."""
    setattr(cls, "__pydantic_config__", {"extra": "forbid"})  # noqa: B010 - pydantic reads it off the class
    return record(kw_only=True, eq=False)(cls)


class _ByCheck:
    """Tells pydantic that a rule's ``check`` names its class (pydantic is imported
    only when it validates a file, never to define the classes)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import Discriminator

        return Discriminator("check").__get_pydantic_core_schema__(source, handler)


@shape
class Title:
    zh: str
    en: str


@shape
class _Rule:
    id: str
    title: Title
    severity: Severity
    templates: list[Template] = field(default_factory=lambda: list(_TEMPLATES))
    #: ``for`` in the file
    for_: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"id {self.id!r} should match pattern '^{_ID.pattern}$'")

    def operands(self) -> list[str]:
        return []


@shape
class SumRule(_Rule):
    """The sum of ``parts`` stands in relation ``op`` to the sum of ``total``
    (the side the document prints as the total; empty means zero)."""

    check: Literal["sum"]
    total: list[str]
    parts: list[str]
    op: Literal["=", ">=", "<="] = "="

    def operands(self) -> list[str]:
        return self.total + self.parts


@shape
class BoundsRule(_Rule):
    """Each cell lies within [min, max] and has at most ``decimals`` decimals."""

    check: Literal["bounds"]
    cells: list[str]
    min: float | None = None
    max: float | None = None
    decimals: int | None = None

    def operands(self) -> list[str]:
        return self.cells


@shape
class PublishedRule(_Rule):
    """``meta.published`` falls after the end of ``meta.year``."""

    check: Literal["published_after_year"]


Rule = SumRule | BoundsRule | PublishedRule
_RULES: dict[str, type[Rule]] = {"sum": SumRule, "bounds": BoundsRule, "published_after_year": PublishedRule}


@shape
class RuleFile:
    """One YAML file: named sets (shared by every file) and rules."""

    sets: dict[str, list[str]] = field(default_factory=dict)
    rules: list[Annotated[Rule, _ByCheck()]] = field(default_factory=list)

    def check_names(self, sets: dict[str, dict[str, str]]) -> None:
        """Raise ValueError unless every set, variable and path a rule names exists
        (``sets``: those of every file)."""
        for rule in self.rules:
            for var, set_name in rule.for_.items():
                if set_name not in sets:
                    raise ValueError(f"rule {rule.id}: for {var}: unknown set {set_name!r}")
            for op in rule.operands():
                _check_operand(rule, op, sets)


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


@record(eq=False)
class Catalogue:
    """All rules, by file order; ``sets`` holds builtin and file-defined sets."""

    rules: tuple[Rule, ...]
    sets: dict[str, dict[str, str]]


#: pydantic's words for a key a plain class has no field for, or lacks: as for its models
_MESSAGES = {"unexpected_keyword_argument": "Extra inputs are not permitted", "missing_argument": "Field required"}


def validation_message(e: ValidationError, aliases: dict[str, str] | None = None) -> str:
    """The first pydantic error as one line: where (a field under its name in the
    file: ``aliases``), then what."""
    err = e.errors()[0]
    where = ".".join(str((aliases or {}).get(str(p), p)) for p in err["loc"])
    msg = _MESSAGES.get(err["type"], err["msg"])
    return f"{where}: {msg}" if where else msg


def validate(cls: type[T], data: Any, path: Path, aliases: dict[str, str] | None = None) -> T:
    """``data`` (a parsed file) validated into the plain class ``cls`` by pydantic,
    imported here: only a cold cache validates. A bad file raises ConfigError naming it."""
    from pydantic import TypeAdapter, ValidationError

    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    try:
        validated: T = adapter.validate_python(data)
    except ValidationError as e:
        raise ConfigError(validation_message(e, aliases), path=str(path)) from None
    return validated


#: pydantic's validator of each class a file is validated into, built once (costly)
_ADAPTERS: dict[type, Any] = {}


def _file_sets(path: Path, data: Any) -> dict[str, dict[str, str]]:
    raw = data.get("sets", {}) if isinstance(data, dict) else {}
    if not isinstance(raw, dict) or not all(
        isinstance(v, list) and all(isinstance(k, str) for k in v) for v in raw.values()
    ):
        raise ConfigError("sets: each set must be a list of keys", path=str(path))
    return {str(name): dict.fromkeys(keys, "") for name, keys in raw.items()}


def _with_for_(data: Any) -> Any:
    """The file with each rule's ``for`` under its field name (``for`` is a Python keyword)."""
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        return data
    rules = [
        {("for_" if k == "for" else k): v for k, v in r.items()} if isinstance(r, dict) and "for_" not in r else r
        for r in data["rules"]
    ]
    return {**data, "rules": rules}


@functools.lru_cache(maxsize=8)
def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Every ``*.yaml`` in ``directory`` except ``claims.yaml``, validated; cached
    (in the process, and its validated form on disk: :func:`~.compiled.cached_form`).

    Sets defined in any file are visible to every file.
    """
    directory = directory or data_dir("rules")
    files = sorted(p for p in directory.glob("*.yaml") if p.name != "claims.yaml")
    if not files:
        raise ConfigError("no rule files found", path=str(directory))
    contents = {path: read_rule_file(path) for path in files}
    inputs = [b for path, content in contents.items() for b in (path.name.encode(), content)]
    return cached_form("rules.form", inputs, lambda: _validated(contents), _catalogue)


def _validated(contents: dict[Path, bytes]) -> dict[str, Any]:
    """The rule files (path → bytes, in file order) validated: sets and rules as plain data."""
    raw = {path: parse_yaml(path, content) for path, content in contents.items()}
    sets = dict(BUILTIN_SETS)
    for path, data in raw.items():
        for name, keys in _file_sets(path, data).items():
            if name in sets:
                raise ConfigError(f"set {name} is defined twice", path=str(path))
            sets[name] = keys
    rules: list[dict[str, Any]] = []
    seen: dict[str, Path] = {}
    for path, data in raw.items():
        parsed = validate(RuleFile, _with_for_(data), path, {"for_": "for"})
        try:
            parsed.check_names(sets)
        except ValueError as e:
            raise ConfigError(str(e), path=str(path)) from None
        for rule in parsed.rules:
            if rule.id in seen:
                raise ConfigError(f"duplicate rule id {rule.id} (first in {seen[rule.id].name})", path=str(path))
            seen[rule.id] = path
            rules.append(asdict(rule))
    return {"sets": sets, "rules": rules}


def _catalogue(form: dict[str, Any]) -> Catalogue:
    """The catalogue of a validated form (:func:`_validated`, or the cache's copy of it)."""
    rules = tuple(_RULES[r["check"]](**{**r, "title": Title(**r["title"])}) for r in form["rules"])
    return Catalogue(rules, form["sets"])


# -- operand expansion ---------------------------------------------------------------------------


class Leaves(dict[str, None]):
    """The leaf paths of one report shape (or of every shape), in order, with the tree
    they make, so that :func:`expand` walks a wildcard path level by level instead of
    testing every leaf against it (expanding the catalogue over a report's shape was
    most of the first check's cost). Made once per shape: :func:`leaves_of`."""

    def __init__(self, paths: Iterable[str]) -> None:
        super().__init__(dict.fromkeys(paths))
        self._children: dict[str, list[str]] | None = None
        self._order: dict[str, int] = {}
        self._sections: dict[str, list[str]] = {}

    def under(self, section: str) -> list[str]:
        """The leaves of one section (``applications``…), in order; found once per shape."""
        found = self._sections.get(section)
        if found is None:
            found = self._sections[section] = [p for p in self if p.startswith(section + ".")]
        return found

    def named(self, parts: list[str]) -> list[str]:
        """The leaves ``parts`` (``*`` for any one segment) name, in leaf order."""
        if self._children is None:
            tree: dict[str, dict[str, None]] = {}
            for leaf in self:
                node = ""
                for part in leaf.split("."):
                    child = f"{node}.{part}" if node else part
                    tree.setdefault(node, {})[child] = None
                    node = child
            self._children = {node: list(children) for node, children in tree.items()}
            self._order = {leaf: i for i, leaf in enumerate(self)}
        children = self._children
        found = [""]
        for part in parts:
            if part == "*":
                found = [c for node in found for c in children.get(node, ())]
            else:
                found = [c for node in found if (c := f"{node}.{part}" if node else part) in children or c in self]
        return sorted((f for f in found if f in self), key=self._order.__getitem__)


@functools.lru_cache(maxsize=64)
def leaves_of(paths: tuple[str, ...]) -> Leaves:
    """The :class:`Leaves` of one report shape (its leaf paths in order), made once."""
    return Leaves(paths)


_NO_LEAVES = Leaves(())

#: Every canonical path a rule or claim may name (both templates, both forms of （六）).
KNOWN_PATHS = Leaves(
    application_paths(True)
    + application_paths(False)
    + review_paths()
    + active_paths("2021")
    + active_paths("2019")
    + ["meta.year"]
)


def expand(path: str, leaves: Leaves) -> list[str]:
    """Concrete leaf paths a path (possibly with ``*``) names among ``leaves``; a path
    with one ``*`` that names none also tries its collapsed form (that level dropped)."""
    if "*" not in path:
        return [path] if path in leaves else []
    parts = path.split(".")
    found = leaves.named(parts)
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


@record
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
    leaves: Leaves,
    prev_leaves: Leaves = _NO_LEAVES,
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
