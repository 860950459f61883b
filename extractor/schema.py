"""Pydantic models of FORMAT.md's canonical report, for both templates.

Validators check form only — known keys, ints for counts, floats for amounts,
dates as ``YYYY-MM-DD``. They never enforce the document's arithmetic (nor the
sign of a count): a printed error must survive extraction so the verifier can
report it.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, field_validator

from .template import Template

Count = StrictInt | None
Amount = float | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Meta(_Strict):
    agency: str | None = None
    year: int | None = None
    template: Template | None = None
    published: str | None = None

    @field_validator("published")
    @classmethod
    def _iso_date(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError(f"published must be YYYY-MM-DD, got {v!r}")
        return v


class Cols(_Strict):
    """One table 三 row over the seven applicant columns."""

    natural_person: Count = None
    commercial: Count = None
    research: Count = None
    social_org: Count = None
    legal_service: Count = None
    other_org: Count = None
    total: Count = None


class Withheld(_Strict):
    state_secret: Cols = Cols()
    other_law: Cols = Cols()
    security_stability: Cols = Cols()
    third_party: Cols = Cols()
    internal_affairs: Cols = Cols()
    process_info: Cols = Cols()
    enforcement_file: Cols = Cols()
    admin_query: Cols = Cols()


class Unavailable(_Strict):
    not_held: Cols = Cols()
    needs_creation: Cols = Cols()
    unclear: Cols = Cols()


class NotProcessed(_Strict):
    petition: Cols = Cols()
    duplicate: Cols = Cols()
    publication: Cols = Cols()
    excessive: Cols = Cols()
    confirmation: Cols = Cols()


class OtherSplit(_Strict):
    overdue_correction: Cols = Cols()
    overdue_fee: Cols = Cols()
    other: Cols = Cols()


class Applications(_Strict):
    new_received: Cols = Cols()
    carried_over: Cols = Cols()
    granted: Cols = Cols()
    partially_granted: Cols = Cols()
    withheld: Withheld = Withheld()
    unavailable: Unavailable = Unavailable()
    not_processed: NotProcessed = NotProcessed()
    other: OtherSplit | Cols = OtherSplit()
    total: Cols = Cols()
    carried_forward: Cols = Cols()


class ReviewGroup(_Strict):
    upheld: Count = None
    corrected: Count = None
    other: Count = None
    pending: Count = None
    total: Count = None


class ReviewLitigation(_Strict):
    review: ReviewGroup = ReviewGroup()
    litigation_direct: ReviewGroup = ReviewGroup()
    litigation_after_review: ReviewGroup = ReviewGroup()


class DocCounts2021(_Strict):
    issued: Count = None
    repealed: Count = None
    in_force: Count = None


class Decisions(_Strict):
    decisions: Count = None


class Fees2021(_Strict):
    amount_10k_yuan: Amount = None


class Active2021(_Strict):
    regulations: DocCounts2021 = DocCounts2021()
    normative_documents: DocCounts2021 = DocCounts2021()
    licensing: Decisions = Decisions()
    punishment: Decisions = Decisions()
    coercion: Decisions = Decisions()
    fees: Fees2021 = Fees2021()


class DocCounts2019(_Strict):
    made: Count = None
    published: Count = None
    total_published: Count = None


class Items2019(_Strict):
    prev_items: Count = None
    change: Count = None
    decisions: Count = None


class Fees2019(_Strict):
    prev_items: Count = None
    change: Count = None


class Procurement(_Strict):
    items: Count = None
    amount_10k_yuan: Amount = None


class Active2019(_Strict):
    regulations: DocCounts2019 = DocCounts2019()
    normative_documents: DocCounts2019 = DocCounts2019()
    licensing: Items2019 = Items2019()
    other_services: Items2019 = Items2019()
    punishment: Items2019 = Items2019()
    coercion: Items2019 = Items2019()
    fees: Fees2019 = Fees2019()
    procurement: Procurement = Procurement()


class Report(_Strict):
    """The canonical report: FORMAT.md without claims and findings."""

    schema_version: Literal[1] = 1
    meta: Meta = Meta()
    active: Active2021 | Active2019 | None = None
    applications: Applications | None = None
    review_litigation: ReviewLitigation | None = None

    @field_validator("active", mode="before")
    @classmethod
    def _pick_active(cls, v: Any) -> Any:
        # Choose the template's model by its keys, so a union never guesses.
        if isinstance(v, dict):
            is_2019 = "procurement" in v or "other_services" in v
            return Active2019.model_validate(v) if is_2019 else Active2021.model_validate(v)
        return v

    @field_validator("applications", mode="before")
    @classmethod
    def _pick_other(cls, v: Any) -> Any:
        if isinstance(v, dict) and isinstance(v.get("other"), dict):
            other = v["other"]
            v = dict(v)
            v["other"] = Cols.model_validate(other) if "natural_person" in other else OtherSplit.model_validate(other)
        return v

    def to_canonical(self) -> dict[str, Any]:
        """FORMAT.md's JSON object (without ``claims`` and ``findings``)."""
        return self.model_dump(mode="json")

    def leaves(self) -> dict[str, Any]:
        """Every leaf of the three tables by canonical path (``applications.granted.total``)."""
        return flatten(self.to_canonical())


SECTIONS = ("active", "applications", "review_litigation")


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
