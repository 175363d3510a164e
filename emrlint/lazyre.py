"""Regular expressions compiled on first use.

emrlint has some sixty module-level patterns, most of which a given scan never uses (a
pre-commit run over one Terraform module meets no bootstrap script, plan or CloudFormation
template); compiling them all at import costs every run about ten milliseconds.  A
:class:`LazyPattern` compiles on first use and then answers with the compiled pattern's own
methods, so a pattern in use costs what a compiled one does.
"""

from __future__ import annotations

import re
from typing import Any

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
            "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    __slots__ = ("_args",) + _METHODS

    def __init__(self, pattern: Any, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only until the first use fills the slots
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = re.compile(*self._args)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._args[0]!r})"


def lazy_re(pattern: Any, flags: int = 0) -> LazyPattern:
    """``re.compile(pattern, flags)``, compiled on first use."""
    return LazyPattern(pattern, flags)
