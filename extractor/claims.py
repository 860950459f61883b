"""Numbers the narrative states about the tables, as claims over canonical paths.

The phrasings live in ``rules/claims.yaml`` so a reader can follow (and an
expert extend) every mapping. Only the narrative is read: text inside the
parser's table spans is skipped. The narrative is searched with whitespace
removed, because PDF text layers and hard-wrapped ``.txt`` files break
sentences anywhere (``答\\n复 3050 件``); offsets are mapped back so each claim's
evidence points at the source.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .document import Document
from .errors import ConfigError
from .result import Claim, Evidence, Severity
from .rules import BUILTIN_SETS, KNOWN_PATHS, Title, expand, expand_sets, read_yaml, rules_dir, validation_message
from .template import Template


class NarrativeClaim(Claim):
    """A claim the phrasing ``rule`` found; ``on_mismatch`` is the severity of a
    disagreement with the tables."""

    rule: str
    on_mismatch: Severity = "error"


class Breakdown(NarrativeClaim):
    """A total the narrative breaks down itself (``1502 条，其中 522 条…``).

    ``paths`` is empty: ``value`` is the stated total, ``parts`` the stated
    parts in order, ``complete`` whether the last part is labelled 其他/其余;
    ``on_overshoot`` the severity when the parts of an open list exceed the total.
    """

    parts: list[int]
    complete: bool = False
    on_overshoot: Severity = "warning"


# -- the catalogue --------------------------------------------------------------------------------


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paths: list[str]
    alt_paths: list[str] | None = None


class Phrasing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    pattern: str
    paths: list[str] | None = None
    alt_paths: list[str] | None = None
    in_scope: dict[str, Reading] = Field(default_factory=dict)
    sets_scope: str | None = None
    year: Literal["next", "prev"] | None = None
    template: Template | None = None
    on_mismatch: Severity = "error"

    @model_validator(mode="after")
    def _has_reading(self) -> Phrasing:
        if self.paths is None and not self.in_scope:
            raise ValueError(f"phrasing {self.id}: give paths or in_scope")
        return self

    def reading(self, scope: str | None) -> Reading | None:
        """The reading under ``scope``; None when this phrasing says nothing there."""
        if scope in self.in_scope:
            return self.in_scope[scope]
        return Reading(paths=self.paths, alt_paths=self.alt_paths) if self.paths is not None else None


class BreakdownSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: Title
    on_mismatch: Severity = "error"
    on_overshoot: Severity = "warning"
    total: str
    complete: str


class ClaimsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    macros: dict[str, str] = Field(default_factory=dict)
    template_markers: dict[Template, list[str]] = Field(default_factory=dict)
    other_split_markers: list[str] = Field(default_factory=list)
    breakdown: BreakdownSpec
    phrasings: list[Phrasing]


@dataclass(frozen=True, slots=True)
class Compiled:
    phrasing: Phrasing
    regex: re.Pattern[str]


@dataclass(frozen=True, slots=True, eq=False)
class ClaimCatalogue:
    phrasings: tuple[Compiled, ...]
    markers: dict[Template, list[str]]
    other_split: tuple[str, ...]
    breakdown: BreakdownSpec
    breakdown_total: re.Pattern[str]
    breakdown_complete: re.Pattern[str]


_MACRO = re.compile(r"\{([A-Z_]+)\}")


def _compile(pattern: str, macros: dict[str, str], where: str, path: Path) -> re.Pattern[str]:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise ConfigError(f"{where}: unknown macro {{{m.group(1)}}}", path=str(path))
        return macros[m.group(1)]

    try:
        regex = re.compile(_MACRO.sub(sub, pattern))
    except re.error as e:
        raise ConfigError(f"{where}: bad pattern: {e}", path=str(path)) from None
    if "n" not in regex.groupindex:
        raise ConfigError(f"{where}: pattern has no number group (?P<n>…) / {{N}}", path=str(path))
    return regex


def _concrete(paths: list[str], where: str, path: Path) -> list[str]:
    """Paths with ``[set]`` expanded; each must name a canonical path."""
    out = [p for spec in paths for p in expand_sets(spec, BUILTIN_SETS)]
    for p in out:
        if not expand(p, KNOWN_PATHS):
            raise ConfigError(f"{where}: {p!r} names no canonical path", path=str(path))
    return out


def _resolve(ph: Phrasing, path: Path) -> Phrasing:
    def fix(r: Reading) -> Reading:
        alt = _concrete(r.alt_paths, ph.id, path) if r.alt_paths is not None else None
        return Reading(paths=_concrete(r.paths, ph.id, path), alt_paths=alt)

    base = fix(Reading(paths=ph.paths, alt_paths=ph.alt_paths)) if ph.paths is not None else None
    return ph.model_copy(
        update={
            "paths": base.paths if base else None,
            "alt_paths": base.alt_paths if base else None,
            "in_scope": {k: fix(r) for k, r in ph.in_scope.items()},
        }
    )


@functools.lru_cache(maxsize=8)
def load_phrasings(path: Path | None = None) -> ClaimCatalogue:
    """``rules/claims.yaml`` validated and compiled; cached."""
    path = path or rules_dir() / "claims.yaml"
    try:
        spec = ClaimsFile.model_validate(read_yaml(path))
    except ValidationError as e:
        raise ConfigError(validation_message(e), path=str(path)) from None
    seen: set[str] = set()
    compiled: list[Compiled] = []
    for ph in spec.phrasings:
        if ph.id in seen:
            raise ConfigError(f"duplicate phrasing id {ph.id}", path=str(path))
        seen.add(ph.id)
        compiled.append(Compiled(_resolve(ph, path), _compile(ph.pattern, spec.macros, ph.id, path)))
    bd = spec.breakdown
    try:
        complete = re.compile(bd.complete)
    except re.error as e:
        raise ConfigError(f"breakdown: bad complete pattern: {e}", path=str(path)) from None
    total = _compile(bd.total, spec.macros, "breakdown", path)
    if "u" not in total.groupindex:
        raise ConfigError("breakdown: total pattern has no unit group (?P<u>…)", path=str(path))
    return ClaimCatalogue(tuple(compiled), spec.template_markers, tuple(spec.other_split_markers), bd, total, complete)


# -- the narrative as one searchable string -------------------------------------------------------

_WS = re.compile(r"\s+")
_HEADING = re.compile(r"[#\s]*(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])")


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


@dataclass(slots=True)
class Narrative:
    """The narrative with whitespace removed; ``origin`` maps back to the document.

    Whitespace between two ASCII letters or digits becomes one space (so
    numbers never fuse), a line break before a heading becomes ``\\n`` (a
    paragraph boundary, ending any scope), as does the gap a table leaves.
    """

    text: str
    starts: list[int]
    origins: list[int]

    def origin(self, pos: int) -> int:
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.origins[i] + (pos - self.starts[i])

    @classmethod
    def of(cls, doc: Document, table_spans: list[tuple[int, int]]) -> Narrative:
        text = doc.text
        parts: list[str] = []
        starts: list[int] = []
        origins: list[int] = []
        size = 0

        def piece(s: str, origin: int) -> None:
            nonlocal size
            if s:
                parts.append(s)
                starts.append(size)
                origins.append(origin)
                size += len(s)

        pos = 0
        for start, end in [*sorted(table_spans), (len(text), len(text))]:
            if start > pos:
                seg_at = pos
                for ws in _WS.finditer(text, pos, start):
                    piece(text[seg_at : ws.start()], seg_at)
                    before, after = text[ws.start() - 1 : ws.start()], text[ws.end() : ws.end() + 1]
                    if "\n" in ws.group() and _HEADING.match(text, ws.end()):
                        piece("\n", ws.start())
                    elif _alnum(before) and _alnum(after):
                        piece(" ", ws.start())
                    seg_at = ws.end()
                piece(text[seg_at:start], seg_at)
                piece("\n", start)
            pos = max(pos, end)
        if not starts:
            piece("\n", 0)
        return cls("".join(parts), starts, origins)


# -- finding claims --------------------------------------------------------------------------------


def _template(doc: Document, markers: dict[Template, list[str]]) -> Template:
    for template, words in markers.items():
        if any(w in doc.text for w in words):
            return template
    return "2021"


def _other_split(doc: Document, spans: list[tuple[int, int]], markers: tuple[str, ...], template: Template) -> bool:
    """Whether table 三 prints （六）其他处理 as three rows: as its table text
    shows, else as the template does (2021: three rows, 2019: one)."""
    if spans:
        return any(w in doc.text[a:b] for a, b in spans for w in markers)
    return template == "2021"


def _one_row_other(r: Reading) -> Reading:
    def fix(paths: list[str]) -> list[str]:
        return [p.replace("applications.other.*.", "applications.other.") for p in paths]

    return Reading(paths=fix(r.paths), alt_paths=fix(r.alt_paths) if r.alt_paths is not None else None)


def _evidence(doc: Document, nar: Narrative, start: int, end: int) -> Evidence:
    a, b = nar.origin(start), nar.origin(end - 1) + 1
    line = doc.line_at(a)
    return Evidence(line=line.no if line else 0, start=a, end=b, text=doc.text[a:b], page=line.page if line else None)


def _number(s: str) -> int:
    return int(s.replace(",", ""))


def find_claims(doc: Document, table_spans: list[tuple[int, int]]) -> list[Claim]:
    """Every claim the narrative makes, in reading order, then its breakdowns."""
    cat = load_phrasings()
    nar = Narrative.of(doc, table_spans)
    template = _template(doc, cat.markers)
    split = _other_split(doc, table_spans, cat.other_split, template)
    # number position → (priority, phrasing, match); a number is claimed once
    candidates: dict[int, list[tuple[int, Phrasing, re.Match[str]]]] = {}
    for prio, c in enumerate(cat.phrasings):
        if c.phrasing.template not in (None, template):
            continue
        for m in c.regex.finditer(nar.text):
            candidates.setdefault(m.start("n"), []).append((prio, c.phrasing, m))
    claims: list[Claim] = []
    totals: set[int] = set()
    scope: str | None = None
    last = 0
    for pos in sorted(candidates):
        if "\n" in nar.text[last:pos]:
            scope = None
        last = pos
        for _, ph, m in sorted(candidates[pos], key=lambda c: c[0]):
            reading = ph.reading(scope)
            if reading is None:
                continue
            if not split:
                reading = _one_row_other(reading)
            claims += _claims_of(doc, nar, ph, reading, m)
            if ph.sets_scope:
                scope = ph.sets_scope
                totals.add(pos)
            break
    return claims + _breakdowns(doc, nar, cat, totals)


def _claims_of(doc: Document, nar: Narrative, ph: Phrasing, reading: Reading, m: re.Match[str]) -> list[Claim]:
    ev = _evidence(doc, nar, m.start(), m.end())
    out: list[Claim] = [
        NarrativeClaim(
            quote=m.group(0),
            paths=reading.paths,
            alt_paths=reading.alt_paths,
            value=_number(m.group("n")),
            evidence=ev,
            rule=ph.id,
            on_mismatch=ph.on_mismatch,
        )
    ]
    year = m.groupdict().get("y")
    if ph.year and year:
        # 结转2024年 says the report is on 2023; 2022年结转 that it is on 2023.
        implied = int(year) - 1 if ph.year == "next" else int(year) + 1
        out.append(NarrativeClaim(quote=m.group(0), paths=["meta.year"], value=implied, evidence=ev, rule=ph.id))
    return out


_PART_TOKEN = re.compile(r"[(（]|[)）]|(?<![\d.])(\d+)(?![\d.%])(\S)")


def _breakdowns(doc: Document, nar: Narrative, cat: ClaimCatalogue, totals: set[int]) -> list[Claim]:
    """Totals followed by 其中 and the parts the same sentence lists in that unit.

    Parts inside parentheses are a breakdown of a part, and a number a phrasing
    read as a new total (行政诉讼 N 件) ends the list.
    """
    out: list[Claim] = []
    text = nar.text
    for m in cat.breakdown_total.finditer(text):
        unit = m.group("u")
        end = min((i for i in (text.find("。", m.end()), text.find("\n", m.end())) if i >= 0), default=len(text))
        parts: list[int] = []
        depth, label_from, complete = 0, m.end(), False
        for t in _PART_TOKEN.finditer(text, m.end(), end):
            tok = t.group()
            if tok in "(（":
                depth += 1
            elif tok in ")）":
                depth = max(0, depth - 1)
            elif depth == 0 and t.group(2) == unit and text[t.start() - 1 : t.start()] != "占":
                if t.start(1) in totals or text.startswith(("其中", "，其中"), t.end()):
                    break
                parts.append(_number(t.group(1)))
                complete = bool(cat.breakdown_complete.match(text[label_from : t.start()]))
                label_from = t.end()
        if parts:
            out.append(
                Breakdown(
                    quote=text[m.start() : label_from],
                    paths=[],
                    value=_number(m.group("n")),
                    parts=parts,
                    complete=complete,
                    evidence=_evidence(doc, nar, m.start(), label_from),
                    rule=cat.breakdown.id,
                    on_mismatch=cat.breakdown.on_mismatch,
                    on_overshoot=cat.breakdown.on_overshoot,
                )
            )
    return out
