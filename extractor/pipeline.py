"""The one pipeline every face (Python, CLI) calls:
load → normalise → extract (parser or LLM) → claims → verify → Result.

The stages are imported where they run, not at the top: a file is extracted in the
bounded worker (:mod:`~extractor.load.isolate`), and the process that only hands it
the path and prints its JSON need not import the parser, the rules or pydantic.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .document import Document
from .errors import NianbaoError
from .llm import NAMES as LLM_NAMES
from .load import isolate, load
from .record import replace

if TYPE_CHECKING:
    from .llm.settings import LLMSettings
    from .parse.extraction import Backend
    from .result import Result
    from .verify.files import Checked

#: Extraction backends by name; the parser (offline) is the default.
BACKENDS: tuple[str, ...] = ("parser", *LLM_NAMES)


def get_backend(name: str, llm: LLMSettings | None = None) -> Backend:
    """The backend called ``name`` with its settings bound, or a one-line error listing the choices."""
    from .parse.extraction import parser_backend

    if name == "parser":
        return parser_backend
    if name not in LLM_NAMES:
        raise NianbaoError(f"unknown backend {name!r} (choose from {', '.join(BACKENDS)})")
    from .llm.backend import LLM_BACKENDS  # lazily: the parser path never pays for the model backends

    ask_model = LLM_BACKENDS[name]
    return lambda doc: ask_model(doc, llm)


def extract(
    source: str | Path | Document, *, backend: str = "parser", llm: LLMSettings | None = None, ocr: bool = True
) -> Result:
    """Extract, check and trace one report.

    ``source`` is a path or an already loaded :class:`Document`. Raises an
    :class:`~extractor.errors.InputError` (naming the file) for bad input.
    ``llm`` configures the ``llm`` and ``hybrid`` backends (default: from the
    environment, see :class:`~extractor.llm.settings.LLMSettings`). A file read by
    the parser is read, parsed and verified in the bounded worker of
    :mod:`~extractor.load.isolate` (deadline and memory limit); with a model, the
    file is read there and the model asked from this process. ``ocr=False``
    refuses scanned PDFs and pictures instead of reading them by OCR.
    """
    chosen = get_backend(backend, llm)
    if backend == "parser" and not isinstance(source, Document):
        # The whole extraction of an untrusted file runs in the bounded worker.
        return isolate.run(_extract_file, source, ocr, source=str(source))
    t0 = time.perf_counter()
    doc = source if isinstance(source, Document) else load(source, ocr=ocr)
    return _finish(doc, backend, chosen, t0)


def extract_json(path: str | Path, *, ocr: bool = True) -> dict[str, Any]:
    """:func:`extract` of a file by the parser, as the canonical JSON object: what
    ``nianbao extract --format json`` prints. Made in the worker, so the caller
    receives plain data and imports nothing of the pipeline's stages."""
    return isolate.run(_extract_file_json, path, ocr, source=str(path))


def warm(suffixes: Sequence[str]) -> None:
    """Import the stages and compile the catalogues a first extraction needs, with
    the readers of files with these suffixes (what :func:`~extractor.load.isolate.start`
    runs in a fresh worker)."""
    from .cache import save_patterns
    from .load import prepare
    from .parse import extraction, ocr_notes  # noqa: F401
    from .verify import engine  # noqa: F401
    from .verify.catalogue import load_catalogue
    from .verify.claims import load_phrasings

    prepare(suffixes)
    load_catalogue()
    load_phrasings()
    save_patterns()  # a forked worker runs no exit handlers: keep its new programs now


#: What :func:`read_ahead` made: the file (absolute path, size, modification time), the
#: OCR setting and the environment it was read with, and its result or error.
_ahead: list[tuple[tuple[str, int, int, bool], dict[str, str], Result | NianbaoError]] = []


def read_ahead(path: str | Path, ocr: bool) -> None:
    """Extract ``path`` before anyone asks: a fresh worker runs this, bounded as for a job,
    while the command line that named the file still imports typer. The command's first
    job then finds its answer made — only if it asks for the same file, unchanged, with
    the same OCR setting, folder and environment; otherwise it is made again."""
    key = _ahead_key(path, ocr)
    if key is None:
        return
    env = dict(os.environ)
    try:
        outcome: Result | NianbaoError = _extract_file(path, ocr)
    except NianbaoError as e:
        outcome = e
    _ahead[:] = [(key, env, outcome)]


def _ahead_key(path: str | Path, ocr: bool) -> tuple[str, int, int, bool] | None:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return os.path.abspath(path), stat.st_size, stat.st_mtime_ns, ocr


def _extract_file(path: str | Path, ocr: bool) -> Result:
    from .parse.extraction import parser_backend

    if _ahead:
        (key, env, outcome), = _ahead
        _ahead.clear()
        if key == _ahead_key(path, ocr) and env == dict(os.environ):
            if isinstance(outcome, NianbaoError):
                raise outcome
            return outcome
    return _finish(load(path, ocr=ocr), "parser", parser_backend, time.perf_counter())


def _extract_file_json(path: str | Path, ocr: bool) -> dict[str, Any]:
    return _extract_file(path, ocr).to_json()


def _finish(doc: Document, backend: str, chosen: Backend, t0: float) -> Result:
    import hashlib  # (as the stages: the command line that only prints the JSON does not load OpenSSL)

    from .parse.ocr_notes import ocr_findings
    from .resources import nianbao_version
    from .result import Provenance, Result
    from .verify.claims import new_claims, read_narrative
    from .verify.engine import verify

    run = chosen(doc)
    parsed = run.parsed
    narration = read_narrative(doc, parsed.report, parsed.table_spans)
    claims = narration.claims + new_claims(narration.claims, run.claims)
    findings = (
        parsed.findings
        + ocr_findings(doc, parsed.evidence)
        + verify(parsed.report, parsed.evidence, claims, narration.breakdowns)
    )
    return Result(
        report=parsed.report,
        evidence=parsed.evidence,
        claims=claims,
        findings=findings,
        usage=replace(run.usage, seconds=round(time.perf_counter() - t0, 4)),
        provenance=Provenance(
            nianbao=nianbao_version(),
            backend=backend,
            source=doc.source,
            format=doc.format,
            input_sha256=hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
            model=run.model,
            prompt_sha256=run.prompt_sha256,
        ),
    )


def check_file(path: Path) -> Checked:
    """A report (any format :func:`extract` reads) or its canonical ``.json``, verified."""
    from .verify.files import Checked, load_canonical

    if path.suffix.lower() == ".json":
        return isolate.run(load_canonical, path, source=str(path))  # JSON is untrusted too
    result = extract(path)
    return Checked(path.name, result.report, result.evidence, result.findings)


def check_files(paths: Sequence[Path], on_error: Callable[[NianbaoError], None] | None = None) -> list[Checked]:
    """Every file verified, then one agency's consecutive years against each other:
    what ``nianbao verify`` runs. With ``on_error``, a file that cannot be read is
    handed to it and skipped; without, its error is raised."""
    from .verify.files import cross_check

    checked: list[Checked] = []
    for p in paths:
        try:
            checked.append(check_file(p))
        except NianbaoError as e:
            if on_error is None:
                raise
            on_error(e)
    return cross_check(checked)
