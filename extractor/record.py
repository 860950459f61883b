"""How the extraction path declares its classes: :func:`record`, a dataclass without the cost.

A worker defines some fifty classes before its first document. Declared with the
standard library's dataclasses, that took ~40 ms of every ``nianbao extract`` (a
third of the whole run): importing :mod:`dataclasses` imports :mod:`inspect` (with
:mod:`ast`, :mod:`dis` and the tokenizer's patterns), and each class compiles four
generated methods. A record is declared the same way and behaves as such a
dataclass with slots — an ``__init__`` taking the fields in order (defaults, default
factories, keyword-only fields, ``__post_init__``), ``__eq__``, ``__hash__`` and
``__repr__`` by the fields, :func:`replace` and :func:`asdict` — but only its
``__init__`` is generated; the other methods are shared and read the fields through
one C-level ``attrgetter``. pydantic validates a record (input JSON, rule files)
through a stdlib dataclass twin made when first asked, so :mod:`dataclasses` is
imported only where something is validated.

The stages above the extraction (the store, the service, eval, the model client) use
:mod:`dataclasses` as usual; ``tests/test_startup.py`` checks that a worker never
imports it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: No default given.
_MISSING: Any = _Missing()


class Field:
    """One field of a record: its name and how ``__init__``, ``==`` and ``repr`` treat it."""

    __slots__ = ("compare", "default", "default_factory", "init", "kw_only", "name", "repr")

    def __init__(
        self, default: Any = _MISSING, default_factory: Any = _MISSING, init: bool = True, compare: bool = True,
        repr: bool = True, kw_only: bool = False,
    ) -> None:
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("a field cannot have both a default and a default_factory")
        self.name = ""
        self.default, self.default_factory = default, default_factory
        self.init, self.compare, self.repr, self.kw_only = init, compare, repr, kw_only

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


def field(
    *, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING, init: bool = True, compare: bool = True,
    repr: bool = True, kw_only: bool = False,
) -> Any:
    """A field with a default, a default factory (a fresh ``list``/``dict`` per object) or
    left out of ``__init__``, ``==`` or ``repr``: as :func:`dataclasses.field`."""
    return Field(default, default_factory, init, compare, repr, kw_only)


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = False, eq: bool = True, frozen: bool = True) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(
    cls: type[T] | None = None, /, *, kw_only: bool = False, eq: bool = True, frozen: bool = True
) -> type[T] | Callable[[type[T]], type[T]]:
    """Make ``cls`` a record: slots for its annotated fields, ``__init__`` in field order.

    ``frozen`` (the default) is for the type checker, which refuses an assignment to a
    field (make a new record with :func:`replace`); at run time fields are plain slots,
    since a guarded ``__setattr__`` would cost every object made. A frozen record
    hashes by its fields, a mutable one (``frozen=False``) not at all. ``eq=False``
    keeps identity for ``==`` and hashing; ``kw_only`` makes every field of this class
    keyword-only."""

    def make(cls: type[T]) -> type[T]:
        return _build(cls, kw_only=kw_only, eq=eq, frozen=frozen)

    return make if cls is None else make(cls)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or object, in ``__init__`` order of declaration."""
    return tuple(obj.__record_fields__.values())


def _is_record(obj: Any) -> bool:
    """Whether ``obj`` is a record class or object."""
    return hasattr(obj, "__record_fields__")


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (as :func:`dataclasses.replace`)."""
    for f in fields(obj):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is not set by __init__: it cannot be replaced")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def asdict(obj: Any) -> Any:
    """Records as dicts of their fields, within lists, tuples and dicts, all the way down;
    anything else as it is (as :func:`dataclasses.asdict`, minus its deep copies of
    other objects)."""
    if _is_record(obj) and not isinstance(obj, type):
        return {f.name: asdict(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a named tuple takes its fields one by one
        return type(obj)(*(asdict(v) for v in obj))
    if isinstance(obj, list | tuple):
        return type(obj)(asdict(v) for v in obj)
    if isinstance(obj, dict):
        return {asdict(k): asdict(v) for k, v in obj.items()}
    return obj


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _build(cls: type[T], *, kw_only: bool, eq: bool, frozen: bool) -> type[T]:
    inherited: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        inherited.update(getattr(base, "__record_fields__", {}))
    own: dict[str, Field] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 - not inspect: see above
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, _MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        if isinstance(f.default, list | dict | set):
            raise ValueError(f"{cls.__name__}.{name}: a mutable default is shared; use field(default_factory=...)")
        f.name, f.kw_only = name, f.kw_only or kw_only
        own[name] = f
    all_fields = {**inherited, **own}
    namespace = {k: v for k, v in cls.__dict__.items() if k not in own and k not in ("__dict__", "__weakref__")}
    namespace.update(
        __slots__=tuple(n for n in own if n not in inherited),
        __record_fields__=all_fields,
        __record_repr__=tuple(n for n, f in all_fields.items() if f.repr),
        __match_args__=tuple(n for n, f in all_fields.items() if f.init and not f.kw_only),
    )
    metaclass: Any = type(cls)
    made: Any = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    methods: dict[str, Any] = {"__init__": _init(made, all_fields), "__repr__": _repr}
    if eq:
        made.__record_key__ = _key(tuple(n for n, f in all_fields.items() if f.compare))
        methods.update(__eq__=_eq, __hash__=_hash if frozen else None)
    methods["__get_pydantic_core_schema__"] = classmethod(_core_schema)
    for name, method in methods.items():
        if name not in cls.__dict__:  # a method the class writes itself stays
            setattr(made, name, method)
    return made  # type: ignore[no-any-return]


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The compared fields of an object as a tuple (what dataclasses compare and hash)."""
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda obj: (one(obj),)
    if not names:
        return lambda obj: ()
    return operator.attrgetter(*names)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is self.__class__:
        key = self.__record_key__
        return key(self) == key(other)
    return NotImplemented


def _hash(self: Any) -> int:
    return hash(self.__record_key__(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__record_repr__)
    return f"{self.__class__.__qualname__}({shown})"


def _init(cls: type, all_fields: dict[str, Field]) -> Callable[..., None]:
    """The generated ``__init__``: one assignment a field, defaults bound as its locals."""
    positional: list[str] = []
    keyword: list[str] = []
    body: list[str] = []
    bound: dict[str, Any] = {"_MISSING": _MISSING}
    for name, f in all_fields.items():
        if f.default_factory is not _MISSING:
            bound[f"_f_{name}"] = f.default_factory
        if f.default is not _MISSING:
            bound[f"_d_{name}"] = f.default
        if not f.init:
            value = f"_f_{name}()" if f.default_factory is not _MISSING else f"_d_{name}"
            if f.default_factory is not _MISSING or f.default is not _MISSING:
                body.append(f"self.{name} = {value}")
            continue
        if f.default_factory is not _MISSING:
            param, value = f"{name}=_MISSING", f"_f_{name}() if {name} is _MISSING else {name}"
        else:
            param, value = (f"{name}=_d_{name}" if f.default is not _MISSING else name), name
        (keyword if f.kw_only else positional).append(param)
        body.append(f"self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    params = ", ".join(["self", *positional, *(["*", *keyword] if keyword else [])])
    lines = "\n".join(f"  {line}" for line in body or ["pass"])
    source = f"def __make__({', '.join(bound)}):\n def __init__({params}):\n{lines}\n return __init__\n"
    scope: dict[str, Any] = {}
    exec(source, {}, scope)
    init: Callable[..., None] = scope["__make__"](**bound)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def _core_schema(cls: type, source: Any, handler: Any) -> Any:
    """pydantic's schema of a record: that of a stdlib dataclass twin with the same fields
    (and ``__pydantic_config__``), whose validated fields then make the record (so its
    ``__post_init__`` checks run, their ValueError a validation error); a record object
    passes as it is."""
    import dataclasses
    import typing

    from pydantic_core import core_schema

    hints = typing.get_type_hints(cls, include_extras=True)
    specs: list[tuple[str, Any, Any]] = []
    for f in fields(cls):
        if not f.init:
            continue
        if f.default_factory is not _MISSING:
            spec = dataclasses.field(default_factory=f.default_factory)
        else:
            spec = dataclasses.field() if f.default is _MISSING else dataclasses.field(default=f.default)
        specs.append((f.name, hints[f.name], spec))
    config = getattr(cls, "__pydantic_config__", None)
    twin = dataclasses.make_dataclass(
        cls.__name__, specs, kw_only=True, namespace={} if config is None else {"__pydantic_config__": config}
    )
    names = [name for name, _, _ in specs]

    def validate(value: Any, twin_of: Callable[[Any], Any]) -> Any:
        if isinstance(value, cls):
            return value  # a record made here is taken as it is, as pydantic takes a dataclass
        made = twin_of(value)
        return cls(**{name: getattr(made, name) for name in names})

    return core_schema.no_info_wrap_validator_function(validate, handler(twin))
