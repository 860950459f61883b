"""Pydantic models of FORMAT.md's canonical report, for both templates: the
contract at the edges, where JSON comes in (gold files, ``nianbao verify``'s
files, the store's rows, a model's answer). :func:`validate_report` checks such
JSON and hands back the plain :class:`~extractor.report.Report` the pipeline
passes around; the extraction itself never imports this module.

Validators check form only — known keys, ints for counts, floats for amounts,
dates as ``YYYY-MM-DD``. They never enforce the document's arithmetic (nor the
sign of a count): a printed error must survive extraction so the verifier can
report it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, field_validator

from .report import Meta, Report
from .template import active_template, splits_other

Count = StrictInt | None
Amount = float | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class CanonicalReport(_Strict):
    """The canonical report: FORMAT.md without claims and findings (``meta`` is
    the plain :class:`~extractor.report.Meta`, which pydantic validates too)."""

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
            return Active2019.model_validate(v) if active_template(v) == "2019" else Active2021.model_validate(v)
        return v

    @field_validator("applications", mode="before")
    @classmethod
    def _pick_other(cls, v: Any) -> Any:
        if isinstance(v, dict) and isinstance(v.get("other"), dict):
            other = v["other"]
            v = dict(v)
            v["other"] = OtherSplit.model_validate(other) if splits_other(other) else Cols.model_validate(other)
        return v


def validate_report(data: Any) -> Report:
    """``data`` (a canonical object, or its meta and tables) checked against FORMAT.md, as
    the plain :class:`~extractor.report.Report`; raises pydantic's ``ValidationError``."""
    model = CanonicalReport.model_validate(data)
    tables = model.model_dump(mode="json", include={"active", "applications", "review_litigation"})
    return Report(model.meta, tables["active"], tables["applications"], tables["review_litigation"])
