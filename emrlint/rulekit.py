"""What a rule module imports: the pieces of the rule API in one place.

A rule is a module in ``emrlint.rules`` (the ``rules/`` directory):

* its docstring is its documentation (Markdown; first line = one-line summary),
* ``ID``, ``NAME``, ``SEVERITY``, ``KIND`` (model kind or tuple of kinds the
  rule checks) and optional ``PARAMS`` are its metadata,
* ``check(resource, ctx)`` yields :class:`Problem` s.

Adding a rule means adding a module, its fixtures and its snapshot: nothing
else has to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict

from emrlint.findings import Loc, Problem  # noqa: F401  (re-exported for rules)
from emrlint.model import Model
from emrlint.values import Unknown, is_unknown, refs_of  # noqa: F401  (re-exported for rules)


@dataclass(frozen=True)
class Param:
    """A rule parameter settable in the config under ``params``."""

    type: str  # "number", "integer", "string", "bool", "list"
    default: Any
    description: str

    def validate(self, value: Any) -> str:
        """An error message, or "" when ``value`` fits."""
        ok = {
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }.get(self.type, True)
        return "" if ok else f"expected {'a list of strings' if self.type == 'list' else 'a ' + self.type}"


class RuleContext:
    """Passed to ``check()``: the rule's parameters and the whole model."""

    def __init__(self, params: Dict[str, Any], model: Model, sources):
        self.params = params
        self.model = model
        self.sources = sources
