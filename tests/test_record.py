"""emrlint.record's classes behave as the standard library's dataclasses do, for the
features emrlint uses: each case is written once and made by both."""

from __future__ import annotations

import dataclasses
import pickle
import sys
from typing import ClassVar, List, Optional, Tuple

import pytest

from emrlint import record
from emrlint.findings import Finding, Loc

MAKERS = {"dataclasses": dataclasses, "record": record}


def _classes(lib):
    dc, field = lib.dataclass, lib.field

    @dc
    class Base:
        kind: str
        name: str = ""
        tags: List[str] = field(default_factory=list)
        counter: ClassVar[int] = 0

    @dc
    class Child(Base):
        size: Optional[int] = None
        name: str = "child"  # redefined: keeps its place

    @dc(frozen=True)
    class Point:
        x: int
        y: int = 0
        note: str = field(default="", compare=False)

    @dc(frozen=True, slots=True)
    class Span:
        path: str
        line: int
        end: int = 0

        def __post_init__(self):
            if self.end < self.line:
                object.__setattr__(self, "end", self.line)

    @dc(slots=True)
    class Cell:
        value: int
        hidden: Tuple[int, ...] = field(default=(), repr=False)

    return Base, Child, Point, Span, Cell


# a record class's methods run generically for their first calls and are compiled after:
# every comparison with dataclasses is made in both states
TIERS = {"generic": 10**9, "compiled": 0}


@pytest.fixture(params=sorted(TIERS))
def tier(request, monkeypatch):
    monkeypatch.setattr(record, "COMPILE_AFTER", TIERS[request.param])
    return request.param


@pytest.fixture
def std():
    if sys.version_info < (3, 10):  # the standard library's slots=True
        pytest.skip("dataclasses has no slots=True before 3.10")
    return _classes(dataclasses)


@pytest.fixture
def ours(tier):
    return _classes(record)


def test_init_defaults_and_inheritance(std, ours):
    for classes in (std, ours):
        Base, Child, Point, Span, Cell = classes
        a, b = Base("x"), Base("y")
        a.tags.append("t")
        assert b.tags == []  # a default factory gives each instance its own
        c = Child("k", size=3)
        assert (c.kind, c.name, c.tags, c.size) == ("k", "child", [], 3)
        assert Child.__match_args__ == ("kind", "name", "tags", "size")
        assert Span("p", 5).end == 5 and Span("p", 5, 9).end == 9  # __post_init__ runs
        with pytest.raises(TypeError):
            Base()
    assert [f.name for f in dataclasses.fields(std[1])] == [f.name for f in record.fields(ours[1])]
    assert "counter" not in {f.name for f in record.fields(ours[0])}  # ClassVar is no field


def test_repr_eq_and_hash(std, ours):
    for (S, O) in zip(std, ours):
        assert S.__name__ == O.__name__
    reprs = []
    for Base, Child, Point, Span, Cell in (std, ours):
        reprs.append((repr(Child("k")), repr(Point(1, 2)), repr(Span("p", 1)), repr(Cell(3, (1,)))))
        assert Point(1, 2, "a") == Point(1, 2, "b")  # compare=False
        assert Point(1, 2) != Point(2, 1)
        assert hash(Point(1, 2, "a")) == hash(Point(1, 2, "b"))
        assert len({Span("p", 1), Span("p", 1), Span("p", 2)}) == 2
        assert Base("x") == Base("x") and Base("x") != Child("x")  # same class only
        assert Base.__hash__ is None  # mutable and compared: unhashable
        assert Point(1).__eq__(object()) is NotImplemented
    assert reprs[0] == reprs[1]
    assert reprs[1][0] == "_classes.<locals>.Child(kind='k', name='child', tags=[], size=None)"


def test_frozen_slots_replace_asdict_pickle(std, ours):
    Base, Child, Point, Span, Cell = ours
    p = Point(1, 2)
    with pytest.raises(AttributeError) as err:
        p.x = 5
    assert isinstance(err.value, record.FrozenInstanceError)
    with pytest.raises(AttributeError):
        del p.x
    s = Span("p", 1, 3)
    assert not hasattr(s, "__dict__") and Span.__slots__ == ("path", "line", "end")
    with pytest.raises(AttributeError):
        s.other = 1  # slots: no other attribute
    assert record.replace(s, line=2) == Span("p", 2, 3)
    assert record.replace(Child("k", size=1), size=2).size == 2
    assert record.asdict(Child("k", tags=["a"])) == dataclasses.asdict(std[1]("k", tags=["a"]))


@record.dataclass(frozen=True, slots=True)
class FrozenSlotted:
    a: int
    b: Tuple[str, ...] = ()


@record.dataclass(frozen=True)
class Frozen:
    a: int


@record.dataclass(slots=True)
class Slotted:
    a: int
    b: List[int] = record.field(default_factory=list)


@record.dataclass
class Plain:
    a: int


def test_wrong_arguments_are_refused_as_a_compiled_init_refuses_them(monkeypatch):
    calls = [((), {}), (("k", "n", [], 1, 2), {}), (("k",), {"kind": "j"}), (("k",), {"colour": 1}),
             ((), {"name": "n"})]
    messages = {}
    for name, after in TIERS.items():
        monkeypatch.setattr(record, "COMPILE_AFTER", after)
        Base, Child, Point, Span, Cell = _classes(record)

        @record.dataclass(frozen=True)
        class Three:
            a: int
            b: int
            c: int

        @record.dataclass
        class Empty:
            pass

        got = []
        for cls, (args, kwargs) in [(Child, c) for c in calls] + [(Three, ((), {"b": 1})), (Three, ((), {})),
                                                                  (Empty, ((1,), {})), (Point, ((1, 2, "", 4), {}))]:
            with pytest.raises(TypeError) as err:
                cls(*args, **kwargs)
            got.append(str(err.value))
        messages[name] = got
    assert messages["generic"] == messages["compiled"]
    assert "Three.__init__() missing 2 required positional arguments: 'a' and 'c'" in messages["generic"][5]


def test_a_class_is_compiled_after_its_first_calls_and_behaves_the_same(monkeypatch):
    monkeypatch.setattr(record, "COMPILE_AFTER", 3)
    Base, Child, Point, Span, Cell = _classes(record)
    stand_in = Span.__init__
    made = [Span("p", i, 1) for i in range(6)]
    assert Span.__init__ is not stand_in  # compiled at the fourth call
    assert [(s.path, s.line, s.end) for s in made] == [("p", i, max(i, 1)) for i in range(6)]
    assert len({Point(1), Point(1, 0, "a"), Point(1), Point(1), Point(2), Point(1)}) == 2  # across the switch
    assert [Point(1) == Point(1) for _ in range(6)] == [True] * 6


def test_pickle_round_trips():
    for value in (FrozenSlotted(1, ("x",)), Frozen(2), Slotted(3, [1]), Plain(4)):
        back = pickle.loads(pickle.dumps(value))
        assert back == value and type(back) is type(value)


def test_emrlint_records_pickle_and_compare():
    """Findings cross process boundaries (``--jobs``) by pickle."""
    loc = Loc("/x/main.tf", 3, 1, 2, 4)
    assert loc.end_line == 3  # end before start: moved to the start line
    f = Finding("EMR301", "cluster-log-uri-missing", "warning", "m", loc, resource="aws_emr_cluster.a")
    assert pickle.loads(pickle.dumps(f)) == f
    assert hash(pickle.loads(pickle.dumps(loc))) == hash(loc)
    assert record.replace(f, message="n").message == "n" and f.message == "m"


def test_mistakes_are_refused_as_dataclasses_refuses_them():
    with pytest.raises(ValueError):
        @record.dataclass
        class Mutable:
            items: list = []  # noqa: RUF012
    with pytest.raises(TypeError):
        @record.dataclass
        class Order:
            a: int = 1
            b: int
    with pytest.raises(TypeError):
        record.fields(object())

