"""A PDF document opened from bytes through pdfium's C API (:mod:`.pdf_library`).

The reader needs little of a document: open it (or say in one line why it
cannot be), load its pages with their text one at a time, read its title.
pdfium reads the document's bytes in place for as long as it is open, so the
open document holds them; a page is closed before the document, its text
before the page.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from ..errors import InputError
from .pdf_library import FFI, FPDF_ERR_PASSWORD, pdfium


class PdfFile:
    """An open pdfium document over ``data``; a context manager that closes it."""

    def __init__(self, data: bytes, source: str) -> None:
        self.source = source
        self._data = FFI.from_buffer(data)  # the bytes pdfium reads, kept alive (not copied) while open
        self.handle: int = pdfium.FPDF_LoadMemDocument64(int(FFI.cast("intptr_t", self._data)), len(data), 0)
        self.pages: int = pdfium.FPDF_GetPageCount(self.handle)  # 0 when it failed to open
        if self.pages < 1:  # a document of no pages is refused as broken, as pypdfium2 refuses it
            error = pdfium.FPDF_GetLastError()
            self.close()
            if error == FPDF_ERR_PASSWORD:
                raise InputError("encrypted PDF (password required)", path=source)
            raise InputError("corrupt or truncated PDF", path=source)

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the document (again is a no-op)."""
        if self.handle:
            pdfium.FPDF_CloseDocument(self.handle)
            self.handle = 0
        self._data = None

    @contextmanager
    def page(self, index: int) -> Iterator[tuple[int, int]]:
        """The handles of page ``index`` (0-based) and of its text, loaded while the block runs."""
        page: int = pdfium.FPDF_LoadPage(self.handle, index)
        if not page:
            raise InputError(f"corrupt PDF: page {index + 1} cannot be loaded", path=self.source)
        try:
            text: int = pdfium.FPDFText_LoadPage(page)
            if not text:
                raise InputError(f"corrupt PDF: the text of page {index + 1} cannot be read", path=self.source)
            try:
                yield page, text
            finally:
                pdfium.FPDFText_ClosePage(text)
        finally:
            pdfium.FPDF_ClosePage(page)

    def title(self) -> str:
        """The Title of the document's information dictionary ('' when it has none)."""
        tag = ctypes.create_string_buffer(b"Title")
        size = pdfium.FPDF_GetMetaText(self.handle, ctypes.addressof(tag), 0, 0)
        text = ctypes.create_string_buffer(size)
        pdfium.FPDF_GetMetaText(self.handle, ctypes.addressof(tag), ctypes.addressof(text), size)
        return text.raw[: max(size - 2, 0)].decode("utf-16-le")  # UTF-16 with a two-byte terminator
