"""Shell words in linear time.

:mod:`shlex` reads one character at a time and appends each to the token it builds,
which takes time quadratic in a token's length (a 1 MB quoted word took half a minute).
:class:`Reader` feeds a lexer whole runs of characters that it would append one by one
(inside a quoted string, or inside a word), so tokenising is linear; the lexer's own
logic decides everything else.  Nothing is ever executed.
"""

from __future__ import annotations

import shlex
from typing import List, Optional

from emrlint.lazyre import lazy_re

_QUOTED_RUN = lazy_re(r"[^'\"\\\n]{2,}")  # inside quotes: nothing that ends them or escapes
_WORD_RUN = lazy_re(r"[^'\"\\\s();<>|&]{2,}")  # inside a word: nothing that ends it


class Reader:
    """The character stream a lexer reads from (``chars``, one string per character of
    ``text``, which may differ from it where the caller blanks characters out); ``pos``
    locates the tokens.  Set ``lexer`` to the lexer reading it."""

    def __init__(self, chars: List[str], text: str):
        self.chars, self.text, self.pos, self.eof = chars, text, 0, False
        self.lexer: Optional[shlex.shlex] = None

    def read(self, size: int = 1) -> str:
        state = self.lexer.state if self.lexer is not None else None
        run = _QUOTED_RUN if state in ("'", '"') else _WORD_RUN if state == "a" else None
        m = run.match(self.text, self.pos) if run is not None else None
        text = m.group() if m else self.chars[self.pos] if self.pos < len(self.chars) else ""
        self.pos += len(text)
        self.eof = not text
        return text


def split(text: str) -> List[str]:
    """``shlex.split(text)`` (POSIX rules, no comments), in linear time; ValueError on an
    unclosed quote or a trailing backslash."""
    reader = Reader(list(text), text)
    lex = shlex.shlex(reader, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    reader.lexer = lex
    return list(lex)
