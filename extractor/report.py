"""The canonical report as the pipeline passes it around: plain classes, no validation.

:class:`Report` holds ``meta`` and FORMAT.md's three tables as canonical nested dicts
(a table the report lacks is ``None``), and keeps their leaves by dotted path, which
every stage after the parser reads. The parser builds one from what it read
(:meth:`Report.from_leaves`); JSON that comes in from outside is validated by
:func:`extractor.schema.validate_report` first. Importing pydantic and building its
models was half of a worker's start-up, so the extraction path does without.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from . import cache
from .record import field, record
from .template import Template, active_paths, active_template, application_paths, review_paths, splits_other

#: The table sections of a canonical report, in FORMAT.md's order.
SECTIONS = ("active", "applications", "review_litigation")

_ISO_DATE = cache.compile(r"\d{4}-\d{2}-\d{2}")


@record
class Meta:
    """Who published the report, for which year, on which template, and when."""

    agency: str | None = None
    year: int | None = None
    template: Template | None = None
    published: str | None = None

    #: When pydantic validates this class (inside :mod:`extractor.schema`): unknown keys are an error.
    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}

    def __post_init__(self) -> None:
        # Raised as a ValueError so that pydantic, validating input JSON, reports it as a validation error.
        if self.published is not None and not _ISO_DATE.fullmatch(self.published):
            raise ValueError(f"published must be YYYY-MM-DD, got {self.published!r}")

    def to_json(self) -> dict[str, Any]:
        return {"agency": self.agency, "year": self.year, "template": self.template, "published": self.published}


@record
class Report:
    """The canonical report: FORMAT.md without claims and findings.

    The sections are the full canonical shape of their template (every leaf, ``None``
    where blank); treat them as read-only — :meth:`leaves` is computed once from them.
    """

    meta: Meta = field(default_factory=Meta)
    active: dict[str, Any] | None = None
    applications: dict[str, Any] | None = None
    review_litigation: dict[str, Any] | None = None
    _leaves: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_leaves", flatten(self.sections()))  # (the type checker holds a record frozen)

    @classmethod
    def from_leaves(
        cls, meta: Meta, leaves: Mapping[str, Any], sections: Collection[str], other_split: bool
    ) -> Report:
        """The report whose ``sections`` hold ``leaves``, every other leaf of their shape
        ``None``, in the template's order (table 二 needs ``meta.template``; without it,
        that table is ``None``). ``other_split``: table 三's （六）其他处理 as three rows."""
        shaped: dict[str, dict[str, Any] | None] = dict.fromkeys(SECTIONS)
        for name in SECTIONS:
            if name in sections:
                shape = _shape(name, meta.template, other_split)
                if shape is not None:
                    shaped[name] = _fill(shape, leaves)
        return cls(meta, shaped["active"], shaped["applications"], shaped["review_litigation"])

    def sections(self) -> dict[str, dict[str, Any] | None]:
        """The three tables by section name (the dicts themselves: do not change them)."""
        return {"active": self.active, "applications": self.applications, "review_litigation": self.review_litigation}

    def to_canonical(self) -> dict[str, Any]:
        """FORMAT.md's JSON object (without ``claims`` and ``findings``), a fresh copy."""
        out: dict[str, Any] = {"schema_version": 1, "meta": self.meta.to_json()}
        for name, node in self.sections().items():
            out[name] = None if node is None else _copy(node)
        return out

    def leaves(self) -> Mapping[str, Any]:
        """Every leaf of the three tables by canonical path (``applications.granted.total``),
        flattened once when the report was made."""
        return self._leaves

    @property
    def template(self) -> Template | None:
        """The template as read, else the one table 二's keys belong to (None without either)."""
        if self.meta.template is not None or self.active is None:
            return self.meta.template
        return active_template(self.active)

    @property
    def other_split(self) -> bool:
        """Whether table 三 prints （六）其他处理 as three rows: as read, else as the
        template does (2021: three rows, 2019: one)."""
        if self.applications is not None:
            return splits_other(self.applications.get("other"))
        return self.meta.template != "2019"


@functools.cache
def _shape(section: str, template: Template | None, other_split: bool) -> dict[str, Any] | None:
    """A section's canonical shape with each leaf's path in its place (None: table 二 of no template)."""
    if section == "applications":
        paths = application_paths(other_split)
    elif section == "review_litigation":
        paths = review_paths()
    elif template is not None:
        paths = active_paths(template)
    else:
        return None
    shape: dict[str, Any] = unflatten({p: p for p in paths})[section]
    return shape


def _fill(shape: dict[str, Any], leaves: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _fill(v, leaves) if isinstance(v, dict) else leaves.get(v) for k, v in shape.items()}


def _copy(node: dict[str, Any]) -> dict[str, Any]:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in node.items()}


def flatten(canonical: dict[str, Any]) -> dict[str, Any]:
    """Leaves of the table sections of a canonical dict, keyed by dotted path."""
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for k, v in node.items():
            if isinstance(v, dict):  # (a call per branch, not per leaf: a report has hundreds of leaves)
                walk(v, f"{prefix}.{k}")
            else:
                out[f"{prefix}.{k}"] = v

    for section in SECTIONS:
        node = canonical.get(section)
        if isinstance(node, dict):
            walk(node, section)
        elif node is not None:
            out[section] = node
    return out


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`flatten`: nested dicts from dotted paths."""
    root: dict[str, Any] = {}
    for path, value in flat.items():
        node = root
        *parents, last = path.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    return root

