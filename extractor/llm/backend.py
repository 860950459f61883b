"""The two LLM backends.

``llm``: the model reads tables 二, 三 and 四 (only those sections are sent)
into :class:`~extractor.llm.answers.TablesAnswer`; meta comes from the
deterministic title reader, since the title is not sent.

``hybrid``: the parser reads the report; the model is asked only for the cells
the parser's warnings name as unread (``parse.unplaced``, ``parse.row_missing``),
and only the sections they stand in are sent. A table the parser could not find
(``parse.table_missing``) is not asked for: ``find_sections`` did not find it
either, so there is no text to send.

Either way every number the model gives is located in the source or left blank
and flagged (see :mod:`extractor.llm.locate`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from ..document import Document
from ..parse.extraction import Extraction
from ..parse.meta import read_meta
from ..parse.parser import Parsed, parse
from ..parse.sections import Sections, find_sections, require_sections
from ..result import Finding, Message
from ..schema import Report, flatten, unflatten
from ..template import TABLES
from .answers import GapAnswer, TablesAnswer
from .ask import Session
from .locate import cell_labels, locate
from .narrative import enabled as narrative_enabled
from .narrative import propose_claims
from .prompts import load_prompt
from .settings import LLMSettings

#: Parser warnings whose paths are cells it could not read.
GAP_RULES = frozenset({"parse.unplaced", "parse.row_missing"})


def source_text(doc: Document, sections: Sections, names: Collection[str]) -> str:
    """The text of the named sections, each under its heading, in printed order."""
    parts = []
    for name, table in TABLES.items():
        span = sections.get(name)
        if name in names and span is not None:
            parts.append(f"=== {table.heading} ===\n{doc.text[span[0] : span[1]].strip()}")
    return "\n\n".join(parts)


def extract_llm(doc: Document, settings: LLMSettings | None) -> Extraction:
    """The model fills the whole schema; its numbers are located or flagged."""
    settings = settings or LLMSettings.from_env()
    sections = require_sections(doc)
    prompt = load_prompt("extract_tables")
    with Session(settings, doc.source) as session:
        answer = session.ask(prompt, source_text(doc, sections, list(TABLES)), TablesAnswer)
        spans = sorted(sections.spans.values())
        claims = propose_claims(doc, spans, session) if narrative_enabled() else []
    tables = answer.model_dump(mode="json", exclude={"template"})
    located = locate(doc, sections, flatten(tables))
    filled = unflatten(located.values)
    meta = read_meta(doc)
    meta.template = answer.template_read()
    # A table the text lacks stays null even if the model filled it (its numbers are flagged above).
    read = {n: filled.get(n) if sections.get(n) and tables[n] is not None else None for n in TABLES}
    report = Report.model_validate({"meta": meta.model_dump(), **read})
    parsed = Parsed(report, located.evidence, located.findings, spans)
    return Extraction(parsed, session.usage, settings.model, prompt.sha256, claims)


def gap_paths(parsed: Parsed) -> list[str]:
    """Leaf paths the parser's warnings name as unread, in printed order."""
    named = {p for f in parsed.findings if f.rule in GAP_RULES for p in f.paths}
    return [p for p in parsed.report.leaves() if p in named]


def _gap_request(doc: Document, sections: Sections, gaps: list[str]) -> str:
    cells = "\n".join(f"{p}\t{' · '.join(cell_labels(p))}" for p in gaps)
    names = {p.split(".", 1)[0] for p in gaps}
    return f"Cells to read (path, then row · column as printed):\n{cells}\n\n{source_text(doc, sections, names)}"


def extract_hybrid(doc: Document, settings: LLMSettings | None) -> Extraction:
    """The parser reads the report; the model only the cells it could not read."""
    settings = settings or LLMSettings.from_env()
    parsed = parse(doc)
    gaps = gap_paths(parsed)
    if not gaps and not narrative_enabled():
        return Extraction(parsed)
    sections = find_sections(doc)
    prompt = load_prompt("fill_gaps")
    with Session(settings, doc.source) as session:
        claims = propose_claims(doc, parsed.table_spans, session) if narrative_enabled() else []
        if not gaps:
            return Extraction(parsed, session.usage, settings.model, claims=claims)
        answer = session.ask(prompt, _gap_request(doc, sections, gaps), GapAnswer)
    given = {v.path: v.value for v in answer.values}
    located = locate(doc, sections, {p: given.get(p) for p in gaps})
    canonical = parsed.report.to_canonical() | unflatten(parsed.report.leaves() | located.values)
    filled = [p for p in gaps if p in located.evidence]
    findings = parsed.findings + located.findings
    if filled:
        findings.append(Finding(
            rule="llm.filled", severity="info", paths=filled,
            message=Message(
                zh=f"解析器未能读取的 {len(filled)} 个单元格由模型填写，且已在原文中找到",
                en=f"{len(filled)} cells the parser could not read were filled by the model and located in the source",
            ),
        ))
    merged = Parsed(Report.model_validate(canonical), parsed.evidence | located.evidence, findings, parsed.table_spans)
    return Extraction(merged, session.usage, settings.model, prompt.sha256, claims)


#: The backends that ask a model, by name; the pipeline binds their settings
#: (``None``: from the environment) and adds ``parser``.
LLM_BACKENDS: dict[str, Callable[[Document, LLMSettings | None], Extraction]] = {
    "llm": extract_llm,
    "hybrid": extract_hybrid,
}
