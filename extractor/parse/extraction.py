"""What an extraction backend hands the pipeline, and the backend signature.

A backend reads a :class:`~extractor.document.Document` into the report,
its evidence and findings (a :class:`~extractor.parse.parser.Parsed`), and says what
that cost and which model and prompt produced it. The parser costs nothing;
the LLM backends take their :class:`~extractor.llm.settings.LLMSettings`
(``None``: from the environment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..document import Document
from ..llm.settings import LLMSettings
from ..result import Usage
from .parser import Parsed, parse


@dataclass(frozen=True, slots=True)
class Extraction:
    parsed: Parsed
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    prompt_sha256: str | None = None


Backend = Callable[[Document, LLMSettings | None], Extraction]


def parser_backend(doc: Document, settings: LLMSettings | None) -> Extraction:
    """The deterministic template parser: offline, no settings."""
    return Extraction(parse(doc))
