"""The one exception hierarchy of nianbao.

Every error a user can cause derives from :class:`NianbaoError` and carries a
message that names the file and the problem, so the CLI can print one line and
exit 2 without a traceback.

    NianbaoError
    ├── InputError          the file cannot be read as a report
    │   ├── UnsupportedFormat   an extension no loader reads (or a missing converter)
    │   ├── NotAReport          readable text, but not a disclosure annual report
    │   └── ScannedDocument     a PDF without a text layer
    ├── ConfigError         a rule file, prompt or setting is malformed
    └── BackendError        an extraction backend (the LLM) failed after retries
"""

from __future__ import annotations


class NianbaoError(Exception):
    """Base class: ``str(err)`` is a one-line message fit for a user."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class InputError(NianbaoError):
    """The input file is missing, empty, binary, corrupt or otherwise unreadable."""


class UnsupportedFormat(InputError):
    """No loader reads this kind of file."""


class NotAReport(InputError):
    """The text does not look like a government information disclosure annual report."""


class ScannedDocument(InputError):
    """A PDF whose pages carry no text layer (needs OCR)."""


class ConfigError(NianbaoError):
    """A rule catalogue, prompt file or setting is malformed."""


class BackendError(NianbaoError):
    """An extraction backend failed (e.g. the LLM endpoint after all retries)."""
