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
    """A (partly known) string as a message shows it, unknown parts as ``${...}``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Unknown) and value.parts:
        return "".join(p if isinstance(p, str) else "${...}" for p in value.parts).strip()
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


def concat_parts(parts: Iterable[Any]) -> Any:
    """Join string pieces; the result is a ``str`` if every piece is known,
    else an :class:`Unknown` that keeps the known pieces in ``parts``."""
    out: list = []
    refs: set = set()
    for p in parts:
        if isinstance(p, Unknown):
            refs.update(p.refs)
            if p.parts:
                for q in p.parts:
                    _append_part(out, q)
                    if isinstance(q, Unknown):
                        refs.update(q.refs)
            else:
                out.append(p)
        else:
            _append_part(out, p)
    if all(isinstance(p, str) for p in out):
        return "".join(out)
    return Unknown(refs, tuple(out))


def _append_part(out: list, piece: Any) -> None:
    if isinstance(piece, str) and out and isinstance(out[-1], str):
        out[-1] = out[-1] + piece
    elif isinstance(piece, str) and piece == "":
        return
    else:
        out.append(piece)


class EvalError(Exception):
    """A definite evaluation error (Terraform would fail too), e.g. a missing
    attribute on a known object or a type error.  ``try()``/``can()`` catch it;
    elsewhere the expression's value becomes unknown."""


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
