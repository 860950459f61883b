"""The model's reading of the narrative: claims in the deterministic reader's
structure, each kept only when its quote stands in the narrative, its value is
printed in that quote, and its paths name canonical cells.

Optional (``NIANBAO_LLM_NARRATIVE=1``) and only in the ``llm`` and ``hybrid``
backends; offline the deterministic reader (:mod:`extractor.verify.claims`)
stands alone. The pipeline adds a proposed claim only when the deterministic
reader did not make the same one; a disagreement with the tables is a warning,
never an error (a model's reading is not a reviewer's).
"""

from __future__ import annotations

import os
import re

from pydantic import BaseModel, ConfigDict, Field

from ..document import Document
from ..result import Claim, Evidence
from ..verify.catalogue import KNOWN_PATHS, expand
from ..verify.claims import NarrativeClaim
from .ask import Session
from .prompts import load_prompt

#: the rule model-proposed claims carry (its disagreements are warnings)
RULE = "llm.narrative"
_WS = re.compile(r"\s+")
#: a quote longer than this is not a quote of one claim
_MAX_QUOTE = 200


def enabled() -> bool:
    """Whether the model reads the narrative too (``NIANBAO_LLM_NARRATIVE``)."""
    return os.environ.get("NIANBAO_LLM_NARRATIVE", "").strip().lower() in {"1", "true", "yes", "on"}


class ProposedClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quote: str = Field(description="the words of the text that state the number, copied exactly")
    value: int | float
    paths: list[str] = Field(description="canonical paths whose cells add up to value")
    alt_paths: list[str] | None = Field(None, description="another reading of the same words, if any")


class NarrativeAnswer(BaseModel):
    """The claims the narrative makes about the tables."""

    model_config = ConfigDict(extra="forbid")
    claims: list[ProposedClaim]


def narrative_text(doc: Document, table_spans: list[tuple[int, int]]) -> str:
    """The document text outside the tables, in order."""
    parts, pos = [], 0
    for start, end in sorted(table_spans):
        parts.append(doc.text[pos:start])
        pos = max(pos, end)
    parts.append(doc.text[pos:])
    return "".join(parts)


def _known(paths: list[str] | None) -> bool:
    return paths is None or (bool(paths) and all(expand(p, KNOWN_PATHS) for p in paths))


def _number_in(quote: str, value: int | float) -> bool:
    digits = {float(d.replace(",", "")) for d in re.findall(r"\d[\d,]*(?:\.\d+)?", quote)}
    return float(value) in digits


def _find(doc: Document, table_spans: list[tuple[int, int]], quote: str) -> Evidence | None:
    """Where the quote stands in the narrative, whitespace ignored (PDF text
    breaks lines anywhere); None when it is not there (or only in a table)."""
    squashed = _WS.sub("", quote)
    if not squashed or len(squashed) > _MAX_QUOTE:
        return None
    # \s* before a literal that is not a space: no backtracking between gaps
    pattern = re.compile(r"\s*".join(map(re.escape, squashed)))
    for found in pattern.finditer(doc.text):
        start, end = found.span()
        if any(a <= start < b for a, b in table_spans):
            continue
        line = doc.line_at(start)
        return Evidence(
            line=line.no if line else 0, start=start, end=end, text=found.group(), page=line.page if line else None
        )
    return None


def grounded(doc: Document, table_spans: list[tuple[int, int]], answer: NarrativeAnswer) -> list[Claim]:
    """The proposed claims whose quote is in the narrative, value in the quote, paths canonical."""
    out: list[Claim] = []
    for c in answer.claims:
        if not (_known(c.paths) and _known(c.alt_paths) and _number_in(c.quote, c.value)):
            continue
        evidence = _find(doc, table_spans, c.quote)
        if evidence is not None:
            out.append(
                NarrativeClaim(
                    quote=c.quote,
                    paths=c.paths,
                    alt_paths=c.alt_paths,
                    value=c.value,
                    evidence=evidence,
                    rule=RULE,
                )
            )
    return out


def propose_claims(doc: Document, table_spans: list[tuple[int, int]], session: Session) -> list[Claim]:
    """Ask the model for the narrative's claims; keep the grounded ones."""
    answer = session.ask(load_prompt("read_narrative"), narrative_text(doc, table_spans), NarrativeAnswer)
    return grounded(doc, table_spans, answer)
