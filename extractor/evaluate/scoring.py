"""Score extractions against hand-labelled gold, leaf by leaf.

Pure functions over canonical dicts (FORMAT.md), with the semantics of
``shared/tools/score.py`` so that both tools report the same figures on the
same fixtures: every gold leaf is compared (nulls included; a leaf the
extraction lacks is ``<missing>``), the four ``meta`` keys count as leaves,
claims are matched by value and by the set of cells their paths name (``*``
expanded over gold's leaves, ``alt_paths`` accepted), a gold finding is
detected when an error finding names one of its paths, and every error finding
on a report whose gold has none is a false alarm. eval/README.md defines each
figure.
"""

from __future__ import annotations

import fnmatch
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

SECTIONS = ("active", "applications", "review_litigation")
META_KEYS = ("agency", "year", "template", "published")
#: What score.py calls a leaf the extraction does not have.
MISSING = "<missing>"


def _leaves(node: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{prefix}.{k}")
    else:
        yield prefix, node


def flat(doc: dict[str, Any]) -> dict[str, Any]:
    """Table leaves by dotted path; an absent section is one ``None`` leaf (as in score.py)."""
    out: dict[str, Any] = {}
    for s in SECTIONS:
        sec = doc.get(s)
        if sec is None:
            out[s] = None
        else:
            out.update(_leaves(sec, s))
    return out


def expand(fl: dict[str, Any], pattern: str) -> list[str]:
    """Paths of ``fl`` matched by ``pattern``, where ``*`` stands for one key."""
    if "*" not in pattern:
        return [pattern]
    n = len(pattern.split("."))
    return [p for p in fl if len(p.split(".")) == n and fnmatch.fnmatch(p, pattern)]


def same(a: Any, b: Any) -> bool:
    """Equal as score.py sees it: numbers within 1e-6, strings ignoring whitespace."""
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) < 1e-6
    if isinstance(a, str) and isinstance(b, str):
        return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)
    return bool(a == b)


def section_of(path: str) -> str:
    """``meta``, ``active``, ``applications`` or ``review_litigation``."""
    return path.split(".", 1)[0]


@dataclass
class Counts:
    """Leaf tallies. ``accuracy`` is over every gold leaf; precision and recall
    are over non-null leaves (a wrong non-null value counts against both)."""

    leaves: int = 0
    right: int = 0
    gold_values: int = 0
    got_values: int = 0
    right_values: int = 0

    def add(self, other: Counts) -> None:
        self.leaves += other.leaves
        self.right += other.right
        self.gold_values += other.gold_values
        self.got_values += other.got_values
        self.right_values += other.right_values

    @property
    def wrong(self) -> int:
        return self.leaves - self.right

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.right, self.leaves)

    @property
    def precision(self) -> float | None:
        return _ratio(self.right_values, self.got_values)

    @property
    def recall(self) -> float | None:
        return _ratio(self.right_values, self.gold_values)

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None or r is None else 0.0
        return 2 * p * r / (p + r)

    def to_json(self) -> dict[str, Any]:
        return {
            "leaves": self.leaves, "right": self.right, "gold_values": self.gold_values,
            "got_values": self.got_values, "right_values": self.right_values,
            "accuracy": self.accuracy, "precision": self.precision, "recall": self.recall, "f1": self.f1,
        }


def percent(v: float | None, digits: int = 2) -> str:
    """A ratio as a percentage for people; ``n/a`` when it is undefined (nothing to count)."""
    return "n/a" if v is None else f"{100 * v:.{digits}f}%"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _present(v: Any) -> bool:
    return v is not None and v != MISSING


@dataclass(frozen=True)
class Mismatch:
    """One leaf whose extracted value differs from gold."""

    path: str
    gold: Any
    got: Any


@dataclass
class LeafScore:
    """The leaf comparison of one report: totals, per section, per field, and the misses."""

    counts: Counts = field(default_factory=Counts)
    sections: dict[str, Counts] = field(default_factory=dict)
    fields: dict[str, Counts] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)

    def tally(self, path: str, gold: Any, got: Any, *, in_gold: bool = True) -> None:
        """Count one leaf (``in_gold=False`` for a leaf only the extraction has)."""
        c = Counts(
            leaves=int(in_gold),
            right=int(in_gold and same(gold, got)),
            gold_values=int(in_gold and _present(gold)),
            got_values=int(_present(got)),
            right_values=int(_present(gold) and same(gold, got)),
        )
        for bucket in (self.counts, self.sections.setdefault(section_of(path), Counts()),
                       self.fields.setdefault(path, Counts())):
            bucket.add(c)
        if in_gold and not c.right:
            self.mismatches.append(Mismatch(path, gold, got))


def score_leaves(gold: dict[str, Any], pred: dict[str, Any] | None) -> LeafScore:
    """Compare every gold leaf (tables, then meta) with the extraction.

    ``pred=None`` (the extraction failed) scores every leaf as missing without
    listing it. Leaves only the extraction has count against precision only.
    """
    gf = flat(gold)
    pf = flat(pred) if pred is not None else {}
    gm = gold.get("meta") or {}
    pm = (pred.get("meta") or {}) if pred is not None else {}
    out = LeafScore()
    for path, gv in [*gf.items(), *((f"meta.{k}", gm.get(k)) for k in META_KEYS)]:
        src, key = (pm, path[5:]) if path.startswith("meta.") else (pf, path)
        out.tally(path, gv, src.get(key, MISSING))
    if pred is None:
        out.mismatches.clear()
    for path, pv in pf.items():
        if path not in gf:
            out.tally(path, None, pv, in_gold=False)
    return out


def error_findings(pred: dict[str, Any]) -> list[dict[str, Any]]:
    """Findings of severity ``error`` (a finding without a severity is an error)."""
    return [f for f in pred.get("findings") or [] if f.get("severity", "error") == "error"]


def claim_cells(gold_flat: dict[str, Any], paths: Iterable[str] | None) -> frozenset[str]:
    """The set of gold cells a claim's paths name, ``*`` expanded."""
    return frozenset(p for pat in paths or [] for p in expand(gold_flat, pat))


@dataclass
class ClaimScore:
    gold: int = 0
    found: int = 0
    extra: int = 0
    missed: list[str] = field(default_factory=list)


def score_claims(gold: dict[str, Any], pred: dict[str, Any] | None) -> ClaimScore:
    """Recall of gold claims; ``extra`` counts extracted claims that match no gold claim."""
    gf = flat(gold)
    golds = gold.get("claims") or []
    out = ClaimScore(gold=len(golds))
    if pred is None:
        out.missed = [c["quote"] for c in golds]
        return out
    got = [(c.get("value"), claim_cells(gf, c.get("paths"))) for c in pred.get("claims") or []]
    used = [False] * len(got)
    for c in golds:
        targets = {claim_cells(gf, c["paths"])}
        if c.get("alt_paths"):
            targets.add(claim_cells(gf, c["alt_paths"]))
        hits = [i for i, (v, cells) in enumerate(got) if same(v, c["value"]) and cells in targets]
        if hits:
            out.found += 1
            for i in hits:
                used[i] = True
        else:
            out.missed.append(c["quote"])
    out.extra = used.count(False)
    return out


@dataclass
class FindingScore:
    gold: int = 0
    detected: int = 0
    false_alarms: int = 0
    missed: list[str] = field(default_factory=list)
    alarms: list[str] = field(default_factory=list)


def score_findings(gold: dict[str, Any], pred: dict[str, Any] | None) -> FindingScore:
    """Recall of required (non-soft) gold findings, and false alarms on consistent reports."""
    required = [f for f in gold.get("findings") or [] if not f.get("soft")]
    out = FindingScore(gold=len(required))
    if pred is None:
        out.missed = [f.get("why", ", ".join(f["paths"])) for f in required]
        return out
    errs = error_findings(pred)
    named = {p for f in errs for p in f.get("paths") or []}
    for f in required:
        if named & set(f["paths"]):
            out.detected += 1
        else:
            out.missed.append(f.get("why", ", ".join(f["paths"])))
    if not gold.get("findings"):
        out.false_alarms = len(errs)
        out.alarms = [_finding_text(f) for f in errs]
    return out


def _finding_text(f: dict[str, Any]) -> str:
    msg = f.get("message")
    text = msg.get("en") or msg.get("zh") if isinstance(msg, dict) else msg
    return f"{f.get('rule', '?')}: {text or ''} [{', '.join(f.get('paths') or [])}]"


# --- mutation: the same regions, numbers and edits as score.py -------------

TABLE3 = re.compile(r"三、\s*收到和处理政府信息公开申请情况")
TABLE4 = re.compile(r"四、\s*(?:政府信息公开)?行政复议")
NUMBER = re.compile(r"(?<![\d.年月第（(])(\d{1,6})(?![\d.年月日项件号%])")


def mutations(text: str, rng: random.Random, n: int) -> list[tuple[int, int, str]]:
    """Up to ``n`` (start, end, replacement) edits of standalone numbers inside table 三."""
    m3 = TABLE3.search(text)
    if not m3:
        return []
    m4 = TABLE4.search(text, m3.end())
    end = m4.start() if m4 else len(text)
    spots = list(NUMBER.finditer(text, m3.end(), end))
    rng.shuffle(spots)
    return [(m.start(1), m.end(1), str(int(m.group(1)) + rng.choice([1, 2, 3, 5, 10]))) for m in spots[:n]]


def reached_table(base: dict[str, Any], mutated: dict[str, Any]) -> bool:
    """Whether an edit changed table 三 as extracted (else it is not counted)."""
    return _dump(mutated.get("applications")) != _dump(base.get("applications"))


def _dump(v: Any) -> str:
    # score.py compares the JSON text, so 1 and 1.0 differ here too.
    return json.dumps(v, sort_keys=True)


def caught(mutated: dict[str, Any]) -> bool:
    """Whether the verifier raised an error finding on a table 三 cell."""
    return any(p.startswith("applications.") for f in error_findings(mutated) for p in f.get("paths") or [])
