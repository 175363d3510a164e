"""emrlint's data classes: the part of :mod:`dataclasses` emrlint uses, made cheaply.

``from emrlint.record import dataclass, field`` is used as the standard library's is:
``@dataclass``, ``@dataclass(frozen=True)``, ``@dataclass(slots=True)``; fields with
defaults, ``field(default=..., default_factory=..., compare=..., repr=...)``, ``ClassVar``
annotations left out, inheritance, ``__post_init__``; ``replace``, ``fields`` and
``asdict``.  The classes made have the same ``__init__``, ``__eq__``, ``__hash__`` (frozen),
``__repr__`` and ``__match_args__`` as the standard library's.

Why not the standard library: making a class with :func:`dataclasses.dataclass` compiles
three or four methods from source and imports ``inspect`` (with ``ast``, ``dis`` and
``tokenize``).  Over emrlint's 70-odd classes that was 25-35 ms of every run, a third of a
pre-commit hook's time on one small module (measured on CPython 3.11).  Here a class's
``__init__``, ``__eq__`` and ``__hash__`` are each compiled only once a run has called it
forty times (before that a generic version does the same; a run uses a fraction of the
classes, most of them a few times); ``__repr__`` is a shared function.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["dataclass", "field", "fields", "replace", "asdict", "FrozenInstanceError", "MISSING"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen instance."""


class Field:
    __slots__ = ("name", "default", "default_factory", "compare", "repr", "init")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING, compare: bool = True,
                 repr: bool = True, init: bool = True):
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default, self.default_factory = default, default_factory
        self.compare, self.repr, self.init = compare, repr, init

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r}, default_factory={self.default_factory!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING, compare: bool = True, repr: bool = True,
          init: bool = True) -> Any:
    return Field(default, default_factory, compare, repr, init)


def _is_classvar(annotation: Any) -> bool:
    if isinstance(annotation, str):  # postponed annotations (``from __future__ import annotations``)
        return annotation.startswith(("ClassVar", "typing.ClassVar", "t.ClassVar"))
    return getattr(annotation, "__origin__", annotation) is getattr(sys.modules.get("typing"), "ClassVar", None)


def _collect(cls: type) -> Dict[str, Field]:
    found: Dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        found.update(base.__dict__.get("__record_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_classvar(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(default=value)
        if isinstance(f.default, (list, dict, set)):
            raise ValueError(f"mutable default {type(f.default)} for field {name} is not allowed: use default_factory")
        if name in ("self", "other", "MISSING") or name.startswith("_d_") or name.startswith("_f_"):
            raise TypeError(f"{cls.__name__}: a field cannot be named {name!r} here")
        f.name = name
        found[name] = f  # a redefined field keeps its place, as in dataclasses
    return found


def _method_source(name: str, cls: type, flds: Tuple[Field, ...], frozen: bool) -> Tuple[str, Dict[str, Any]]:
    """The source of ``__init__``, ``__eq__`` or ``__hash__``, written out as dataclasses
    writes them."""
    env: Dict[str, Any] = {"MISSING": MISSING, "__object_setattr": object.__setattr__}
    compared = "".join(f"self.{f.name}," for f in flds if f.compare)
    if name == "__eq__":
        theirs = "".join(f"other.{f.name}," for f in flds if f.compare)
        return (f"def __eq__(self, other):\n    if other.__class__ is self.__class__:\n"
                f"        return ({compared}) == ({theirs})\n    return NotImplemented\n"), env
    if name == "__hash__":
        return f"def __hash__(self):\n    return hash(({compared}))\n", env
    params, lines = ["self"], []
    for f in flds:
        if f.init:
            if f.default is not MISSING:
                env[f"_d_{f.name}"] = f.default
                params.append(f"{f.name}=_d_{f.name}")
            elif f.default_factory is not MISSING:
                env[f"_f_{f.name}"] = f.default_factory
                params.append(f"{f.name}=MISSING")
            else:
                params.append(f.name)
            value = f"_f_{f.name}() if {f.name} is MISSING else {f.name}" if f.default_factory is not MISSING \
                else f.name
        elif f.default_factory is not MISSING:
            env[f"_f_{f.name}"] = f.default_factory
            value = f"_f_{f.name}()"
        elif f.default is not MISSING:
            env[f"_d_{f.name}"] = f.default
            value = f"_d_{f.name}"
        else:
            continue
        lines.append(f"__object_setattr(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        lines.append("self.__post_init__()")
    body = "\n    ".join(lines or ["pass"])
    return f"def __init__({', '.join(params)}):\n    {body}\n", env


COMPILE_AFTER = 40  # calls of a class's method made generically before it is compiled: about what compiling it costs


def _tiered(cls: type, name: str, flds: Tuple[Field, ...], frozen: bool) -> Callable[..., Any]:
    """A stand-in for a generated method: its first ``COMPILE_AFTER`` calls run a generic
    version (a loop over the fields, with the same effect), and the next compiles the
    method, puts it in its place and calls it.  Compiling one costs about as much as forty
    generic calls (measured on CPython 3.11: 0.11 ms, against 4.0 and 1.2 us a call for a
    five-field ``__init__``); a run uses a fraction of emrlint's classes, most of them a few
    times (a scan of one small module makes more than forty of two), and a large scan
    compiles the ones it makes many of.
    """
    generic: List[Any] = []  # [the generic method, calls so far], made at the first call: most classes have none

    def stand_in(self: Any, *args: Any, **kwargs: Any) -> Any:
        if cls.__dict__.get(name) is not stand_in:  # compiled meanwhile
            return cls.__dict__[name](self, *args, **kwargs)
        if not generic:
            generic.extend((_GENERIC[name](cls, flds, frozen), 0))
        generic[1] += 1
        if generic[1] <= COMPILE_AFTER:
            return generic[0](self, *args, **kwargs)
        source, env = _method_source(name, cls, flds, frozen)
        exec(source, env)  # emrlint's own generated source (its field names), never scanned input
        env[name].__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, env[name])
        return env[name](self, *args, **kwargs)

    stand_in.__qualname__ = f"{cls.__qualname__}.{name}"
    return stand_in


_UNSET: Any = object()  # an argument not given (MISSING is a default_factory field's default)


def _generic_init(cls: type, flds: Tuple[Field, ...], frozen: bool) -> Callable[..., Any]:
    names = tuple(f.name for f in flds if f.init)
    index = {n: i for i, n in enumerate(names)}
    required = tuple(f.name for f in flds if f.init and f.default is MISSING and f.default_factory is MISSING)
    post_init = hasattr(cls, "__post_init__")
    where = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(names):
            takes = (f"{len(names) + 1}" if len(required) == len(names)
                     else f"from {len(required) + 1} to {len(names) + 1}")
            raise TypeError(f"{where} takes {takes} positional argument{'s' if takes != '1' else ''} but "
                            f"{len(args) + 1} were given")
        values = list(args) + [_UNSET] * (len(names) - len(args))
        for key, value in kwargs.items():
            i = index.get(key)
            if i is None:
                raise TypeError(f"{where} got an unexpected keyword argument {key!r}")
            if values[i] is not _UNSET:
                raise TypeError(f"{where} got multiple values for argument {key!r}")
            values[i] = value
        missing = [n for n in required if values[index[n]] is _UNSET]
        if missing:
            quoted = [repr(n) for n in missing]
            listed = quoted[0] if len(quoted) == 1 else (
                " and ".join(quoted) if len(quoted) == 2 else ", ".join(quoted[:-1]) + ", and " + quoted[-1])
            raise TypeError(f"{where} missing {len(missing)} required positional argument"
                            f"{'s' if len(missing) > 1 else ''}: {listed}")
        given = iter(values)
        for f in flds:
            if f.init:
                value = next(given)
                if value is _UNSET:
                    value = f.default if f.default is not MISSING else f.default_factory()
                elif value is MISSING and f.default_factory is not MISSING:
                    value = f.default_factory()
            elif f.default_factory is not MISSING:
                value = f.default_factory()
            elif f.default is not MISSING:
                value = f.default
            else:
                continue
            if frozen:
                object.__setattr__(self, f.name, value)
            else:
                setattr(self, f.name, value)
        if post_init:
            self.__post_init__()

    return __init__


def _generic_eq(cls: type, flds: Tuple[Field, ...], frozen: bool) -> Callable[..., Any]:
    compared = tuple(f.name for f in flds if f.compare)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
        return NotImplemented

    return __eq__


def _generic_hash(cls: type, flds: Tuple[Field, ...], frozen: bool) -> Callable[..., Any]:
    compared = tuple(f.name for f in flds if f.compare)

    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, n) for n in compared))

    return __hash__


_GENERIC = {"__init__": _generic_init, "__eq__": _generic_eq, "__hash__": _generic_hash}


def _repr(self: Any) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in type(self).__record_repr__)
    return f"{type(self).__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    if type(self) is self.__record_class__ or name in self.__record_fields__:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _frozen_delattr(self: Any, name: str) -> None:
    if type(self) is self.__record_class__ or name in self.__record_fields__:
        raise FrozenInstanceError(f"cannot delete field {name!r}")
    object.__delattr__(self, name)


def _getstate(self: Any) -> Tuple[Any, ...]:
    return tuple(getattr(self, n) for n in self.__record_fields__)


def _setstate(self: Any, state: Tuple[Any, ...]) -> None:
    for name, value in zip(self.__record_fields__, state):
        object.__setattr__(self, name, value)  # frozen classes too, as pickle needs


def _process(cls: type, frozen: bool, slots: bool, eq: bool) -> type:
    found = _collect(cls)
    flds = tuple(found.values())
    with_default = False
    for f in flds:  # checked here: the methods are compiled later
        if f.init:
            if f.default is not MISSING or f.default_factory is not MISSING:
                with_default = True
            elif with_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
    own = cls.__dict__
    if slots:
        inherited = {s for base in cls.__mro__[1:] for s in base.__dict__.get("__slots__", ())}
        namespace = {k: v for k, v in own.items() if k not in found and k not in ("__dict__", "__weakref__")}
        namespace["__slots__"] = tuple(f.name for f in flds if f.name not in inherited)
        new = type(cls)(cls.__name__, cls.__bases__, namespace)
        new.__qualname__ = cls.__qualname__
        cls = new
    else:
        for f in flds:  # a field() as a class attribute: its plain default instead, as dataclasses leaves it
            if isinstance(own.get(f.name), Field):
                if f.default is MISSING:
                    delattr(cls, f.name)
                else:
                    setattr(cls, f.name, f.default)
    cls.__record_fields__ = found
    cls.__record_class__ = cls
    cls.__record_repr__ = tuple(f.name for f in flds if f.repr)
    cls.__match_args__ = tuple(f.name for f in flds if f.init)
    wanted = [n for n in ("__init__", "__eq__" if eq else "", "__hash__" if eq and frozen else "")
              if n and n not in own]
    for name in wanted:
        setattr(cls, name, _tiered(cls, name, flds, frozen))
    if eq and not frozen and "__hash__" not in own:
        cls.__hash__ = None  # type: ignore[assignment]  # mutable and compared by value: unhashable
    if "__repr__" not in own:
        cls.__repr__ = _repr
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
        if slots:
            cls.__getstate__ = _getstate
            cls.__setstate__ = _setstate
    return cls


def dataclass(cls: Optional[type] = None, *, frozen: bool = False, slots: bool = False, eq: bool = True) -> Any:
    def wrap(c: type) -> type:
        return _process(c, frozen, slots, eq)

    return wrap if cls is None else wrap(cls)


def fields(obj: Any) -> Tuple[Field, ...]:
    try:
        return tuple(obj.__record_fields__.values())
    except AttributeError:
        raise TypeError("fields() takes a record class or instance") from None


def replace(obj: Any, **changes: Any) -> Any:
    for f in obj.__record_fields__.values():
        if f.init and f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def _asdict(value: Any, factory: Callable[[Any], Any]) -> Any:
    if hasattr(type(value), "__record_fields__"):
        return factory([(n, _asdict(getattr(value, n), factory)) for n in type(value).__record_fields__])
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_asdict(v, factory) for v in value)
    if isinstance(value, dict):
        return type(value)((_asdict(k, factory), _asdict(v, factory)) for k, v in value.items())
    return value


def asdict(obj: Any, *, dict_factory: Callable[[Any], Any] = dict) -> Dict[str, Any]:
    if not hasattr(type(obj), "__record_fields__"):
        raise TypeError("asdict() should be called on record instances")
    return _asdict(obj, dict_factory)
