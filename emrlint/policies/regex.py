"""Regular expressions of policies: RE2 syntax, compiled by RE2 (google-re2), so matching
takes time linear in the text, never catastrophic backtracking.  A pattern is at most
:data:`MAX_PATTERN` characters, and a value longer than :data:`MAX_TEXT` characters is not
matched (the condition about it is unknown).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Optional

MAX_PATTERN = 1000
MAX_TEXT = 100_000


class RegexError(ValueError):
    pass


class Pattern:
    """A compiled pattern: ``search(text)`` is True, False, or None (too long to decide)."""

    def __init__(self, source: str, compiled: Any):
        self.source = source
        self._compiled = compiled

    def search(self, text: str) -> Optional[bool]:
        if len(text) > MAX_TEXT:
            return None
        return self._compiled.search(text) is not None


@functools.lru_cache(maxsize=512)
def compile_pattern(source: str, ignore_case: bool = False) -> Pattern:
    """Compile a policy's pattern or raise :class:`RegexError` saying what is wrong."""
    import re2

    if not isinstance(source, str):
        raise RegexError("a regular expression must be a string")
    if len(source) > MAX_PATTERN:
        raise RegexError(f"longer than {MAX_PATTERN} characters")
    if re.search(r"\(\?<?[=!]|\\[1-9]", source.replace("\\\\", "")):
        raise RegexError("lookarounds and backreferences are not supported (RE2 syntax)")
    options = re2.Options()
    options.log_errors = False  # never write to the user's terminal
    options.case_sensitive = not ignore_case
    try:
        return Pattern(source, re2.compile(source, options))
    except re2.error as exc:
        detail = exc.args[0] if exc.args else ""
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(str(detail) or "not a valid RE2 expression") from None


def problem(source: Any) -> str:
    """"" for a valid pattern, else what is wrong (a parameter check)."""
    try:
        compile_pattern(source)
    except RegexError as exc:
        return f"not a valid regular expression: {exc}"
    return ""
