"""The catalogues kept on disk: compiled regular expressions give the same matches and
validated forms the same data, never worse than re and validating afresh."""

from __future__ import annotations

import marshal
import re
from pathlib import Path

import pytest

from extractor.cache import ENV
from extractor.errors import ConfigError
from extractor.verify import compiled as on_disk
from extractor.verify.compiled import RegexCache, cached_form, parse_yaml
from extractor.verify.literals import Needs

PATTERNS = [r"(?P<n>\d+)\s?件", r"(?:予以公开|部分公开)(?P<n>[0-9]+)", r"[一二三四]、(?P<t>[^。\n]{1,20})"]
TEXT = "一、总体情况\n予以公开12件，部分公开3件。共 7件"


def _matches(patterns: list[re.Pattern[str]]) -> list[list[tuple[int, int, dict[str, str | None]]]]:
    return [[(m.start(), m.end(), m.groupdict()) for m in p.finditer(TEXT)] for p in patterns]


def test_programs_are_saved_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    first = RegexCache("t", b"v1")
    compiled = [first.compile(p) for p in PATTERNS]
    first.save()
    [saved] = tmp_path.glob("t-*.marshal")
    again = RegexCache("t", b"v1")
    assert set(again._entries) == set(PATTERNS)  # read back from the file, not recompiled
    reused = [again.compile(p) for p in PATTERNS]
    assert _matches(reused) == _matches(compiled) == _matches([re.compile(p) for p in PATTERNS])
    assert [r.groupindex for r in reused] == [re.compile(p).groupindex for p in PATTERNS]
    # what each match needs is kept with the program
    needs = [Needs(("件",)), Needs(("予以公开", "部分公开")), Needs(("、",))]
    assert [again.needs(p) for p in PATTERNS] == [first.needs(p) for p in PATTERNS] == needs
    other = RegexCache("t", b"v2")  # other content: another file, the old one replaced on save
    other.compile(PATTERNS[0])
    other.save()
    assert [p.name for p in tmp_path.glob("t-*.marshal")] != [saved.name]
    monkeypatch.setattr(on_disk, "_code_key", lambda: b"other code")  # what a match needs may differ
    assert RegexCache("t", b"v2")._entries == {}


def test_a_damaged_file_is_recompiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    cache = RegexCache("t", b"v1")
    cache.compile(PATTERNS[0])
    cache.save()
    [saved] = tmp_path.glob("t-*.marshal")
    saved.write_bytes(b"\x00garbage")
    assert _matches([RegexCache("t", b"v1").compile(PATTERNS[0])]) == _matches([re.compile(PATTERNS[0])])


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = RegexCache("t", b"v1")
    with pytest.raises(re.error):
        cache.compile("(unclosed")
    assert _matches([cache.compile(PATTERNS[1])]) == _matches([re.compile(PATTERNS[1])])
    assert cache.needs(PATTERNS[1]) == Needs(("予以公开", "部分公开"))
    cache.save()
    assert list(tmp_path.rglob("*")) == []


class _Validator:
    """A validation that counts its runs, and a build that checks the form's shape."""

    def __init__(self, form: object) -> None:
        self.form, self.runs = form, 0

    def __call__(self) -> object:
        self.runs += 1
        return self.form

    @staticmethod
    def build(form: object) -> tuple[str, ...]:
        assert isinstance(form, dict)
        return tuple(form["rules"])


def test_validated_forms_are_saved_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    validate = _Validator({"rules": ["a", "b"]})
    assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a", "b")
    [saved] = tmp_path.glob("t.form-*.marshal")
    assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a", "b")
    assert validate.runs == 1  # the second came from the file
    saved.write_bytes(saved.read_bytes().replace(b"b", b"c"))  # what is read now comes from the file
    assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a", "c")
    # other inputs, or other code validating them: validated afresh, the old file replaced
    assert cached_form("t.form", [b"v2"], validate, validate.build) == ("a", "b")
    assert validate.runs == 2
    assert [p.name for p in tmp_path.glob("t.form-*.marshal")] != [saved.name]
    monkeypatch.setattr(on_disk, "_code_key", lambda: b"other code")
    assert cached_form("t.form", [b"v2"], validate, validate.build) == ("a", "b")
    assert validate.runs == 3


@pytest.mark.parametrize("damage", [b"\x00garbage", marshal.dumps({"other": "layout"}), marshal.dumps([1])])
def test_a_damaged_form_is_validated_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes) -> None:
    monkeypatch.setenv(ENV, str(tmp_path))
    validate = _Validator({"rules": ["a"]})
    cached_form("t.form", [b"v1"], validate, validate.build)
    [saved] = tmp_path.glob("t.form-*.marshal")
    saved.write_bytes(damage)
    assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a",)
    assert validate.runs == 2
    assert marshal.loads(saved.read_bytes()) == {"rules": ["a"]}  # and written again


def test_an_unwritable_cache_still_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(ENV, str(blocked / "catalogues"))
    validate = _Validator({"rules": ["a"]})
    for _ in range(2):
        assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a",)
    assert validate.runs == 2


def test_off_validates_every_time_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    validate = _Validator({"rules": ["a"]})
    for _ in range(2):
        assert cached_form("t.form", [b"v1"], validate, validate.build) == ("a",)
    assert validate.runs == 2
    assert list(tmp_path.rglob("*")) == []


def test_a_bad_file_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "cache"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="cannot read rule file") as e:
            cached_form("t.form", [broken.read_bytes()], lambda: parse_yaml(broken, broken.read_bytes()), dict)
        assert "broken.yaml" in str(e.value)
    assert not list((tmp_path / "cache").glob("*"))
