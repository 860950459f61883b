"""Numbers the narrative states about the tables, as claims over canonical paths.

The phrasings live in ``rules/claims.yaml`` so a reader can follow (and an
expert extend) every mapping. Only the narrative is read: text inside the
parser's table spans is skipped. The narrative is searched with whitespace
removed, because PDF text layers and hard-wrapped ``.txt`` files break
sentences anywhere (``答\\n复 3050 件``); offsets are mapped back so each claim's
evidence points at the source.

The tables the parser read settle what the text cannot: which template's
phrasings apply, whether （六）其他处理 is one row or three, and which of two
readings of an ambiguous phrase comes first (the one the tables support).

What the words mean is data: a lexicon of the template's rows (the words that
name each), scope words that widen a sentence (a disagreement is then a
warning) or narrow it to a part the table has no row for (no claim), and the
phrasings for totals, groups, lists, zero counts in words and outcome claims
(均获维持: each table 四 total stated before it was upheld). This module only
resolves: it keeps the scope a total opens for the results after it, drops a
sentence dated to an earlier year, and records why it chose a reading.

A total the narrative breaks down itself (``1502 条，其中 522 条…``) is not a
claim about the tables; it is read as a :class:`Breakdown`, which the verifier
checks on its own.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from .. import cache
from ..document import Document
from ..errors import ConfigError
from ..record import asdict, field, record, replace
from ..report import Report
from ..resources import data_dir
from ..result import Claim, Evidence, Severity
from ..template import Template
from . import literals
from .catalogue import (
    BUILTIN_SETS,
    KNOWN_PATHS,
    Title,
    expand,
    expand_sets,
    leaves_of,
    shape,
    validate,
)
from .compiled import RegexCache, cached_form, parse_yaml, read_rule_file
from .literals import Needs


@record(kw_only=True)
class NarrativeClaim(Claim):
    """A claim the phrasing ``rule`` of ``rules/claims.yaml`` found (its
    ``on_mismatch`` there is the severity of a disagreement with the tables)."""

    rule: str
    #: why this reading comes first, where the sentence admits two
    why: str | None = None
    #: the sentence counts for several bodies (全县各单位…): a disagreement with
    #: the tables, which may cover one of them, is a warning, not an error (not in its JSON)
    broad: bool = False

    def to_json(self) -> dict[str, Any]:
        out = Claim.to_json(self)
        out["rule"] = self.rule
        if self.why is not None:
            out["why"] = self.why
        return out


@record
class Breakdown:
    """A total the narrative breaks down itself (``1502 条，其中 522 条…``).

    ``value`` is the stated total, ``parts`` the stated parts in order,
    ``complete`` whether the last part is labelled 其他/其余.
    """

    quote: str
    value: int
    parts: tuple[int, ...]
    complete: bool
    evidence: Evidence | None = None


@record
class Narration:
    """What the narrative states: claims about the tables, and its own breakdowns."""

    claims: list[Claim]
    breakdowns: list[Breakdown]


# -- the catalogue --------------------------------------------------------------------------------


# Plain classes: pydantic checks a file's form against them only when its validated
# form is not cached (:func:`~.compiled.cached_form`); an unknown key is an error.


@shape
class Reading:
    paths: list[str]
    alt_paths: list[str] | None = None
    #: further readings, tried after alt_paths when the tables bear out neither
    #: (自然人申请 N 件: 本年新收; or （七）总计; or 新收 + 上年结转)
    others: list[list[str]] = field(default_factory=list)
    #: the scope this reading opens (default: the phrasing's ``sets_scope``)
    sets_scope: str | None = None


@shape
class Phrasing:
    id: str
    pattern: str
    paths: list[str] | None = None
    alt_paths: list[str] | None = None
    others: list[list[str]] = field(default_factory=list)
    in_scope: dict[str, Reading | None] = field(default_factory=dict)
    context: str | None = None
    sets_scope: str | None = None
    scope_until: Literal["paragraph", "sentence"] = "paragraph"
    year: Literal["next", "prev"] | None = None
    template: Template | None = None
    on_mismatch: Severity = "error"
    #: the value a sentence states in words, without a number (未发生…行政复议: 0)
    value: int | None = None
    #: further cells the same number names on its own (新制作并公开: made, and published)
    also: list[Reading] = field(default_factory=list)
    #: the value is each group total stated earlier in the sentence, read under
    #: that total's scope (均获维持: upheld = total, for review and for litigation)
    of_totals: bool = False
    #: a list the sentence names (无科研机构、社会公益组织提出申请): each term the
    #: quote names adds its path to the claim's paths
    names: dict[str, str] = field(default_factory=dict)
    #: claims nothing, only opens ``sets_scope`` (政府信息公开行政复议情况：)
    marker: bool = False
    #: two parallel lists, (?P<terms>…) and (?P<counts>…) (行政许可、行政处罚信息
    #: 分别公开 120 条、35 条): each item read by the lexicon concept it names
    respectively: bool = False

    def __post_init__(self) -> None:
        if self.paths is None and not (self.in_scope or self.names or self.marker or self.respectively):
            raise ValueError(f"phrasing {self.id}: give paths or in_scope")

    def reading(self, scope: str | None) -> Reading | None:
        """The reading under ``scope``; None when this phrasing says nothing there."""
        if scope in self.in_scope:
            return self.in_scope[scope]
        if self.paths is None:
            return None
        return Reading(paths=self.paths, alt_paths=self.alt_paths, others=self.others, sets_scope=self.sets_scope)


@shape
class BreakdownSpec:
    id: str
    title: Title
    on_mismatch: Severity = "error"
    on_overshoot: Severity = "warning"
    total: str
    complete: str


@shape
class Concept:
    """One canonical path group of the lexicon: the words that name it in a
    narrative; each is read as ``TERM {gap} N unit`` (the number after its name)."""

    id: str
    terms: list[str]
    paths: list[str]
    alt_paths: list[str] | None = None
    #: a macro naming the units a count of this concept takes (default {U})
    unit: str = "U"
    #: how the number is written (default: {N} then the unit)
    count: str | None = None
    #: what may stand between a term and its number (default: the lexicon's)
    gap: str | None = None
    template: Template | None = None
    on_mismatch: Severity = "error"

    def phrasing(self, gap: str) -> Phrasing:
        terms = "|".join(sorted(self.terms, key=len, reverse=True))
        gap = self.gap if self.gap is not None else gap
        count = self.count or f"{{N}}{{{self.unit}}}"
        return Phrasing(
            id=self.id,
            pattern=f"(?:{terms}){gap}{count}",
            paths=self.paths,
            alt_paths=self.alt_paths,
            template=self.template,
            on_mismatch=self.on_mismatch,
        )


@shape
class Lexicon:
    #: what may stand between a term and its number (no clause break, no 等:
    #: 因本机关不掌握等原因无法提供 names the whole group, not the row)
    gap: str
    concepts: list[Concept]


@shape
class Scope:
    """Words that set what a sentence counts, against what the table counts."""

    #: the sentence counts for more bodies or more kinds of request than the
    #: table (全县各单位, 含咨询): a disagreement is a warning
    broad: str
    #: the count is a part the table does not have as a row (一审): not a claim
    narrow: str


@shape
class ClaimsFile:
    macros: dict[str, str] = field(default_factory=dict)
    scope: Scope
    breakdown: BreakdownSpec
    lexicon: Lexicon
    phrasings: list[Phrasing]


@record
class Compiled:
    phrasing: Phrasing
    regex: re.Pattern[str]
    context: re.Pattern[str] | None
    #: strings one of which every match contains: a narrative with none is not searched
    needs: Needs


@record(eq=False)
class ClaimCatalogue:
    phrasings: tuple[Compiled, ...]
    breakdown: BreakdownSpec
    breakdown_total: re.Pattern[str]
    breakdown_complete: re.Pattern[str]
    #: phrasing id → severity of a disagreement with the tables
    on_mismatch: dict[str, Severity]
    broad: re.Pattern[str]
    narrow: re.Pattern[str]
    #: each lexicon concept's words, anchored at the end of a list item
    concepts: tuple[tuple[Phrasing, re.Pattern[str]], ...]
    #: every string some phrasing needs (:attr:`Compiled.needs`), each looked for once per narrative
    needed: tuple[str, ...] = ()


_MACRO = cache.compile(r"\{([A-Z_]+)\}")


def _expand(pattern: str, macros: dict[str, str], where: str, path: Path) -> str:
    """``pattern`` with its ``{MACRO}`` references replaced (macros may use macros)."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise ConfigError(f"{where}: unknown macro {{{m.group(1)}}}", path=str(path))
        return macros[m.group(1)]

    for _ in range(len(macros) + 1):
        expanded = _MACRO.sub(sub, pattern)
        if expanded == pattern:
            return pattern
        pattern = expanded
    raise ConfigError(f"{where}: macros refer to each other in a loop", path=str(path))


def _compile(
    pattern: str, macros: dict[str, str], where: str, path: Path, number: bool = True, *, cache: RegexCache
) -> str:
    """``pattern`` with its macros expanded, checked to compile (and, with ``number``,
    to have the number group)."""
    pattern = _expand(pattern, macros, where, path)
    try:
        regex = cache.compile(pattern)
    except re.error as e:
        raise ConfigError(f"{where}: bad pattern: {e}", path=str(path)) from None
    if number and "n" not in regex.groupindex:
        raise ConfigError(f"{where}: pattern has no number group (?P<n>…) / {{N}}", path=str(path))
    return pattern


def _concrete(paths: list[str], where: str, path: Path) -> list[str]:
    """Paths with ``[set]`` expanded; each must name a canonical path."""
    out = [p for spec in paths for p in expand_sets(spec, BUILTIN_SETS)]
    for p in out:
        if not expand(p, KNOWN_PATHS):
            raise ConfigError(f"{where}: {p!r} names no canonical path", path=str(path))
    return out


def _resolve(ph: Phrasing, path: Path) -> Phrasing:
    def fix(r: Reading | None) -> Reading | None:
        if r is None:
            return None
        alt = _concrete(r.alt_paths, ph.id, path) if r.alt_paths is not None else None
        others = [_concrete(o, ph.id, path) for o in r.others]
        return Reading(paths=_concrete(r.paths, ph.id, path), alt_paths=alt, others=others, sets_scope=r.sets_scope)

    base = fix(Reading(paths=ph.paths, alt_paths=ph.alt_paths, others=ph.others)) if ph.paths is not None else None
    return replace(
        ph,
        paths=base.paths if base else None,
        alt_paths=base.alt_paths if base else None,
        others=base.others if base else [],
        in_scope={k: fix(r) for k, r in ph.in_scope.items()},
        also=[r for r in map(fix, ph.also) if r is not None],
        names={term: _concrete([p], ph.id, path)[0] for term, p in ph.names.items()},
    )


@functools.lru_cache(maxsize=8)
def load_phrasings(path: Path | None = None) -> ClaimCatalogue:
    """``rules/claims.yaml`` validated and compiled; cached (in the process, and on
    disk its validated form and compiled patterns: :mod:`.compiled`)."""
    path = path or data_dir("rules") / "claims.yaml"
    content = read_rule_file(path)
    cache = RegexCache("claims", content)
    return cached_form(
        "claims.form", [content], lambda: _validated(path, content, cache), lambda form: _catalogue(form, cache)
    )


def _validated(path: Path, content: bytes, cache: RegexCache) -> dict[str, Any]:
    """The claims file validated: each phrasing resolved (its paths concrete) with its
    patterns' macros expanded, as plain data (what :func:`_catalogue` builds from)."""
    spec = validate(ClaimsFile, parse_yaml(path, content), path)
    seen: set[str] = set()
    phrasings: list[tuple[dict[str, Any], str, str | None]] = []
    # the lexicon's rows are named specifically; the phrasings after them read groups
    for ph in [*(c.phrasing(spec.lexicon.gap) for c in spec.lexicon.concepts), *spec.phrasings]:
        if ph.id in seen:
            raise ConfigError(f"duplicate phrasing id {ph.id}", path=str(path))
        seen.add(ph.id)
        context = _compile(ph.context, spec.macros, ph.id, path, number=False, cache=cache) if ph.context else None
        counted = ph.value is None and not (ph.of_totals or ph.marker or ph.respectively)
        pattern = _compile(ph.pattern, spec.macros, ph.id, path, number=counted, cache=cache)
        phrasings.append((asdict(_resolve(ph, path)), pattern, context))
    bd = spec.breakdown
    try:
        re.compile(bd.complete)
    except re.error as e:
        raise ConfigError(f"breakdown: bad complete pattern: {e}", path=str(path)) from None
    total = _compile(bd.total, spec.macros, "breakdown", path, cache=cache)
    if "u" not in cache.compile(total).groupindex:
        raise ConfigError("breakdown: total pattern has no unit group (?P<u>…)", path=str(path))
    return {
        "phrasings": phrasings,
        "breakdown": asdict(bd),
        "breakdown_total": total,
        "broad": _compile(spec.scope.broad, spec.macros, "scope.broad", path, number=False, cache=cache),
        "narrow": _compile(spec.scope.narrow, spec.macros, "scope.narrow", path, number=False, cache=cache),
        "concepts": [
            (k.id, _compile(f"(?:{'|'.join(k.terms)})$", spec.macros, k.id, path, number=False, cache=cache))
            for k in spec.lexicon.concepts
        ],
    }


def _phrasing(data: dict[str, Any]) -> Phrasing:
    def reading(r: dict[str, Any] | None) -> Reading | None:
        return Reading(**r) if r is not None else None

    also = [Reading(**r) for r in data["also"]]
    return Phrasing(**{**data, "in_scope": {k: reading(r) for k, r in data["in_scope"].items()}, "also": also})


def _catalogue(form: dict[str, Any], cache: RegexCache) -> ClaimCatalogue:
    """The catalogue of a validated form (:func:`_validated`, or the cache's copy of
    it), its patterns compiled from the programs ``cache`` keeps."""
    compiled = [
        Compiled(_phrasing(ph), cache.compile(p), cache.compile(context) if context else None, cache.needs(p))
        for ph, p, context in form["phrasings"]
    ]
    bd = BreakdownSpec(**{**form["breakdown"], "title": Title(**form["breakdown"]["title"])})
    phrasing = {c.phrasing.id: c.phrasing for c in compiled}
    concepts = tuple((phrasing[k], cache.compile(words)) for k, words in form["concepts"])
    catalogue = ClaimCatalogue(
        phrasings=tuple(compiled),
        breakdown=bd,
        breakdown_total=cache.compile(form["breakdown_total"]),
        breakdown_complete=re.compile(bd.complete),
        on_mismatch={c.phrasing.id: c.phrasing.on_mismatch for c in compiled},
        broad=cache.compile(form["broad"]),
        narrow=cache.compile(form["narrow"]),
        concepts=concepts,
        needed=tuple(sorted({s for c in compiled for s in c.needs.strings})),
    )
    cache.save()
    return catalogue


def claim_severity(rule: str) -> Severity:
    """The severity of a disagreement between the tables and a claim of phrasing
    ``rule``; a claim a model proposed (``llm.…``) disagrees at warning level."""
    return load_phrasings().on_mismatch.get(rule, "warning" if rule.startswith("llm.") else "error")


def new_claims(read: list[Claim], proposed: list[Claim]) -> list[Claim]:
    """The proposed claims that say something the reader's claims do not (the
    same value over the same paths is the same claim)."""
    seen = {(c.value, frozenset(c.paths)) for c in read}
    out = []
    for c in proposed:
        if (c.value, frozenset(c.paths)) not in seen:
            seen.add((c.value, frozenset(c.paths)))
            out.append(c)
    return out


# -- the narrative as one searchable string -------------------------------------------------------

# a page footer on a line of its own (- 2 -) is whitespace too: PDF text puts it
# between a label and its count
_WS = cache.compile(r"(?:(?<=\n)[ \t]*[-—－][ \t]*\d{1,4}[ \t]*[-—－][ \t]*(?=\n)|\s)+")
_HEADING = cache.compile(r"[#\s]*(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])")


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


#: A prose line at least this long that breaks between two digits was wrapped
#: inside a number (行政处罚决定3 / 600条); a shorter line is a list or a
#: one-character-per-line dump, whose digits stay apart.
WRAPPED_LINE = 16


def _wrapped_number(text: str, ws: re.Match[str]) -> bool:
    """A bare line break between two digits at the end of a long prose line."""
    at = ws.start()
    if ws.group() != "\n" or not (text[at - 1].isdigit() and text[ws.end()].isdigit()):
        return False
    return at >= WRAPPED_LINE and "\n" not in text[at - WRAPPED_LINE : at]


@record(frozen=False)
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
                    a, b = ws.span()
                    piece(text[seg_at:a], seg_at)
                    if "\n" in ws.group() and _HEADING.match(text, b):
                        piece("\n", a)
                    elif _alnum(text[a - 1 : a]) and _alnum(text[b : b + 1]) and not _wrapped_number(text, ws):
                        piece(" ", a)
                    seg_at = b
                piece(text[seg_at:start], seg_at)
                piece("\n", start)
            pos = max(pos, end)
        if not starts:
            piece("\n", 0)
        return cls("".join(parts), starts, origins)


# -- finding claims --------------------------------------------------------------------------------

_SENTENCE_END = "。！？!?\n"


_CLAUSE_END = "，,；;：:" + _SENTENCE_END
_SENTENCE_ENDS = cache.compile(f"[{re.escape(_SENTENCE_END)}]")
_CLAUSE_ENDS = cache.compile(f"[{re.escape(_CLAUSE_END)}]")
_LINE_ENDS = cache.compile("\n")
_PART_ENDS = cache.compile("[；;]")
#: how far back a sentence's context is read: a run without a full stop (a
#: hostile or broken text) must not make each number rescan it
_LOOKBACK = 300


@record
class _Marks:
    """Where sentences, clauses and paragraphs end, found once per narrative so
    that each number looks its boundaries up by bisection."""

    sentences: list[int]
    clauses: list[int]
    paragraphs: list[int]
    #: semicolons: a sentence's parts about different things (复议…；诉讼…)
    parts: list[int]

    @classmethod
    def of(cls, text: str) -> _Marks:
        def at(chars: re.Pattern[str]) -> list[int]:
            return [m.start() for m in chars.finditer(text)]

        return cls(at(_SENTENCE_ENDS), at(_CLAUSE_ENDS), at(_LINE_ENDS), at(_PART_ENDS))

    @staticmethod
    def _before(marks: list[int], pos: int) -> int:
        i = bisect.bisect_left(marks, pos)
        return marks[i - 1] + 1 if i else 0

    def sentence(self, pos: int) -> int:
        """Where the sentence holding ``pos`` starts."""
        return self._before(self.sentences, pos)

    def clause(self, pos: int) -> int:
        return self._before(self.clauses, pos)

    def part(self, pos: int) -> int:
        """Where the part of a sentence after its last semicolon before ``pos`` starts."""
        return self._before(self.parts, pos)

    def end(self, pos: int, until: str, size: int) -> int:
        """Where a scope opened at ``pos`` ends: the next heading, or the end of the sentence."""
        marks = self.paragraphs if until == "paragraph" else self.sentences
        i = bisect.bisect_left(marks, pos)
        return marks[i] if i < len(marks) else size


#: a year named in a sentence (2022年度，…): its counts are that year's; not
#: one it compares with (较2019年下降, 与2022年相比) or whose carried-over
#: applications it adds (加上2019年结转的8件)
_YEAR = cache.compile(r"(?<![\d较比与])(\d{4})(?= ?年)(?!年?度?(?:相比|同期|以来|的?结转))")


def _other_year(text: str, start: int, pos: int, year: int | None) -> bool:
    """Whether the last year the sentence names before ``pos`` is one before the
    report's: 2022年我局共收到申请58件 in a report on 2023 is last year's count."""
    if year is None:
        return False
    years = [int(y) for y in _YEAR.findall(text, start, pos)]
    return bool(years) and years[-1] < year


def _in_parentheses(text: str, start: int, pos: int) -> bool:
    """Whether ``pos`` stands inside a bracket opened after ``start`` (（含…）)."""
    before = text[start:pos]
    return before.count("（") + before.count("(") > before.count("）") + before.count(")")


def _one_row_other(r: Reading) -> Reading:
    def fix(paths: list[str]) -> list[str]:
        return [p.replace("applications.other.*.", "applications.other.") for p in paths]

    alt = fix(r.alt_paths) if r.alt_paths is not None else None
    return Reading(paths=fix(r.paths), alt_paths=alt, others=[fix(o) for o in r.others], sets_scope=r.sets_scope)


def _sum(paths: list[str], leaves: Mapping[str, object]) -> int | float | None:
    total: int | float = 0
    shape = leaves_of(tuple(leaves))
    for p in paths:
        cells = expand(p, shape)
        if not cells:
            return None
        for c in cells:
            v = leaves[c]
            if not isinstance(v, int | float):
                return None
            total += v
    return total


def _table_first(r: Reading, value: int | float, leaves: Mapping[str, object]) -> tuple[Reading, str | None]:
    """Of a phrase's readings, the one the tables bear out first, and why; the
    usual reading stays first when the tables bear out none or it. The other
    shown is the usual one, or the first alternative."""
    if r.alt_paths is None:
        return r, None
    readings = [r.paths, r.alt_paths, *r.others]
    sums = [_sum(paths, leaves) for paths in readings]
    hits = [i for i, s in enumerate(sums) if s == value]
    if not hits:
        return r, f"no reading agrees with the tables (they sum to {', '.join(map(str, sums))}); the usual one first"
    if hits[0] == 0:
        if len(hits) > 1:
            return r, "the tables bear out this reading and another"
        return r, f"the tables bear out this reading (the other sums to {sums[1]})"
    chosen = readings[hits[0]]
    swapped = Reading(paths=chosen, alt_paths=r.paths, sets_scope=r.sets_scope)
    return swapped, f"the tables bear out this reading, not the usual one (which sums to {sums[0]})"


_ITEM_SEP = cache.compile(r"[、和及与]")
_COUNT = cache.compile(r"\d[\d,]*")


def _respectively(
    doc: Document, nar: Narrative, cat: ClaimCatalogue, m: re.Match[str], template: Template | None
) -> list[Claim]:
    """Item i of the terms counted by number i of the counts: the last items, as
    many as there are counts, must each end in a lexicon concept's words, and the
    item before them must not (a list longer than its counts is ambiguous)."""

    def concept(item: str) -> Phrasing | None:
        return next((ph for ph, words in cat.concepts if words.search(item) and ph.template in (None, template)), None)

    items = _ITEM_SEP.split(m.group("terms"))
    counts = list(_COUNT.finditer(m.group(0), m.start("counts") - m.start()))
    if len(items) < len(counts) or (len(items) > len(counts) and concept(items[-len(counts) - 1])):
        return []
    out: list[Claim] = []
    for item, count in zip(items[-len(counts) :], counts, strict=True):
        ph = concept(item)
        if ph is None or ph.paths is None:
            return []
        at = m.start() + count.start()
        ev = _evidence(doc, nar, at, at + len(count.group()))
        value = _number(count.group())
        out.append(NarrativeClaim(quote=m.group(0), paths=ph.paths, value=value, evidence=ev, rule=ph.id))
    return out


def _since(stated: list[tuple[int, str, int | float]], start: int) -> list[tuple[int, str, int | float]]:
    """The totals stated from ``start`` on (the list is in reading order)."""
    i = len(stated)
    while i and stated[i - 1][0] >= start:
        i -= 1
    return stated[i:]


def _of_totals(
    doc: Document, nar: Narrative, ph: Phrasing, m: re.Match[str], stated: list[tuple[int, str, int | float]]
) -> list[Claim]:
    """均获维持 after 行政复议 3 件、诉讼 5 件: each total's result is the total."""
    ev = _evidence(doc, nar, m.start(), m.end())
    out: list[Claim] = []
    only = {k.removeprefix("only_") for k, v in m.groupdict().items() if k.startswith("only_") and v}
    for _, scope, total in stated:
        reading = ph.in_scope.get(scope)
        value = total if ph.value is None else ph.value
        if only and scope not in only:
            continue
        if reading is not None:
            out.append(NarrativeClaim(quote=m.group(0), paths=reading.paths, value=value, evidence=ev, rule=ph.id))
    return out


def _evidence(doc: Document, nar: Narrative, start: int, end: int) -> Evidence:
    a, b = nar.origin(start), nar.origin(end - 1) + 1
    line = doc.line_at(a)
    return Evidence(line=line.no if line else 0, start=a, end=b, text=doc.text[a:b], page=line.page if line else None)


_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(s: str) -> int:
    """A count as printed: 1,525, or one in words (两, 十二, 一百零五, 一百二十三)."""
    if s[0].isdigit():
        return int(s.replace(",", ""))
    hundreds, _, s = s.rpartition("百")
    if hundreds or not s:
        return _DIGIT.get(hundreds, 1) * 100 + (_number(s.lstrip("零")) if s.strip("零") else 0)
    tens, _, ones = s.rpartition("十")
    if "十" not in s:
        return _DIGIT[s]
    return _DIGIT.get(tens, 1) * 10 + _DIGIT.get(ones, 0)


def _value(m: re.Match[str]) -> int | float:
    """The number a match claims: a count, or an amount in 万元 (元 are converted)."""
    n = m.group("n")
    if "." not in n:
        value: int | float = _number(n)
    else:
        value = float(n)
    if m.groupdict().get("minus"):
        value = -value  # 本年减少 2 项: a change of -2
    if m.groupdict().get("yuan"):
        return round(value / 10000, 6)
    return value


def read_narrative(doc: Document, report: Report, table_spans: list[tuple[int, int]]) -> Narration:
    """Every claim the narrative makes, in reading order, and its breakdowns.

    ``report`` is what was read from the tables: its template selects the
    template-specific phrasings (none when the template is unknown), its
    （六）其他处理 row shape the paths of 其他处理, and its values which of two
    readings of a phrase is given first.
    """
    cat = load_phrasings()
    nar = Narrative.of(doc, table_spans)
    text = nar.text
    marks = _Marks.of(text)
    template = report.meta.template
    split = report.other_split
    leaves = report.leaves()
    present = {s for s in cat.needed if s in text}
    # number position → (priority, compiled phrasing, match); a number is claimed once
    candidates: dict[int, list[tuple[int, Compiled, re.Match[str]]]] = {}
    for prio, c in enumerate(cat.phrasings):
        if c.phrasing.template is not None and c.phrasing.template != template:
            continue
        if c.needs.strings and present.isdisjoint(c.needs.strings):
            continue  # the narrative lacks every word this phrasing needs
        for m in literals.finditer(c.regex, text, c.needs):
            at = m.start("n") if "n" in c.regex.groupindex and m.group("n") is not None else m.start()
            candidates.setdefault(at, []).append((prio, c, m))
    claims: list[Claim] = []
    totals: set[int] = set()
    # group totals (table 四) stated so far: (where stated, scope, value)
    stated: list[tuple[int, str, int | float]] = []
    scope: str | None = None
    scope_end = 0
    for pos in sorted(candidates):
        if pos > scope_end:
            scope = None
        for _, c, m in sorted(candidates[pos], key=lambda x: x[0]):
            ph = c.phrasing
            sentence = max(marks.sentence(m.start()), m.start() - _LOOKBACK)
            if c.context is not None and not c.context.search(text, sentence, m.start()):
                continue
            if cat.narrow.search(text, max(marks.clause(m.start()), sentence), pos + 1):
                # 一审行政诉讼案件 N 件: a part the table has no row for, and
                # the results that follow are that part's
                scope, scope_end = "narrow", marks.end(m.end(), "paragraph", len(text))
                break
            if _other_year(text, sentence, m.start(), report.meta.year):
                break
            if ph.marker and ph.sets_scope:
                scope, scope_end = ph.sets_scope, marks.end(m.end(), ph.scope_until, len(text))
                break
            if ph.respectively:
                found = _respectively(doc, nar, cat, m, template)
                if not found:
                    continue
                claims += found
                break
            if ph.of_totals:
                # 均已审结 after "；行政诉讼 4 件" says nothing of the review before the semicolon
                found = _of_totals(doc, nar, ph, m, _since(stated, max(sentence, marks.part(m.start()))))
                if not found:
                    continue
                claims += found
                break
            reading = ph.reading(scope)
            if reading is None:
                continue
            if ph.names:
                named = [path for term, path in ph.names.items() if term in m.group(0)]
                reading = replace(reading, paths=[*reading.paths, *named])
            if not split:
                reading = _one_row_other(reading)
            value = _value(m) if ph.value is None else ph.value
            chosen, why = _table_first(reading, value, leaves)
            found = _claims_of(doc, nar, ph, chosen, m, value, why)
            if cat.broad.search(text, sentence, m.start()):
                found = [replace(c, broad=True) if isinstance(c, NarrativeClaim) else c for c in found]
            claims += found
            # A bracketed aside (（含复议后起诉1件）) does not become the scope that
            # the sentence's 其中 list reads under.
            opens = reading.sets_scope or ph.sets_scope
            if opens and _in_parentheses(text, sentence, m.start()):
                opens = None
            if opens:
                scope, scope_end = opens, marks.end(m.end(), ph.scope_until, len(text))
                totals.add(pos)
                stated.append((m.start(), opens, value))
            break
    return Narration(claims, _breakdowns(doc, nar, cat, totals))


def find_claims(doc: Document, report: Report, table_spans: list[tuple[int, int]]) -> list[Claim]:
    """Every claim the narrative makes about the tables, in reading order."""
    return read_narrative(doc, report, table_spans).claims


def _claims_of(
    doc: Document, nar: Narrative, ph: Phrasing, reading: Reading, m: re.Match[str], value: int | float, why: str | None
) -> list[Claim]:
    ev = _evidence(doc, nar, m.start(), m.end())
    out: list[Claim] = [
        NarrativeClaim(
            quote=m.group(0), paths=r.paths, alt_paths=r.alt_paths, value=value, evidence=ev, rule=ph.id, why=why
        )
        for r in [reading, *ph.also]
    ]
    year = m.groupdict().get("y")
    if ph.year and year:
        # 结转2024年 says the report is on 2023; 2022年结转 that it is on 2023.
        implied = int(year) - 1 if ph.year == "next" else int(year) + 1
        out.append(NarrativeClaim(quote=m.group(0), paths=["meta.year"], value=implied, evidence=ev, rule=ph.id))
    return out


_PART_TOKEN = cache.compile(r"[(（]|[)）]|(?<![\d.])(\d+)(?![\d.%])(\S)")


def _breakdowns(doc: Document, nar: Narrative, cat: ClaimCatalogue, totals: set[int]) -> list[Breakdown]:
    """Totals followed by 其中 and the parts the same sentence lists in that unit.

    Parts inside parentheses are a breakdown of a part, and a number a phrasing
    read as a new total (行政诉讼 N 件) ends the list.
    """
    out: list[Breakdown] = []
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
                    value=_number(m.group("n")),
                    parts=tuple(parts),
                    complete=complete,
                    evidence=_evidence(doc, nar, m.start(), label_from),
                )
            )
    return out
