"""Decode bytes of a text report (.txt, .md) whatever their encoding.

UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as they are;
anything else is handed to charset-normalizer, restricted to the encodings
Chinese reports are found in.
"""

from __future__ import annotations

import codecs

from ..document import Document
from ..errors import InputError
from ..normalize import clean_newlines, fold, split_document
from .text_tables import tabulate

_CHINESE_ENCODINGS = ["gb18030", "big5", "utf_16_le", "utf_16_be", "utf_8"]


def decode(data: bytes, source: str) -> str:
    """Decoded text, or an :class:`InputError` for binary data."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        if text.count("\ufffd") <= max(8, len(text) // 500):
            return text  # UTF-8 with a stray bad byte (a cut or mis-saved character), not another encoding
    from charset_normalizer import from_bytes  # lazily: most reports are UTF-8, and its import is slow

    best = from_bytes(data[:200_000], cp_isolation=_CHINESE_ENCODINGS).best()
    if best is None or (b"\x00" in data and not best.encoding.startswith("utf_16")):
        raise InputError("binary data, not a text report", path=source)
    return data.decode(best.encoding, errors="replace")


def load_text(data: bytes, source: str, fmt: str) -> Document:
    """A Document from the bytes of a plain-text or Markdown report."""
    shown = clean_newlines(decode(data, source))
    return tabulate(split_document(fold(shown), source=source, fmt=fmt), shown=shown)
