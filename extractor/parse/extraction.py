"""What an extraction backend hands the pipeline, and the backend signature.

A backend reads a :class:`~extractor.document.Document` into the report,
its evidence and findings (a :class:`~extractor.parse.parser.Parsed`), and says what
that cost and which model and prompt produced it. The parser costs nothing.
A backend takes only the document: one that needs configuration (the LLM
backends' endpoint and model) has it bound by the pipeline, so this signature
depends on no backend.
"""

from __future__ import annotations

from collections.abc import Callable

from ..document import Document
from ..record import field, record
from ..result import Claim, Usage
from .parser import Parsed, parse


@record
class Extraction:
    parsed: Parsed
    usage: Usage = field(default_factory=Usage)
    model: str | None = None
    prompt_sha256: str | None = None
    #: claims a model proposed from the narrative (grounded in its text); the
    #: pipeline adds those the deterministic reader did not make
    claims: list[Claim] = field(default_factory=list)


Backend = Callable[[Document], Extraction]


def parser_backend(doc: Document) -> Extraction:
    """The deterministic template parser: offline, no settings."""
    return Extraction(parse(doc))
