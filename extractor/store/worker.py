"""What a batch worker process runs: one document through the pipeline, turned into
the rows the parent stores. It imports no database code, so workers start quickly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, NianbaoError
from ..llm.settings import LLMSettings
from ..load import MAX_BYTES, load_bytes
from ..pipeline import extract
from .records import Record, content_hash, result_record


@dataclass(slots=True)
class Outcome:
    """One document's result as a worker hands it back: rows to store, or the error."""

    extraction_id: int
    path: str
    record: Record | None = None
    error: str | None = None


def run_one(extraction_id: int, path: str, sha256: str, backend: str, llm: LLMSettings | None) -> Outcome:
    """Extract one document (in a worker process); every failure becomes the outcome's error."""
    try:
        p = Path(path)
        if p.stat().st_size > MAX_BYTES:
            raise InputError(f"file too large ({p.stat().st_size} bytes)", path=path)
        data = p.read_bytes()
        if content_hash(data) != sha256:
            raise InputError("changed since the batch registered it; run the batch again", path=path)
        doc = load_bytes(data, path)
        result = extract(doc, backend=backend, llm=llm)
        return Outcome(extraction_id, path, record=result_record(result, doc.text))
    except NianbaoError as e:
        return Outcome(extraction_id, path, error=str(e))
    except OSError as e:
        return Outcome(extraction_id, path, error=f"{path}: cannot read: {e.strerror or e}")
    except Exception as e:  # a bug in a stage must not end the batch: record it and go on
        return Outcome(extraction_id, path, error=f"{path}: {type(e).__name__}: {e}")


