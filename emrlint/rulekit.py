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

import math
from typing import Any, Callable, Dict, Optional

from emrlint.findings import Loc, Problem  # noqa: F401  (re-exported for rules)
from emrlint.model import Model
from emrlint.record import dataclass
from emrlint.text import quote  # noqa: F401  (re-exported for rules: values in messages)
from emrlint.values import Unknown, is_unknown, refs_of  # noqa: F401  (re-exported for rules)
from emrlint.lazyre import lazy_re


RELEASE_LABEL = lazy_re(r"^emr-\d+\.\d+\.\d+$")


def release_label(value: Any) -> str:
    """A parameter check: "" for a full release label (``emr-7.1.0``), else what is wrong."""
    return "" if isinstance(value, str) and RELEASE_LABEL.match(value) else "not a full release label such as emr-7.1.0"


@dataclass(frozen=True)
class Param:
    """A rule parameter settable in the config under ``params``.

    A value must be of ``type`` and make sense for the rule (ground rule 5): within
    ``minimum``/``maximum`` (``minimum`` excluded when ``exclusive_minimum``), and accepted
    by ``check`` (applied to each element of a list), which returns "" or what is wrong.
    ``accepted`` says in words what is accepted, for error messages and the docs."""

    type: str  # "number", "integer", "string", "bool", "list"
    default: Any
    description: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    exclusive_minimum: bool = False
    check: Optional[Callable[[Any], str]] = None
    accepted: str = ""

    def accepts(self) -> str:
        """What values are accepted, in words ("" when only the type matters)."""
        if self.accepted:
            return self.accepted
        low = None if self.minimum is None else f"{'above' if self.exclusive_minimum else 'at least'} {self.minimum:g}"
        high = None if self.maximum is None else f"at most {self.maximum:g}"
        if low and high and not self.exclusive_minimum:
            return f"{self.minimum:g} to {self.maximum:g}"
        return " and ".join(x for x in (low, high) if x)

    def validate(self, value: Any) -> str:
        """An error message, or "" when ``value`` fits."""
        ok = {
            "number": isinstance(value, (int, float)) and not isinstance(value, bool)
            and not (isinstance(value, float) and not math.isfinite(value)),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "string": isinstance(value, str),
            "bool": isinstance(value, bool),
            "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }.get(self.type, True)
        if not ok:
            return "expected " + {"list": "a list of strings", "integer": "an integer", "bool": "true or false"}.get(
                self.type, "a " + self.type)
        wrong = ""
        if self.type in ("number", "integer"):
            if self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value == self.minimum)):
                wrong = "out of range"
            elif self.maximum is not None and value > self.maximum:
                wrong = "out of range"
        if not wrong and self.check is not None:
            for item in (value if self.type == "list" else [value]):
                wrong = self.check(item)
                if wrong:
                    if self.type == "list":
                        wrong = f"{item!r} is {wrong}"
                    break
        if not wrong:
            return ""
        accepted = self.accepts()
        return f"{wrong}; accepted: {accepted}" if accepted else wrong


class RuleContext:
    """Passed to ``check()``: the rule's parameters, the whole model, and ``pricing`` (an
    :class:`emrlint.cost.Pricing`: the region and the rates in effect)."""

    def __init__(self, params: Dict[str, Any], model: Model, sources, pricing: Any = None):
        self.params = params
        self.model = model
        self.sources = sources
        self.pricing = pricing
