"""A record behaves as the stdlib dataclass declared the same way: each class below is
declared both ways and their objects compared — construction, defaults, equality,
hashes, repr, replace, asdict, pickling — and pydantic validates a record as it
validated the dataclass."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from extractor.record import asdict, field, fields, record, replace


def _span() -> type:
    class Span:
        text: str
        start: int
        end: int
        kind: str | None = None

    return Span


def _bag(field_of: Any) -> type:
    class Bag:
        name: str
        items: list[int] = field_of(default_factory=list)
        seen: dict[str, int] = field_of(default_factory=dict)
        LIMIT: ClassVar[int] = 3

    return Bag


#: The same classes as records and as dataclasses with slots, hashed by their fields.
PAIRS: dict[str, tuple[Any, Any]] = {
    "span": (record(_span()), dataclasses.dataclass(slots=True, unsafe_hash=True)(_span())),
    "span-mutable": (record(frozen=False)(_span()), dataclasses.dataclass(slots=True)(_span())),
    "bag": (record(_bag(field)), dataclasses.dataclass(slots=True, unsafe_hash=True)(_bag(dataclasses.field))),
}
_TEXT = st.text(max_size=5)


@given(text=_TEXT, start=st.integers(), end=st.integers(), kind=st.none() | _TEXT, other=_TEXT)
def test_a_record_equals_hashes_and_shows_as_the_dataclass(text: str, start: int, end: int, kind: str | None,
                                                           other: str) -> None:
    mine, theirs = PAIRS["span"]
    a, b = mine(text, start, end, kind), theirs(text, start, end, kind)
    assert repr(a) == repr(b)
    assert hash(a) == hash(b) == hash((text, start, end, kind))
    assert a == mine(text, start, end=end, kind=kind) and (a == mine(other, start, end, kind)) == (text == other)
    assert a != b  # another class: not equal, as between two dataclasses
    assert replace(a, kind=other) == mine(text, start, end, other)
    assert asdict(a) == dataclasses.asdict(b)
    assert mine(text, start, end).kind is None


def test_a_mutable_record_compares_but_does_not_hash() -> None:
    mine, theirs = PAIRS["span-mutable"]
    a = mine("x", 1, 2)
    a.kind = "y"
    assert a == mine("x", 1, 2, "y")
    with pytest.raises(TypeError):
        hash(a)
    with pytest.raises(TypeError):
        hash(theirs("x", 1, 2))


def test_defaults_factories_class_variables_and_slots() -> None:
    mine, theirs = PAIRS["bag"]
    first, second = mine("a"), mine("b")
    first.items.append(1)
    assert second.items == [] and first.seen is not second.seen  # a fresh list per object
    assert [f.name for f in fields(mine)] == ["name", "items", "seen"] == [f.name for f in dataclasses.fields(theirs)]
    assert mine.LIMIT == 3 and repr(mine("a")) == repr(theirs("a"))
    with pytest.raises(AttributeError):
        first.other = 1  # type: ignore[attr-defined]  # slots: no stray attributes
    with pytest.raises(TypeError):
        mine()  # name is required
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Shared", (), {"__annotations__": {"items": "list[int]"}, "items": []}))


@record
class _Base:
    rule: str
    severity: str = "error"
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = f"{self.rule}/{self.severity}"


@record(kw_only=True)
class _Child(_Base):
    quote: str
    broad: bool = False


@record
class _Pair:
    left: _Base
    right: _Child | None = None
    CONFIG: ClassVar[str] = "shared"
    __pydantic_config__: ClassVar[dict[str, str]] = {"extra": "forbid"}


def test_inheritance_keyword_only_fields_and_post_init() -> None:
    child = _Child("sum", quote="q")
    assert (child.rule, child.severity, child.id, child.quote, child.broad) == ("sum", "error", "sum/error", "q", False)
    assert [f.name for f in fields(_Child)] == ["rule", "severity", "id", "quote", "broad"]
    with pytest.raises(TypeError):
        _Child("sum", "error", "", "q")  # type: ignore[misc]  # quote is keyword-only
    assert replace(child, quote="r").id == "sum/error"  # kept, not made again
    assert pickle.loads(pickle.dumps(child)) == child  # as the worker sends it
    assert child != _Base("sum", id="sum/error") and _Base("sum") == _Base("sum", "error", "sum/error")
    assert asdict(_Pair(_Base("a"), child)) == {
        "left": {"rule": "a", "severity": "error", "id": "a/error"},
        "right": {"rule": "sum", "severity": "error", "id": "sum/error", "quote": "q", "broad": False},
    }


def test_pydantic_validates_a_record_into_the_record() -> None:
    adapter = TypeAdapter(list[_Pair])
    pairs = adapter.validate_python([{"left": {"rule": "a"}, "right": {"rule": "b", "quote": "q", "broad": True}}])
    assert pairs == [_Pair(_Base("a"), _Child("b", quote="q", broad=True))]
    assert type(pairs[0].left) is _Base and pairs[0].left.id == "a/error"  # its __post_init__ ran
    with pytest.raises(ValidationError) as bad:
        adapter.validate_python([{"left": {"rule": "a"}, "extra": 1}])
    assert [(e["loc"], e["type"]) for e in bad.value.errors()] == [((0, "extra"), "unexpected_keyword_argument")]
    with pytest.raises(ValidationError) as missing:
        adapter.validate_python([{"left": {"rule": "a"}, "right": {"rule": "b"}}])
    assert [(e["loc"], e["msg"]) for e in missing.value.errors()] == [((0, "right", "quote"), "Field required")]
    made = _Pair(_Base("a"))
    assert adapter.validate_python([made])[0] is made  # an object already made passes as it is


def test_asdict_goes_through_named_tuples_lists_and_dicts_as_dataclasses_asdict() -> None:
    from extractor.verify.literals import Needs

    mine, theirs = PAIRS["bag"]
    inner = Needs(("国家", "秘密"))
    assert asdict({"k": [mine("a"), (mine("b"), inner)]}) == {"k": [dataclasses.asdict(theirs("a")), (
        dataclasses.asdict(theirs("b")), inner)]}
    assert type(asdict(inner)) is Needs
