"""Discovering the built-in rules: every module in ``emrlint.rules``.

A rule module is named after its ID and name (``emr102_no_spot_capacity``), so rule
codes in options and configs resolve from the file names alone (:func:`rule_index`):
a scan whose result comes from the cache imports no rule.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

from emrlint.findings import SEVERITIES
if TYPE_CHECKING:  # importing the rule kit loads the model
    from emrlint.rulekit import Param

ID_RE = re.compile(r"^EMR\d{3}$")
_MODULE_RE = re.compile(r"^(emr\d{3})_([a-z0-9_]+)\.py$")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    kinds: Tuple[str, ...]
    summary: str
    doc: str
    params: Dict[str, Param] = field(default_factory=dict)
    check: Optional[Callable] = None
    module: Optional[ModuleType] = None

class RuleDefinitionError(Exception):
    pass


def _module_name(rule_id: str, name: str) -> str:
    return f"{rule_id.lower()}_{name.replace('-', '_')}"


@functools.lru_cache(maxsize=1)
def rule_index() -> Dict[str, str]:
    """Rule ID -> rule name, from the rule modules' file names (nothing is imported)."""
    import emrlint.rules as pkg

    found: Dict[str, str] = {}
    for directory in pkg.__path__:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for file_name in names:
            m = _MODULE_RE.match(file_name)
            if m:
                found[m.group(1).upper()] = m.group(2).replace("_", "-")
    return dict(sorted(found.items()))


@functools.lru_cache(maxsize=None)
def load_rule(rule_id: str) -> Rule:
    """One rule, importing only its module."""
    return _rule_from_module(importlib.import_module(f"emrlint.rules.{_module_name(rule_id, rule_index()[rule_id])}"))


def _rule_from_module(module: ModuleType) -> Rule:
    import inspect

    name = module.__name__
    doc = inspect.getdoc(module) or ""
    missing = [attr for attr in ("ID", "NAME", "SEVERITY") if not hasattr(module, attr)]
    if missing or not doc:
        raise RuleDefinitionError(f"{name}: a rule needs a docstring and {', '.join(missing) or 'metadata'}")
    if not ID_RE.match(module.ID):
        raise RuleDefinitionError(f"{name}: bad rule ID {module.ID!r}")
    if module.SEVERITY not in SEVERITIES:
        raise RuleDefinitionError(f"{name}: bad severity {module.SEVERITY!r}")
    kind = getattr(module, "KIND", ())
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    check = getattr(module, "check", None)
    if kinds and check is None:
        raise RuleDefinitionError(f"{name}: a rule with KIND needs a check() function")
    if name.rsplit(".", 1)[-1] != _module_name(module.ID, module.NAME):
        raise RuleDefinitionError(f"{name}: a rule module is named after its ID and name: "
                                  f"{_module_name(module.ID, module.NAME)}.py")
    summary = doc.splitlines()[0].strip().rstrip(".") if doc else ""
    return Rule(module.ID, module.NAME, module.SEVERITY, kinds, summary, doc,
                dict(getattr(module, "PARAMS", {})), check, module)


@functools.lru_cache(maxsize=1)
def all_rules() -> Dict[str, Rule]:
    import pkgutil

    import emrlint.rules as pkg

    rules: Dict[str, Rule] = {}
    names: Dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        rule = _rule_from_module(module)
        if rule.id in rules or rule.name in names:
            raise RuleDefinitionError(f"{info.name}: duplicate rule ID or name ({rule.id} {rule.name})")
        rules[rule.id] = rule
        names[rule.name] = rule.id
    return dict(sorted(rules.items()))


def resolve_ids(code: str) -> List[str]:
    """IDs of the rules matching an ID (``EMR102``), an ID prefix (``EMR1``, ``EMR``,
    ``ALL``) or a name, without importing any rule."""
    index = rule_index()
    code = code.strip()
    upper = code.upper()
    if upper == "ALL":
        return list(index)
    if upper.startswith("EMR"):
        return [i for i in index if i.startswith(upper)]
    return [i for i, name in index.items() if name == code]


def resolve(code: str) -> List[Rule]:
    """Rules matching an ID (``EMR102``), an ID prefix (``EMR1``, ``EMR``, ``ALL``) or a name."""
    rules = all_rules()
    return [rules[i] for i in resolve_ids(code) if i in rules]


def id_of(code: str) -> Optional[str]:
    """The ID of the rule an ID or a name names (not a prefix), or None."""
    found = [i for i in resolve_ids(code) if i == code.strip().upper() or rule_index()[i] == code.strip()]
    return found[0] if found else None


def by_id_or_name(code: str) -> Optional[Rule]:
    rule_id = id_of(code)
    return all_rules().get(rule_id) if rule_id else None
