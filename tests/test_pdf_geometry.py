"""The PDF loader's geometry on hand-made pages: rules into grids, positions into columns."""

from __future__ import annotations

from extractor.load.pdf_columns import HEADER_LINES, Token, recover, recover_words, token, tokens, value_counts
from extractor.load.pdf_grid import find_grids
from extractor.load.pdf_model import Char, Seg

SIZE = 10.0


def text(s: str, x: float, top: float) -> list[Char]:
    """A line of ``s`` starting at ``x``, one ``SIZE`` wide box per character."""
    return [Char(ch, x + i * SIZE, top, x + (i + 1) * SIZE, top + SIZE) for i, ch in enumerate(s)]


def column(s: str, x: float, top: float) -> list[Char]:
    """``s`` printed one character per line."""
    return [Char(ch, x, top + i * SIZE, x + SIZE, top + (i + 1) * SIZE) for i, ch in enumerate(s)]


def ruled(xs: list[float], ys: list[float], skip: set[tuple[str, int, int]] = frozenset()) -> list[Seg]:
    """A full grid; ``("v", col, row)`` / ``("h", row, col)`` leave one rule out (a merge)."""
    segs = []
    for r, y in enumerate(ys):
        for c in range(len(xs) - 1):
            if ("h", r, c) not in skip:
                segs.append(Seg(True, y, xs[c], xs[c + 1]))
    for c, x in enumerate(xs):
        for r in range(len(ys) - 1):
            if ("v", c, r) not in skip:
                segs.append(Seg(False, x, ys[r], ys[r + 1]))
    return segs


def test_merged_cells_and_stacked_labels() -> None:
    xs, ys = [0.0, 40.0, 200.0, 260.0], [0.0, 60.0, 80.0, 100.0]
    # Column 0 spans rows 0-2 (no horizontal rules inside it); row 0 spans columns 1-2.
    segs = ruled(xs, ys, {("h", 1, 0), ("h", 2, 0), ("v", 2, 0)})
    chars = column("三、本年", 15, 5) + text("申请人情况", 50, 25) + text("予以公开", 50, 65) + text("12", 220, 65)
    chars += text("部分公开", 50, 85)
    (grid,), rest = find_grids(segs, [chars])
    assert rest == [[]]  # every character went into a cell
    assert [grid.row_texts(r) for r in range(3)] == [
        ("三、本年", "申请人情况", "申请人情况"),
        ("三、本年", "予以公开", "12"),
        ("三、本年", "部分公开", ""),
    ]
    assert grid.rows[0][0] == grid.rows[2][0] and grid.rows[0][1] == grid.rows[0][2]


def test_rules_broken_into_pieces_are_one_rule_and_a_box_is_not_a_table() -> None:
    pieces = [Seg(True, 0.0, 0.0, 99.0), Seg(True, 0.5, 100.0, 200.0), Seg(True, 50.0, 0.0, 200.0)]
    pieces += [Seg(False, x, 0.0, 50.0) for x in (0.0, 100.0, 200.0)]
    (grid,), _ = find_grids(pieces, [text("规章", 10, 20) + text("1", 150, 20)])
    assert grid.row_texts(0) == ("规章", "1")
    box = [Seg(True, 0.0, 0.0, 300.0), Seg(True, 40.0, 0.0, 300.0), Seg(False, 0.0, 0.0, 40.0)]
    box.append(Seg(False, 300.0, 0.0, 40.0))
    note = [text("注：本表单位为件", 10, 15)]
    assert find_grids(box, note) == ([], note)


def spaced(*words: list[Char]) -> list[Char]:
    """Words of one line with a space between them."""
    out: list[Char] = []
    for w in words:
        if out:
            out.append(Char(" ", out[-1].x1, w[0].top, w[0].x0, w[0].bottom))
        out += w
    return out


def at(word: str, mid: float, top: float) -> list[Char]:
    return text(word, mid - len(word) * SIZE / 2, top)


def values_line(label: str, values: list[str | None], top: float, first: float = 200) -> list[Char]:
    """A row: ``label`` then each value centred on columns ``first``, +40, +80, ...; None is blank."""
    words = [text(label, 0, top)] if label else []
    words += [at(v, first + 40 * i, top) for i, v in enumerate(values) if v is not None]
    return spaced(*words)


def test_unruled_blanks_are_placed_by_position() -> None:
    lines = [
        values_line("一、新收", ["44", "3", "0", "47"], 0),
        text("(三)不", 0, 12),  # a wrapped group label: left of the values, inside the block
        values_line("1.属于国家秘密", ["0", None, "0", "0"], 24),
        values_line("2.其他", ["1", "0", None, "1"], 36),
    ]
    rows, _ = recover(lines, [])
    assert set(rows) == {2, 3}
    assert ["".join(c.text for c in cell) for cell in rows[2][1]] == ["1.属于国家秘密", "0", "", "0", "0"]
    assert ["".join(c.text for c in cell) for cell in rows[3][1]] == ["2.其他", "1", "0", "", "1"]


def test_a_column_blank_in_every_row_comes_from_its_label() -> None:
    header = spaced(at("自然人", 200, 0), at("科研", 240, 0), at("总计", 280, 0))
    lines = [header, values_line("予以公开", ["18", None, "20"], 14), values_line("不予公开", ["2", None, "2"], 26)]
    rows, labels = recover(lines, [])
    assert ["".join(c.text for c in cell) for cell in rows[1][1]] == ["予以公开", "18", "", "20"]
    # The next page's continuation, without a header, uses the same columns.
    more, _ = recover([values_line("无法提供", ["9", None, "9"], 0)], labels)
    assert ["".join(c.text for c in cell) for cell in more[0][1]] == ["无法提供", "9", "", "9"]


def test_tokens_made_on_demand_from_their_ends_place_the_same_cells() -> None:
    """What layout text does (recover_words with tokens holding their first and last
    characters) gives the rows of every line's characters, cut to the same ends; the
    paragraph after the line that ends the table is never looked at."""
    lines = [
        spaced(at("自然人", 200, 0), at("科研", 240, 0), at("总计", 280, 0)),
        values_line("予以公开", ["18", None, "20"], 14),
        values_line("不予公开", ["2", None, "2"], 26),
        values_line("1.属于国家秘密", ["0", None, "0"], 38),
        text("四、政府信息公开行政复议、行政诉讼情况统计", 0, 60),  # reaches into the values: ends the table
        text("本年度未发生行政复议和行政诉讼。", 0, 72),
    ]
    asked: list[int] = []

    def ends(n: int) -> list[Token[Char]]:
        asked.append(n)
        return [token(t.text, (t.chars[0], t.chars[-1]) if len(t.chars) > 1 else t.chars) for t in tokens(lines[n])]

    words = [[t.text for t in tokens(ln)] for ln in lines]
    counts = value_counts(words)
    full, _ = recover(lines, [])
    lazy = recover_words(words, counts, ends, reach=HEADER_LINES)
    assert set(full) == set(lazy) == {1, 2, 3}
    for n, (block, cells) in full.items():
        assert lazy[n][0] == block
        assert [(c[0], c[-1]) if c else () for c in lazy[n][1]] == [(c[0], c[-1]) if c else () for c in cells]
    assert 4 in asked and 5 not in asked
    # Lines placed already (in another geometry): a block of only those is skipped, one
    # with a line left is worked out whole.
    assert recover_words(words, counts, ends, reach=HEADER_LINES, done={1, 2, 3}) == {}
    assert recover_words(words, counts, ends, reach=HEADER_LINES, done={1, 2}) == lazy


def test_text_that_is_not_a_table_is_left_alone() -> None:
    lines = [
        values_line("全市共受理申请", ["3119"], 0),
        values_line("答复", ["3050", "34"], 12),
        values_line("其中", ["72"], 24, first=213),  # lines up with no column
    ]
    assert recover(lines, [])[0] == {}


def test_a_table_cut_open_gets_its_missing_edges() -> None:
    """Row rules run past the last column rule (a column cut off at the page edge) and
    column rules start above the first row rule (a table continued from the page before):
    the cells beyond are still cells, not text outside the table."""
    xs, ys = [0.0, 60.0, 100.0], [20.0, 40.0, 60.0]
    segs = [Seg(True, y, 0.0, 140.0) for y in ys] + [Seg(False, x, 0.0, 60.0) for x in xs]
    chars = text("行政处罚", 5, 5) + text("4", 75, 5) + text("7", 115, 5)
    chars += text("行政强制", 5, 25) + text("2", 75, 25) + text("0", 115, 25) + text("9", 145, 25)
    (grid,), rest = find_grids(segs, [chars])
    assert grid.xs[-1] == 140.0 and grid.ys[0] == 0.0
    assert [grid.row_texts(r) for r in range(2)] == [("行政处罚", "4", "7"), ("行政强制", "2", "0")]
    assert rest == [[chars[-1]]]  # the 9 beyond the page edge is not in the table


def test_a_rule_at_nan_touches_nothing() -> None:
    """A hostile file's overflowing matrix can put a rule at NaN: the table around it
    is found as without it (NaN must not disorder the search among the other rules)."""
    xs, ys = [0.0, 40.0, 80.0, 120.0, 160.0], [0.0, 20.0, 40.0]
    chars = text("规章", 5, 5) + text("1", 45, 5) + text("2", 85, 5) + text("3", 125, 5)
    (plain,), _ = find_grids(ruled(xs, ys), [chars])
    nan = float("nan")
    for bad in (Seg(False, nan, 0.0, 40.0), Seg(True, 10.0, nan, 160.0), Seg(True, nan, 0.0, 160.0)):
        for at in (0, 3, 7):
            segs = ruled(xs, ys)
            segs.insert(at, bad)
            (grid,), _ = find_grids(segs, [chars])
            assert (grid.xs, grid.ys, grid.row_texts(0)) == (plain.xs, plain.ys, plain.row_texts(0))
