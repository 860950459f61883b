"""The published date: a labelled date, but not a page's update, print or archive date."""

from __future__ import annotations

import pytest

from extractor.load import load_string
from extractor.parse.meta import read_meta

TITLE = "某市某局2023年政府信息公开工作年度报告\n"


@pytest.mark.parametrize(
    ("line", "published"),
    [
        ("发布时间：2024-03-08", "2024-03-08"),
        ("成文日期: 2024年1月19日", "2024-01-19"),
        ("日期：2024/2/3", "2024-02-03"),
        ("更新时间：2024-05-06", None),
        ("打印日期：2024-05-06", None),
        ("保存时间：2024-05-06 发布时间：2024-03-08", "2024-03-08"),  # the first the page does not disown
        ("更新发布时间：2024-03-08", "2024-03-08"),  # 发布 stands right before 时间
        ("发布时间：2022-03-08", None),  # before the report's year: not its date
    ],
)
def test_labelled_published_date(line: str, published: str | None) -> None:
    assert read_meta(load_string(TITLE + line + "\n正文。\n")).published == published
