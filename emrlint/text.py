"""Text that reaches a user: values quoted in messages, clipped to a short length, and
strings from scanned files made safe to print.

Scanned files are untrusted: a value can be a megabyte long (``format("%0999999999d", 1)``)
or carry terminal escape sequences, and a file name can hold any byte.  Rules quote
values with :func:`quote`; the engine clips every message with :func:`clip`; every
report passes every string it writes through :func:`printable`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emrlint.lazyre import lazy_re

QUOTE_LIMIT = 100  # characters of a value quoted in a message
MESSAGE_LIMIT = 2000  # characters of a message (the longest rule message is about 550)
FIELD_LIMIT = 500  # characters of a resource address, a path or a code frame line in a report

# C0 controls but tab, DEL, C1 controls, lone surrogates (and surrogate-escaped bytes of
# undecodable file names), and the two code points XML 1.0 forbids
_UNPRINTABLE = lazy_re("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# the same for ASCII text (most of it): a pattern that compiles in a tenth of the time
_UNPRINTABLE_ASCII = lazy_re("[\x00-\x08\x0a-\x1f\x7f]")


_NAMED = {"\n": "\\n", "\r": "\\r"}


def _escape(match: "re.Match[str]") -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control characters and lone surrogates written as visible escapes
    (``\\x1b``, ``\\ud800``): nothing that moves a terminal's cursor, rings its bell,
    cannot be encoded as UTF-8 or is not allowed in XML."""
    pattern = _UNPRINTABLE_ASCII if text.isascii() else _UNPRINTABLE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text``, cut to ``limit`` characters with a note of its full length."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters in all)"


def quote(value: Any, limit: int = QUOTE_LIMIT, marks: bool = True) -> str:
    """A value as a message shows it: a string in double quotes (``marks=False``: as it is,
    for a name or URI in running text), a number, ``true``/``false``, ``null``, a list or
    object as compact JSON; longer than ``limit`` characters, its start and ``...``.
    Control characters are escaped (:func:`printable`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float)):
        try:
            text = str(value)
        except ValueError:  # an integer too long to convert
            return "a number of thousands of digits"
    else:
        try:
            text = json.dumps(value, separators=(", ", ": "), ensure_ascii=False, default=str)
        except (TypeError, ValueError, RecursionError):
            text = f"a {type(value).__name__}"
    shown = printable(text[:limit]) + ("..." if len(text) > limit else "")
    return f'"{shown}"' if marks and isinstance(value, str) else shown


def cleandoc(doc: str) -> str:
    """:func:`inspect.cleandoc`'s result (the common indentation of the lines after the
    first removed, blank lines at either end dropped), without importing :mod:`inspect`,
    which brings ``ast``, ``dis`` and ``tokenize``: a rule's documentation is read when
    its module loads, in every run."""
    lines = doc.expandtabs().split("\n")
    if _AT_MARGIN.search(doc):  # a line after the first starts with text: no indentation to remove
        margin = 0
    else:
        indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()]
        margin = min(indents) if indents else 0
    lines = [lines[0].lstrip()] + ([line[margin:] for line in lines[1:]] if margin else lines[1:])
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


# a line after the first that starts with text (a module's docstring, as every rule's is)
_AT_MARGIN = lazy_re(r"\n\S")
