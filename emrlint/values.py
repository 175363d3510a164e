"""Values produced by evaluating configuration.

Evaluated configuration uses plain Python values: ``None`` (null), ``bool``,
``int``/``float``, ``str``, ``list`` and ``dict``.  Anything emrlint cannot
work out is an :class:`Unknown`.  An unknown value never makes a rule fire:
rules treat it as "could be anything".

An ``Unknown`` remembers the resource addresses it was derived from (``refs``)
so that references between resources (``cluster_id = aws_emr_cluster.x.id``)
and values coming from data sources (``data.aws_emr_release_labels.x``) can
still be recognised.  A partially known string (``"s3://${var.bucket}/x.sh"``)
keeps its known pieces in ``parts``.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Tuple

from emrlint.lazyre import lazy_re


class Unknown:
    """A value that cannot be determined statically."""

    __slots__ = ("refs", "parts")

    def __init__(self, refs: Iterable[str] = (), parts: Optional[Tuple[Any, ...]] = None):
        self.refs = frozenset(refs)
        self.parts = parts

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        bits = []
        if self.refs:
            bits.append("refs=" + ",".join(sorted(self.refs)))
        if self.parts is not None:
            bits.append("parts=" + repr(self.parts))
        return "Unknown(" + " ".join(bits) + ")"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.refs == self.refs and other.parts == self.parts

    def __hash__(self) -> int:
        return hash((self.refs, self.parts))

    def __bool__(self) -> bool:
        raise TypeError("the truth value of an unknown value is undefined; test is_unknown() first")

    def known_text(self) -> str:
        """The known fragments of a partially known string, joined (unknown parts dropped)."""
        if not self.parts:
            return ""
        return "".join(p for p in self.parts if isinstance(p, str))


UNKNOWN = Unknown()


def leading_text(value: Any) -> str:
    """The known start of a (partly known) string: the string itself, the text before the
    first unknown part of ``"https://${var.host}/x.sh"`` (``"https://"``), else ``""``.
    What a value starts with is proven by its known start (ground rule 6)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.parts and isinstance(value.parts[0], str):
        return value.parts[0]
    return ""


def trailing_text(value: Any) -> str:
    """The known end of a (partly known) string (``":latest"`` of ``"${var.repo}:latest"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Unknown) and value.parts and isinstance(value.parts[-1], str):
        return value.parts[-1]
    return ""


def shown(value: Any) -> str:
    """A (partly known) string as a message shows it, unknown parts as ``${...}``; clipped
    and escaped as every value in a message is (:func:`emrlint.text.quote`)."""
    from emrlint.text import quote

    if isinstance(value, str):
        return quote(value.strip(), marks=False)
    if isinstance(value, Unknown) and value.parts:
        return quote("".join(p if isinstance(p, str) else "${...}" for p in value.parts).strip(), marks=False)
    return "${...}"


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def unknown_from(*values: Any) -> Unknown:
    """An Unknown carrying the references of every Unknown found (deeply) in ``values``."""
    refs: set = set()
    for v in values:
        _collect_refs(v, refs)
    return Unknown(refs) if refs else UNKNOWN


def _collect_refs(value: Any, refs: set) -> None:
    if isinstance(value, Unknown):
        refs.update(value.refs)
        if value.parts:
            for p in value.parts:
                _collect_refs(p, refs)
    elif isinstance(value, dict):
        for v in value.values():
            _collect_refs(v, refs)
    elif isinstance(value, list):
        for v in value:
            _collect_refs(v, refs)


def refs_of(value: Any) -> frozenset:
    """Every resource address an (possibly partially) unknown value refers to."""
    refs: set = set()
    _collect_refs(value, refs)
    return frozenset(refs)


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


MAX_STRING = 1 << 23  # characters: a longer string built by evaluation is unknown


def concat_parts(parts: Iterable[Any]) -> Any:
    """Join string pieces; the result is a ``str`` if every piece is known,
    else an :class:`Unknown` that keeps the known pieces in ``parts``.

    Linear in the total length; a string longer than :data:`MAX_STRING` (doubling
    through locals or parameters, ``format`` widths...) is unknown instead."""
    out: list = []
    run: list = []  # consecutive known pieces, joined once
    refs: set = set()
    length = 0

    def flush() -> None:
        if run:
            out.append("".join(run))
            run.clear()

    for p in parts:
        pieces = p.parts if isinstance(p, Unknown) and p.parts else (p,)
        if isinstance(p, Unknown):
            refs.update(p.refs)
        for q in pieces:
            if isinstance(q, str):
                if q:
                    run.append(q)
                    length += len(q)
                    if length > MAX_STRING:
                        return unknown_from(*out, Unknown(refs))
            else:
                flush()
                if isinstance(q, Unknown):
                    refs.update(q.refs)
                    if out and isinstance(out[-1], Unknown) and not q.parts and not out[-1].parts:
                        out[-1] = Unknown(out[-1].refs | q.refs)  # adjacent unknown pieces are one
                        continue
                out.append(q)
                length += 16  # a piece counts towards the budget too
                if length > MAX_STRING:
                    return unknown_from(*out, Unknown(refs))
    flush()
    if all(isinstance(p, str) for p in out):
        return "".join(out)
    return Unknown(refs, tuple(out))


# ---------------------------------------------------------------------------
# numbers and strings from hostile input
# ---------------------------------------------------------------------------

_FLOAT_LIMIT = 2**1024  # the smallest integer a float cannot represent


def clamp_number(n: Any) -> Any:
    """An integer too large for a float is infinite: every comparison, conversion and
    message keeps working (Python refuses to print integers over 4,300 digits and
    to convert large ones to floats)."""
    if type(n) is int and not -_FLOAT_LIMIT < n < _FLOAT_LIMIT:
        return float("inf") if n > 0 else float("-inf")
    return n


def number_from_text(text: str) -> Any:
    """An integer literal as a number, whatever its length (see :func:`clamp_number`)."""
    try:
        return clamp_number(int(text))
    except ValueError:  # over Python's 4,300-digit limit: far beyond a float, unless zeros pad it
        f = float(text)
        return int(f) if f.is_integer() else f


_SURROGATE = lazy_re("[\ud800-\udfff]")


def fix_surrogates(text: str) -> str:
    """Pair UTF-16 surrogates that escapes wrote separately, and replace lone ones by
    U+FFFD (as Go's decoders do): such a string cannot be encoded, so printed, at all."""
    if _SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def fix_surrogates_deep(value: Any) -> Any:
    """:func:`fix_surrogates` in every string (keys included) of a decoded JSON value,
    in place (iteratively: the value may be nested deeply)."""
    if isinstance(value, str):
        return fix_surrogates(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, str):
                    node[i] = fix_surrogates(v)
                elif isinstance(v, (list, dict)):
                    stack.append(v)
        elif isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for k, v in items:
                node[fix_surrogates(k) if isinstance(k, str) else k] = fix_surrogates(v) if isinstance(v, str) else v
                if isinstance(v, (list, dict)):
                    stack.append(v)
    return value


class EvalError(Exception):
    """A definite evaluation error (Terraform would fail too), e.g. a missing
    attribute on a known object or a type error.  ``try()``/``can()`` catch it;
    elsewhere the expression's value becomes unknown."""


# ---------------------------------------------------------------------------
# evaluation budgets: bounded time and memory on any input
# ---------------------------------------------------------------------------

MAX_VALUE = 1_000_000  # units (elements, and 16 characters of a string) of one value, aliases expanded
EXPRESSION_FUEL = 1_000_000  # units of work one top-level expression may take
ROOT_FUEL = 10_000_000  # units of work a root module may take, plus ROOT_FUEL_PER_BYTE for each byte of it
ROOT_FUEL_PER_BYTE = 20


class BudgetExceeded(EvalError):
    """The evaluation would take more time or memory than its budget: its value is unknown.
    Unlike other evaluation errors, ``try()`` and ``can()`` do not catch it."""


class Budget:
    """Work units an evaluation may still do.  Every evaluated node, produced element and
    16 produced characters cost a unit; a top-level expression may use EXPRESSION_FUEL of
    them, a root module all its ``left``.  ``exhausted``: the whole root ran out."""

    __slots__ = ("left", "floor", "depth", "exhausted", "reported", "_outer")

    def __init__(self, units: float):
        self.left = units
        self.floor = -1.0
        self.depth = 0
        self.exhausted = False
        self.reported = False  # whether the root's exhaustion has been reported
        self._outer: Optional["Budget"] = None

    def charge(self, n: int = 1) -> None:
        self.left -= n
        if self.left < self.floor:
            if self.left < 0:
                self.exhausted = True
            raise BudgetExceeded("evaluation budget exceeded")

    def __enter__(self) -> "Budget":
        global current
        if self.depth == 0:
            self._outer = current
            self.floor = max(0, self.left - EXPRESSION_FUEL)
        current = self
        self.depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        global current
        self.depth -= 1
        if self.depth == 0:
            current = self._outer or UNLIMITED


UNLIMITED = Budget(float("inf"))
current = UNLIMITED  # the budget of the evaluation in progress


def charge(n: int = 1) -> None:
    current.charge(n)


def sized(value: Any) -> Any:
    """``value``, after charging its size (aliases expanded); BudgetExceeded when it has
    more than MAX_VALUE units (a list of a list of ... doubled through locals)."""
    if not isinstance(value, (list, dict)):
        if isinstance(value, str) and len(value) > 64:
            current.charge(len(value) >> 4)
        return value
    units = 0
    stack = [value]
    while stack:
        node = stack.pop()
        items = node.values() if isinstance(node, dict) else node
        units += len(node) + 1
        for v in items:
            if isinstance(v, (list, dict)):
                stack.append(v)
            elif isinstance(v, str):
                units += len(v) >> 4
        if units > MAX_VALUE:
            current.charge(units)
            raise BudgetExceeded("value too large")
    current.charge(units)
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Unknown):
        return "unknown"
    return type(value).__name__
