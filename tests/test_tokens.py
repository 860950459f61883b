"""Items of plain text lines: each whitespace-free token, at its offset."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from extractor.document import Document, Line
from extractor.parse.tokens import Label, Value, items

#: Every character Python counts as whitespace, and the characters tokens are made of.
_SPACES = "".join(chr(c) for c in range(0x3000 + 1) if chr(c).isspace())
_INK = "0123456789,.-/无予以公开件总计自然人（）"


@given(st.text(alphabet=_SPACES, max_size=3), st.text(alphabet=_SPACES + _INK, max_size=40), st.integers(0, 50))
def test_plain_line_tokens_at_their_offsets(indent: str, rest: str, base: int) -> None:
    text = indent + "予" + rest  # label text first: not a page number, page mark or Markdown rule
    line = Line(0, base, base + len(text), text)
    found = items(Document(" " * base + text, [line]), base, base + len(text))
    assert [(it.text, it.start) for it in found] == [(m.group(), base + m.start()) for m in re.finditer(r"\S+", text)]


def test_numbers_before_label_text_are_labels() -> None:
    text = "3.\u3000予以公开 12 0 —"
    line = Line(0, 0, len(text), text)
    found = items(Document(text, [line]), 0, len(text))
    assert [type(it) for it in found] == [Label, Label, Value, Value, Value]
    assert [it.start for it in found] == [0, 3, 8, 11, 13]
