"""The eval run as a document a person reads: HTML or Markdown.

For every mismatched leaf it shows the canonical path, gold, what the backend
got, and the source line it was read from (the value itself marked), so one can
see at a glance whether the loader, the parser or the label is wrong.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from .harness import EvalRun, ReportEval, Source
from .scoring import Counts, percent


def _val(v: Any) -> str:
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def summary_rows(run: EvalRun) -> list[tuple[str, str]]:
    """The headline figures as (label, value)."""
    c = run.counts
    rows = [
        ("backend", run.backend),
        ("documents", f"{len(run.reports)} ({run.failed} failed)"),
        ("leaf accuracy", f"{percent(c.accuracy)} ({c.right}/{c.leaves})"),
        ("precision / recall / F1 (non-null)", f"{percent(c.precision)} / {percent(c.recall)} / {percent(c.f1)}"),
        ("claims recall", f"{percent(run.claims_recall)} ({run.total('claims.found')}/"
                          f"{run.total('claims.gold')}, {run.total('claims.extra')} extra)"),
        ("findings recall", f"{percent(run.findings_recall)} "
                            f"({run.total('findings.detected')}/{run.total('findings.gold')})"),
        ("false alarms", str(run.total("findings.false_alarms"))),
    ]
    if run.mutate:
        rows.append(("mutations caught", f"{percent(run.caught_rate)} "
                                         f"({run.total('mutation.caught')}/{run.total('mutation.tried')})"))
    dps = run.docs_per_second
    rows.append(("speed", f"{run.seconds:.2f}s, {dps:.1f} documents/s" if dps else f"{run.seconds:.2f}s"))
    usage = run.usage()
    rows.append(("LLM usage", "none" if usage is None else
                 f"{usage['llm_calls']} calls, {usage['prompt_tokens']}+{usage['completion_tokens']} tokens, "
                 f"{usage['cache_hits']} cache hits, {usage['replayed']} replayed, estimated cost "
                 + ("n/a" if usage["cost_usd"] is None else f"${usage['cost_usd']:.4f}")))
    return rows


def _count_cells(c: Counts) -> list[str]:
    return [f"{c.right}/{c.leaves}", percent(c.accuracy), percent(c.precision), percent(c.recall), percent(c.f1)]


def _report_line(r: ReportEval) -> str:
    if r.error:
        return f"FAILED: {r.error}"
    c = r.leaves.counts
    line = (f"leaves {c.right}/{c.leaves} ({percent(c.accuracy)}), claims {r.claims.found}/{r.claims.gold} "
            f"(+{r.claims.extra} extra), findings {r.findings.detected}/{r.findings.gold}, "
            f"false alarms {r.findings.false_alarms}")
    if r.mutation is not None:
        line += f", mutations caught {r.mutation.caught}/{r.mutation.tried}"
    return line + f", {r.seconds:.2f}s"


def _notes(r: ReportEval) -> list[str]:
    return ([f"missed claim: {q}" for q in r.claims.missed]
            + [f"missed finding: {w}" for w in r.findings.missed]
            + [f"false alarm: {a}" for a in r.findings.alarms]
            + ([f"missed mutation: {m}" for m in r.mutation.misses] if r.mutation else []))


def _html_source(src: Source | None) -> str:
    if src is None:
        return "<span class=none>no evidence</span>"
    if src.mark is not None:
        a, b = src.mark
        text = (html.escape(src.text[:a]) + "<mark>" + html.escape(src.text[a:b]) + "</mark>"
                + html.escape(src.text[b:]))
    else:
        text = html.escape(src.text)
    where = f"line {src.line}" + ("" if src.exact else " (same row)")
    return f"<span class=line>{where}</span> <code>{text}</code>"


_CSS = """body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
td.gold{background:#e6ffe6}td.got{background:#ffe6e6}mark{background:#ffd54f}
code{white-space:pre-wrap}.line{color:#666}.none{color:#999}"""


def to_html(run: EvalRun, limit: int = 50) -> str:
    """A standalone HTML page: the summary, per-section figures, and per report every mismatch."""
    e = html.escape
    out = [f"<!doctype html><meta charset=utf-8><title>nianbao eval</title><style>{_CSS}</style>",
           f"<h1>nianbao eval: {e(run.backend)} on {e(run.fixtures)}</h1><table>"]
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in summary_rows(run)]
    out.append("</table><h2>Sections</h2><table><tr><th>section<th>right/leaves<th>accuracy"
               "<th>precision<th>recall<th>F1</tr>")
    for name, c in run.sections().items():
        out.append(f"<tr><td>{e(name)}" + "".join(f"<td>{e(x)}" for x in _count_cells(c)) + "</tr>")
    out.append("</table><h2>Reports</h2>")
    for r in run.reports:
        out.append(f"<h3 id='{e(r.name)}'>{e(r.name)}</h3><p>{e(_report_line(r))}</p>")
        if r.leaves.mismatches:
            out.append("<table><tr><th>path<th>gold<th>got<th>source</tr>")
            for m in r.leaves.mismatches[:limit]:
                out.append(f"<tr><td><code>{e(m.path)}</code><td class=gold>{e(_val(m.gold))}"
                           f"<td class=got>{e(_val(m.got))}<td>{_html_source(r.sources.get(m.path))}</tr>")
            out.append("</table>")
            if len(r.leaves.mismatches) > limit:
                out.append(f"<p>… {len(r.leaves.mismatches) - limit} more mismatches</p>")
        notes = _notes(r)
        if notes:
            out.append("<ul>" + "".join(f"<li>{e(n)}" for n in notes) + "</ul>")
    out += [f"<p>{e(n)}</p>" for n in run.notes]
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_source(src: Source | None) -> str:
    if src is None:
        return "no evidence"
    text = src.text
    if src.mark is not None:
        a, b = src.mark
        text = f"{text[:a]}**{text[a:b]}**{text[b:]}"
    return f"line {src.line}{'' if src.exact else ' (same row)'}: `{text}`"


def to_markdown(run: EvalRun, limit: int = 50) -> str:
    """The same content as :func:`to_html`, as Markdown."""
    out = [f"# nianbao eval: {run.backend} on {run.fixtures}", "", "| figure | value |", "|---|---|"]
    out += [f"| {k} | {_md(v)} |" for k, v in summary_rows(run)]
    out += ["", "## Sections", "", "| section | right/leaves | accuracy | precision | recall | F1 |",
            "|---|---|---|---|---|---|"]
    out += [f"| {name} | " + " | ".join(_count_cells(c)) + " |" for name, c in run.sections().items()]
    out += ["", "## Reports"]
    for r in run.reports:
        out += ["", f"### {r.name}", "", _report_line(r), ""]
        if r.leaves.mismatches:
            out += ["| path | gold | got | source |", "|---|---|---|---|"]
            out += [f"| `{m.path}` | {_md(_val(m.gold))} | {_md(_val(m.got))} | "
                    f"{_md(_md_source(r.sources.get(m.path)))} |" for m in r.leaves.mismatches[:limit]]
            if len(r.leaves.mismatches) > limit:
                out.append(f"\n… {len(r.leaves.mismatches) - limit} more mismatches")
        out += [f"- {_md(n)}" for n in _notes(r)]
    out += ["", *run.notes]
    return "\n".join(out) + "\n"


def write_report(run: EvalRun, path: Path, limit: int = 50) -> None:
    """HTML for ``.html``/``.htm``, Markdown otherwise."""
    text = to_html(run, limit) if path.suffix.lower() in {".html", ".htm"} else to_markdown(run, limit)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the report: {e.strerror or e}", path=str(path)) from e
