"""Loaders: turn a file into a :class:`~extractor.document.Document`.

They know formats (text, Markdown, HTML, PDF, Word), not reports. ``load``
checks the path, picks a loader by extension (or by sniffing the bytes) and
raises an :class:`~extractor.errors.InputError` naming the file for anything
it cannot read.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import stat
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, UnsupportedFormat
from . import isolate

if TYPE_CHECKING:
    from ..document import Document

MAX_BYTES = 200 * 1024 * 1024
#: Text and web pages hold no images: a report is well under a megabyte.
MAX_TEXT_BYTES = 32 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
#: Formats people try that no loader reads: refused by name, not sniffed.
REFUSED_SUFFIXES = {
    ".xls", ".xlsx", ".et", ".csv", ".ppt", ".pptx", ".zip", ".rar", ".7z", ".gz",
    ".gif", ".bmp", ".ofd", ".epub",
}
#: Pictures of report pages, read by OCR (the ``ocr`` extra).
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUPPORTED = ".txt .md .html .htm .pdf .docx .doc .wps .png .jpg .tif"


def _sniff(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if head.startswith(b"%pdf"):
        return ".pdf"
    if head.startswith(b"pk\x03\x04"):
        return ".docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return ".doc"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return ".png"
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in data[:65536].lower():
        return ".html"
    return ".txt"


def load_bytes(data: bytes, name: str, *, ocr: bool = True) -> Document:
    """A Document from bytes; ``name`` gives the extension and names the file in errors.
    ``ocr=False`` refuses scans and pictures instead of reading them by OCR."""
    if not data.strip():
        raise InputError("empty file", path=name)
    suffix = Path(name).suffix.lower()
    if suffix in REFUSED_SUFFIXES:
        raise UnsupportedFormat(f"cannot read {suffix} files (nianbao reads {SUPPORTED})", path=name)
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | IMAGE_SUFFIXES | {".pdf", ".docx", ".doc", ".wps"}:
        suffix = _sniff(data)
    if suffix in {".doc", ".wps"} and _sniff(data) in {".docx", ".html"}:
        suffix = _sniff(data)  # a .docx or a web page saved under an old name: read it as what it is
    if suffix in TEXT_SUFFIXES | HTML_SUFFIXES and len(data) > MAX_TEXT_BYTES:
        raise InputError(f"too large for a text report (over {MAX_TEXT_BYTES // 2**20} MiB)", path=name)
    if suffix in TEXT_SUFFIXES:
        if _sniff(data) in {".pdf", ".docx", ".doc", ".png"}:
            raise InputError("binary data, not a text report", path=name)
        from .text import load_text  # lazily, as every loader: ``import extractor`` stays light

        return load_text(data, name, suffix.lstrip(".").replace("markdown", "md").replace("text", "txt"))
    if suffix in HTML_SUFFIXES:
        from .html import load_html  # lazily: lxml costs start-up time text reports need not pay

        return load_html(data, name)
    if suffix == ".pdf":
        from .pdf import load_pdf  # lazily: pypdfium2 is the optional 'pdf' extra

        return load_pdf(data, name, ocr=ocr)
    if suffix in IMAGE_SUFFIXES:
        from .ocr import load_image

        return load_image(data, name, ocr=ocr)
    if suffix == ".docx":
        from .docx import load_docx  # lazily: python-docx is the optional 'docx' extra

        return load_docx(data, name)
    if suffix in {".doc", ".wps"}:
        from .office import load_office

        return load_office(data, name)
    raise UnsupportedFormat(f"cannot read {suffix} files yet", path=name)


def read_file(path: str | Path) -> bytes:
    """The bytes of a regular file, at most :data:`MAX_BYTES` of them counted as
    read (a device reports size 0); FIFOs, devices and sockets are refused unopened."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        problem = {
            errno.ENOENT: "no such file",
            errno.ELOOP: "a symbolic link loop",
            errno.EISDIR: "is a directory, not a report file",
        }.get(e.errno or 0, f"cannot read: {e.strerror or e}")
        raise InputError(problem, path=name) from e
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise InputError("is a directory, not a report file", path=name)
        raise InputError("not a regular file (a device, FIFO or socket)", path=name)
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror or e}", path=name) from e
    if len(data) > MAX_BYTES:
        raise InputError(f"file too large (over {MAX_BYTES // 2**20} MiB)", path=name)
    return data


def _load_file(path: str | Path, ocr: bool) -> Document:
    return load_bytes(read_file(path), str(path), ocr=ocr)


def load(path: str | Path, *, ocr: bool = True) -> Document:
    """Load a report file in the bounded worker (:mod:`.isolate`); every failure is
    an :class:`InputError` naming it. ``ocr=False`` refuses scans and pictures
    instead of reading them by OCR."""
    return isolate.run(_load_file, path, ocr, source=str(path))


#: The reader modules a file suffix needs, for :func:`prepare`.
_READERS = {
    **dict.fromkeys(TEXT_SUFFIXES, ("text",)), **dict.fromkeys(HTML_SUFFIXES, ("html",)),
    ".pdf": ("pdf", "pdf_document", "pdf_layout"), ".docx": ("docx",),
}


def prepare(suffixes: Collection[str]) -> None:
    """Import the readers that files with these suffixes need (what a worker warming up
    for them does); a reader whose optional extra is missing is left to report it."""
    for name in sorted({m for s in suffixes for m in _READERS.get(s.lower(), ())}):
        with contextlib.suppress(ImportError):
            importlib.import_module(f".{name}", __name__)


def load_string(text: str, name: str = "<text>") -> Document:
    """A Document from text already decoded (tests, notebooks)."""
    from ..normalize import text_document

    return text_document(text, source=name)


__all__ = ["load", "load_bytes", "load_string"]
