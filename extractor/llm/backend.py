"""The two LLM backends.

``llm``: the model reads tables 二, 三 and 四 (only those sections are sent)
into :class:`~extractor.llm.answers.TablesAnswer`; meta comes from the
deterministic title reader, since the title is not sent.

``hybrid``: the parser reads the report; the model is asked only for the cells
the parser's warnings name as unread (:func:`gap_paths`), and only the sections
they stand in are sent — only the regions around them when a section is long. A
table the parser could not find (``parse.table_missing``) is not asked for:
``find_sections`` did not find it either, so there is no text to send.

Either way every number the model gives is located in the source or left blank
and flagged (see :mod:`extractor.llm.locate`), and the text sent stays within
``max_input_tokens`` (:func:`fit`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from ..document import Document
from ..parse.extraction import Extraction
from ..parse.meta import read_meta
from ..parse.parser import Parsed, parse
from ..parse.sections import Sections, find_sections, require_sections
from ..record import replace
from ..report import flatten, unflatten
from ..result import Finding, Message
from ..schema import validate_report
from ..template import TABLES
from . import NAMES
from .answers import GapAnswer, TablesAnswer
from .ask import Session
from .locate import cell_labels, locate
from .narrative import enabled as narrative_enabled
from .narrative import propose_claims
from .prompts import load_prompt
from .settings import LLMSettings

#: The prompt each backend asks with (``prompts/<name>.md``); its hash versions the backend's results.
BACKEND_PROMPTS = {"llm": "extract_tables", "hybrid": "fill_gaps"}
_SPACE_RUN = re.compile(r"\s+")
_WIDE = re.compile(r"[^\x00-\x7f]")


def estimated_tokens(text: str) -> int:
    """A token estimate on the high side: one per non-ASCII character (a Chinese
    character is one token or less in common tokenizers), one per three ASCII ones."""
    wide = len(_WIDE.findall(text))
    return wide + -(-(len(text) - wide) // 3)


def fit(text: str, budget: int) -> tuple[str, bool]:
    """``text`` within ``budget`` estimated tokens, and whether any of it was cut.

    Over budget, whitespace runs shrink to one space first (a PDF dumped one
    character per line halves); still over, the text is cut at the budget.
    """
    if estimated_tokens(text) <= budget:
        return text, False
    text = _SPACE_RUN.sub(" ", text)
    if estimated_tokens(text) <= budget:
        return text, False
    while estimated_tokens(text) > budget:  # cut in proportion; at most a few rounds
        text = text[: max(0, len(text) * budget // estimated_tokens(text) - 1)]
    return text, True


def _truncated(sent: int, budget: int) -> Finding:
    return Finding(rule="llm.truncated", severity="warning", message=Message(
        zh=f"表格文本超出模型输入上限（约 {budget} 个词元），仅发送了前 {sent} 个字符；其后的单元格可能空缺",
        en=f"the table text exceeds the model input budget (~{budget} tokens): only its first {sent} characters "
           "were sent, so later cells may stay blank (NIANBAO_LLM_MAX_INPUT_TOKENS)",
    ))


def source_text(doc: Document, sections: Sections, names: Collection[str]) -> str:
    """The text of the named sections, each under its heading, in printed order."""
    parts = []
    for name, table in TABLES.items():
        span = sections.get(name)
        if name in names and span is not None:
            parts.append(f"=== {table.heading} ===\n{doc.text[span[0] : span[1]].strip()}")
    return "\n\n".join(parts)


def tables_request(doc: Document, sections: Sections, budget: int) -> tuple[str, bool]:
    """What the ``llm`` backend sends: tables 二–四 within ``budget``, and whether it was cut."""
    return fit(source_text(doc, sections, list(TABLES)), budget)


def extract_llm(doc: Document, settings: LLMSettings | None) -> Extraction:
    """The model fills the whole schema; its numbers are located or flagged."""
    settings = settings or LLMSettings.from_env()
    sections = require_sections(doc)
    prompt = load_prompt(BACKEND_PROMPTS["llm"])
    request, cut = tables_request(doc, sections, settings.max_input_tokens)
    with Session(settings, doc.source) as session:
        answer = session.ask(prompt, request, TablesAnswer)
        spans = sorted(sections.spans.values())
        claims = propose_claims(doc, spans, session) if narrative_enabled() else []
    tables = answer.model_dump(mode="json", exclude={"template"})
    located = locate(doc, sections, flatten(tables))
    filled = unflatten(located.values)
    meta = replace(read_meta(doc), template=answer.template_read())
    # A table the text lacks stays null even if the model filled it (its numbers are flagged above).
    read = {n: filled.get(n) if sections.get(n) and tables[n] is not None else None for n in TABLES}
    report = validate_report({"meta": meta, **read})
    findings = located.findings + ([_truncated(len(request), settings.max_input_tokens)] if cut else [])
    parsed = Parsed(report, located.evidence, findings, spans)
    return Extraction(parsed, session.usage, settings.model, prompt.sha256, claims)


def gap_paths(parsed: Parsed) -> list[str]:
    """Leaf paths the parser's warnings name as unread, in printed order.

    A row printed with the wrong number of values (``parse.unplaced``) is always
    asked for. A row not found (``parse.row_missing``) is asked for only in a
    table the parser could not read in the template's layout — it placed no
    value there, or left a row unplaced. In a table it did read, a missing row is
    one the report does not print: asking would cost a request for a blank.
    """
    unplaced = {p for f in parsed.findings if f.rule == "parse.unplaced" for p in f.paths}
    missing = {p for f in parsed.findings if f.rule == "parse.row_missing" for p in f.paths}
    unread = {p.split(".", 1)[0] for p in unplaced}
    unread |= {t for t in TABLES if not any(p.startswith(t + ".") for p in parsed.evidence)}
    named = unplaced | {p for p in missing if p.split(".", 1)[0] in unread}
    return [p for p in parsed.report.leaves() if p in named]


def _around_rows(doc: Document, sections: Sections, parsed: Parsed, gaps: list[str]) -> str | None:
    """Only the regions that hold the asked cells, as :func:`source_text` lays them out:
    each section's head (its heading and column header, up to the first value the
    parser read) and, around each unplaced row, the text from the row the parser read
    before it to the row it read after it. None when some asked cell is not in an
    unplaced row the parser located (a table it could not read at all): then the
    whole section is the region."""
    anchors: dict[str, list[int]] = {}
    covered: set[str] = set()
    for f in parsed.findings:
        if f.rule == "parse.unplaced" and f.evidence and set(f.paths) & set(gaps):
            anchors.setdefault(f.paths[0].split(".", 1)[0], []).append(next(iter(f.evidence.values())).start)
            covered.update(f.paths)
    if not covered.issuperset(gaps):
        return None
    read = sorted(ev.start for ev in parsed.evidence.values())
    parts = []
    for name, table in TABLES.items():
        span = sections.get(name)
        if name not in anchors or span is None:
            continue
        inside = [r for r in read if span[0] <= r < span[1]]
        first_read = doc.line_at(inside[0]) if inside else None
        windows = [(span[0], first_read.start if first_read else span[0])]
        for a in sorted(anchors[name]):
            before = max((r for r in inside if r < a), default=span[0])
            after = min((r for r in inside if r > a), default=span[1] - 1)
            first, last = doc.line_at(before), doc.line_at(after)
            windows.append((first.start if first else before, last.end if last else after))
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted(windows):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
            else:
                merged.append((lo, hi))
        text = "\n…\n".join(doc.text[lo:hi].strip() for lo, hi in merged if doc.text[lo:hi].strip())
        parts.append(f"=== {table.heading} ===\n{text}")
    return "\n\n".join(parts)


def gaps_request(doc: Document, sections: Sections, parsed: Parsed, gaps: list[str], budget: int) -> tuple[str, bool]:
    """What ``hybrid`` sends: the cells it asks for, then the sections they stand in
    — only the regions around them when the sections exceed ``budget`` — and
    whether the text had to be cut to fit."""
    cells = "\n".join(f"{p}\t{' · '.join(cell_labels(p))}" for p in gaps)
    head = f"Cells to read (path, then row · column as printed):\n{cells}\n\n"
    room = max(1, budget - estimated_tokens(head))
    text = source_text(doc, sections, {p.split(".", 1)[0] for p in gaps})
    if estimated_tokens(text) > room:
        text = _around_rows(doc, sections, parsed, gaps) or text
    text, cut = fit(text, room)
    return head + text, cut


def extract_hybrid(doc: Document, settings: LLMSettings | None) -> Extraction:
    """The parser reads the report; the model only the cells it could not read."""
    settings = settings or LLMSettings.from_env()
    parsed = parse(doc)
    gaps = gap_paths(parsed)
    if not gaps and not narrative_enabled():
        return Extraction(parsed)
    sections = find_sections(doc)
    prompt = load_prompt(BACKEND_PROMPTS["hybrid"])
    request, cut = gaps_request(doc, sections, parsed, gaps, settings.max_input_tokens)
    with Session(settings, doc.source) as session:
        claims = propose_claims(doc, parsed.table_spans, session) if narrative_enabled() else []
        if not gaps:
            return Extraction(parsed, session.usage, settings.model, claims=claims)
        answer = session.ask(prompt, request, GapAnswer)
    given = {v.path: v.value for v in answer.values}
    located = locate(doc, sections, {p: given.get(p) for p in gaps})
    canonical = parsed.report.to_canonical() | unflatten({**parsed.report.leaves(), **located.values})
    filled = [p for p in gaps if p in located.evidence]
    findings = parsed.findings + located.findings
    if cut:
        findings.append(_truncated(len(request), settings.max_input_tokens))
    if filled:
        findings.append(Finding(
            rule="llm.filled", severity="info", paths=filled,
            message=Message(
                zh=f"解析器未能读取的 {len(filled)} 个单元格由模型填写，且已在原文中找到",
                en=f"{len(filled)} cells the parser could not read were filled by the model and located in the source",
            ),
        ))
    merged = Parsed(validate_report(canonical), parsed.evidence | located.evidence, findings, parsed.table_spans)
    return Extraction(merged, session.usage, settings.model, prompt.sha256, claims)


#: The backends that ask a model, by name; the pipeline binds their settings
#: (``None``: from the environment) and adds ``parser``.
LLM_BACKENDS: dict[str, Callable[[Document, LLMSettings | None], Extraction]] = {
    "llm": extract_llm,
    "hybrid": extract_hybrid,
}
assert tuple(LLM_BACKENDS) == NAMES, "extractor.llm.NAMES names these backends"
