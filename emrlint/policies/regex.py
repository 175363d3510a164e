"""Regular expressions of policies: RE2 syntax, matched in bounded time.

With the ``google-re2`` package installed, patterns are compiled by RE2 itself (linear-time
matching).  Without it, Python's ``re`` runs them, after checks that keep its backtracking
in bounds and its syntax RE2's: no backreferences, no lookarounds, no atomic groups or
possessive quantifiers (RE2 has none), and no repetition of a repeated group
(``(a+)+``, the shape of catastrophic backtracking).  Either way a pattern is at most
:data:`MAX_PATTERN` characters and matches against at most :data:`MAX_TEXT` characters of a
value (a longer value cannot be decided: unknown).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional

MAX_PATTERN = 1000
MAX_TEXT = 100_000


class RegexError(ValueError):
    pass


def _parser():
    try:
        from re import _parser as parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as parser  # type: ignore[no-redef]
    return parser


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _check_tree(items: Any, inside_repeat: bool) -> None:
    """Refuse what RE2 does not have and what makes backtracking explode."""
    for op, arg in items:
        name = str(op)
        if name in ("GROUPREF", "GROUPREF_EXISTS"):
            raise RegexError("backreferences are not supported (RE2 syntax)")
        if name in ("ASSERT", "ASSERT_NOT"):
            raise RegexError("lookahead and lookbehind are not supported (RE2 syntax)")
        if name in ("ATOMIC_GROUP", "POSSESSIVE_REPEAT"):
            raise RegexError("atomic groups and possessive quantifiers are not supported (RE2 syntax)")
        if name in _REPEATS:
            low, high, sub = arg
            unbounded = high is None or high >= _parser().MAXREPEAT
            if unbounded and inside_repeat:
                raise RegexError("an unbounded repetition inside another repetition ((a+)+, (\\w+\\s?)*) can take "
                                 "exponential time; write it without the nesting")
            _check_tree(sub, inside_repeat or high is None or high > 1)
        elif name == "SUBPATTERN":
            _check_tree(arg[-1], inside_repeat)
        elif name == "BRANCH":
            if inside_repeat and not _disjoint(arg[1]):
                raise RegexError("alternatives inside a repetition must start differently ((a|ab)* can take "
                                 "exponential time); write it without the overlap")
            for branch in arg[1]:
                _check_tree(branch, inside_repeat)


def _first(items: Any) -> Optional[frozenset]:
    """The characters a branch can start with, when that is plainly a literal or a set of them."""
    if not items:
        return None
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return frozenset([arg])
    if name == "IN" and all(str(o) == "LITERAL" for o, _ in arg):
        return frozenset(a for _, a in arg)
    return None


def _disjoint(branches: Any) -> bool:
    seen: set = set()
    for branch in branches:
        first = _first(list(branch))
        if first is None or first & seen:
            return False
        seen |= first
    return True


class Pattern:
    """A compiled pattern: ``search(text)`` is True, False, or None (too long to decide)."""

    def __init__(self, source: str, compiled: Any):
        self.source = source
        self._compiled = compiled

    def search(self, text: str) -> Optional[bool]:
        if len(text) > MAX_TEXT:
            return None
        return self._compiled.search(text) is not None


def _re2() -> Any:
    try:
        import re2  # type: ignore[import-not-found]
    except ImportError:
        return None
    return re2


@functools.lru_cache(maxsize=512)
def compile_pattern(source: str, ignore_case: bool = False) -> Pattern:
    """Compile a policy's pattern or raise :class:`RegexError` saying what is wrong."""
    if not isinstance(source, str):
        raise RegexError("a regular expression must be a string")
    if len(source) > MAX_PATTERN:
        raise RegexError(f"longer than {MAX_PATTERN} characters")
    re2 = _re2()
    if re2 is not None:
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = not ignore_case
        if re.search(r"\(\?<?[=!]|\\[1-9]", source.replace("\\\\", "")):
            raise RegexError("lookarounds and backreferences are not supported (RE2 syntax)")
        try:
            return Pattern(source, re2.compile(source, options))
        except re2.error as exc:
            raise RegexError(str(exc) or "not a valid RE2 expression") from None
    try:
        tree = _parser().parse(source, re.IGNORECASE if ignore_case else 0)
    except (re.error, OverflowError, RecursionError) as exc:
        raise RegexError(str(exc)) from None
    _check_tree(tree, False)
    return Pattern(source, re.compile(source, re.IGNORECASE if ignore_case else 0))


def problem(source: Any) -> str:
    """"" for a valid pattern, else what is wrong (a parameter check)."""
    try:
        compile_pattern(source)
    except RegexError as exc:
        return f"not a valid regular expression: {exc}"
    return ""
