"""Discovering the built-in rules: every module in ``emrlint.rules``."""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable, Dict, List, Optional, Tuple

from emrlint.findings import SEVERITIES
from emrlint.rulekit import Param

ID_RE = re.compile(r"^EMR\d{3}$")


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


def _rule_from_module(module: ModuleType) -> Rule:
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
    summary = doc.splitlines()[0].strip().rstrip(".") if doc else ""
    return Rule(module.ID, module.NAME, module.SEVERITY, kinds, summary, doc,
                dict(getattr(module, "PARAMS", {})), check, module)


@functools.lru_cache(maxsize=1)
def all_rules() -> Dict[str, Rule]:
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


def resolve(code: str) -> List[Rule]:
    """Rules matching an ID (``EMR102``), an ID prefix (``EMR1``, ``EMR``, ``ALL``) or a name."""
    rules = all_rules()
    code = code.strip()
    if code.upper() == "ALL":
        return list(rules.values())
    upper = code.upper()
    if upper.startswith("EMR"):
        return [r for r in rules.values() if r.id.startswith(upper)]
    return [r for r in rules.values() if r.name == code]


def by_id_or_name(code: str) -> Optional[Rule]:
    found = [r for r in resolve(code) if r.id == code.upper() or r.name == code]
    return found[0] if found else None
