"""Text normalisation: folding and the lines (and table rows) of a text document."""

from __future__ import annotations

from extractor.normalize import _FOLD, fold, text_document


def test_fold_is_the_translation_of_every_character() -> None:
    """The regex that finds what to fold misses no character of the table, and folds
    nothing else (every BMP character, a lone surrogate among them)."""
    every = "".join(map(chr, range(0x10000)))
    assert fold(every) == every.translate(_FOLD)
    assert fold("表（１）\ud800") == "表(1)\ufffd"


def test_table_rows_of_a_text_and_their_tables() -> None:
    """A run of tab or pipe rows is one table (a pipe table's ``|---|`` line in it,
    without cells); a line of neither ends it; cells point at their text."""
    text = "标题\n| 项目 | 数量 |\n|---|---:|\n| 规章 | 3 |\n规范性文件\t5\n\n收费\t\t2\t\n| 不是表格\n说明\n"
    doc = text_document(text)
    assert [ln.no for ln in doc.lines] == list(range(1, 11))
    assert [ln.table for ln in doc.lines] == [None, 0, 0, 0, 0, None, 1, None, None, None]
    assert [[c.text for c in ln.cells] if ln.cells else None for ln in doc.lines[1:7]] == [
        ["项目", "数量"], None, ["规章", "3"], ["规范性文件", "5"], None, ["收费", "", "2"],
    ]
    for ln in doc.lines:
        assert doc.text[ln.start : ln.end] == ln.text
        for c in ln.cells or ():
            assert doc.text[c.start : c.end] == c.text
