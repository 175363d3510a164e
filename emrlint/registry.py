"""The rules: emrlint's own (every module in ``emrlint.rules``), and an organisation's.

A built-in rule module is named after its ID and name (``emr102_no_spot_capacity``), so
rule codes in options and configs resolve from the file names alone (:func:`rule_index`):
a scan whose result comes from the cache imports no rule.

An organisation's rules are of three sources, all with the built-in rules' API
(:mod:`emrlint.rulekit`) and behaviour (select/ignore, severities, parameters,
suppressions, baselines, every report format):

* rule modules of installed packages, through the ``emrlint.rules`` entry point group
  (a module with a rule's ``ID``, or a package whose modules are rules): always available;
* rule modules in a directory a config names under ``plugins``;
* YAML policies a config names under ``policies`` (:mod:`emrlint.policies`).

The last two are available where that config applies (:func:`register` records them,
and a config passes their IDs as ``custom`` to :func:`resolve_ids`).  Their IDs are in an
organisation's namespace (``ACME001``): the ``EMR`` prefix is emrlint's.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from emrlint.findings import SEVERITIES
from emrlint.lazyre import lazy_re
from emrlint.record import dataclass, field
from emrlint.text import cleandoc

if TYPE_CHECKING:  # importing the rule kit loads the model
    from emrlint.rulekit import Param

ID_RE = lazy_re(r"^EMR\d{3}$")
CUSTOM_ID_RE = lazy_re(r"^[A-Z]{2,10}\d{3}$")  # ACME001, PLATFORM042: letters, then three digits
NAME_RE = lazy_re(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ENTRY_POINT_GROUP = "emrlint.rules"
_MODULE_RE = lazy_re(r"^(emr\d{3})_([a-z0-9_]+)\.py$")


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
    origin: str = ""  # where an organisation's rule is defined (file:line, a module's file); "" for emrlint's
    examples: Tuple[Tuple[str, str], ...] = ()  # a policy's example cases: ("fail" | "pass", path)


class RuleDefinitionError(Exception):
    pass


def custom_id_problem(rule_id: Any) -> str:
    """What is wrong with an organisation's rule ID ("" when nothing is)."""
    if not isinstance(rule_id, str) or not CUSTOM_ID_RE.match(rule_id):
        return (f"bad rule ID {rule_id!r}: an organisation's rule ID is 2-10 capital letters, then 3 digits "
                "(ACME001)")
    if rule_id.startswith("EMR") or rule_id.startswith("ALL"):
        return f"bad rule ID {rule_id!r}: the {rule_id[:3]} prefix is emrlint's; use your organisation's (ACME001)"
    return ""


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


@functools.lru_cache(maxsize=1)
def _kinds_index() -> Dict[str, Tuple[str, ...]]:
    try:
        from emrlint.rules._kinds import KINDS
    except ImportError:  # a checkout without the generated index: every rule is imported
        return {}
    return KINDS


def known_kinds(rule_id: str) -> Optional[Tuple[str, ...]]:
    """A built-in rule's resource kinds without importing it (``rules/_kinds.py``, which
    ``python -m emrlint.docs`` generates and a test keeps up to date); None when only its
    module can tell: an organisation's rule, or a rule module the index does not list yet."""
    if rule_id in _CUSTOM or rule_id not in rule_index():
        return None
    return _kinds_index().get(rule_id)


def load_rule(rule_id: str) -> Rule:
    """One rule: an organisation's, or emrlint's own, importing only its module."""
    rule = _CUSTOM.get(rule_id)
    if rule is not None:
        return rule
    if rule_id not in rule_index():
        rule = installed_rules().get(rule_id)
        if rule is not None:
            return rule
    return _load_builtin(rule_id)


@functools.lru_cache(maxsize=None)
def _load_builtin(rule_id: str) -> Rule:
    return _rule_from_module(importlib.import_module(f"emrlint.rules.{_module_name(rule_id, rule_index()[rule_id])}"))


def _rule_from_module(module: ModuleType, custom: bool = False) -> Rule:
    name = module.__name__
    doc = cleandoc(module.__doc__) if isinstance(module.__doc__, str) else ""
    missing = [attr for attr in ("ID", "NAME", "SEVERITY") if not hasattr(module, attr)]
    if missing or not doc:
        raise RuleDefinitionError(f"{name}: a rule needs a docstring and {', '.join(missing) or 'metadata'}")
    if custom:
        problem = custom_id_problem(module.ID)
        if problem:
            raise RuleDefinitionError(f"{name}: {problem}")
        if not isinstance(module.NAME, str) or not NAME_RE.match(module.NAME):
            raise RuleDefinitionError(f"{name}: bad rule name {module.NAME!r} (lower-case words joined by -)")
    elif not ID_RE.match(module.ID):
        raise RuleDefinitionError(f"{name}: bad rule ID {module.ID!r}")
    if module.SEVERITY not in SEVERITIES:
        raise RuleDefinitionError(f"{name}: bad severity {module.SEVERITY!r}")
    kind = getattr(module, "KIND", ())
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    check = getattr(module, "check", None)
    if kinds and check is None:
        raise RuleDefinitionError(f"{name}: a rule with KIND needs a check() function")
    if custom:
        from emrlint.rulekit import Param
        from emrlint.schema import KINDS

        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise RuleDefinitionError(f"{name}: unknown KIND {unknown[0]!r} (kinds: {', '.join(sorted(KINDS))})")
        params = getattr(module, "PARAMS", {})
        if not isinstance(params, dict) or not all(isinstance(p, Param) for p in params.values()):
            raise RuleDefinitionError(f"{name}: PARAMS must map parameter names to rulekit.Param")
    elif name.rsplit(".", 1)[-1] != _module_name(module.ID, module.NAME):
        raise RuleDefinitionError(f"{name}: a rule module is named after its ID and name: "
                                  f"{_module_name(module.ID, module.NAME)}.py")
    summary = doc.splitlines()[0].strip().rstrip(".") if doc else ""
    return Rule(module.ID, module.NAME, module.SEVERITY, kinds, summary, doc,
                dict(getattr(module, "PARAMS", {})), check, module,
                origin=(getattr(module, "__file__", "") or name) if custom else "")


@functools.lru_cache(maxsize=1)
def builtin_rules() -> Dict[str, Rule]:
    """emrlint's own rules (importing every rule module)."""
    import emrlint.rules as pkg

    rules: Dict[str, Rule] = {}
    names: Dict[str, str] = {}
    # the package's rule modules (a listing: pkgutil costs a pre-commit run its import)
    found = {os.path.splitext(n)[0] for d in pkg.__path__ for n in _listdir(d)
             if n.endswith(".py") and not n.startswith("_")}
    for name in sorted(found):
        module = importlib.import_module(f"{pkg.__name__}.{name}")
        rule = _rule_from_module(module)
        if rule.id in rules or rule.name in names:
            raise RuleDefinitionError(f"{name}: duplicate rule ID or name ({rule.id} {rule.name})")
        rules[rule.id] = rule
        names[rule.name] = rule.id
    return dict(sorted(rules.items()))


def _listdir(directory: str) -> List[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


# ---------------------------------------------------------------------------
# an organisation's rules
# ---------------------------------------------------------------------------


class PluginError(RuleDefinitionError):
    """An installed or local rule module that cannot be loaded (exit status 2)."""


def _has_entry_points() -> bool:
    """Whether an installed distribution declares ``emrlint.rules`` entry points: a look
    at the ``entry_points.txt`` files on sys.path, so that a scan without plugins never
    pays for importing importlib.metadata."""
    from emrlint.installed import metadata_dirs

    marker = f"[{ENTRY_POINT_GROUP}]".encode()
    for directory in metadata_dirs():
        try:
            with open(os.path.join(directory, "entry_points.txt"), "rb") as fh:
                if marker in fh.read():
                    return True
        except OSError:
            continue
    return False


def rules_of_module(module: ModuleType) -> List[Rule]:
    """The rules of an organisation's module: the module itself when it has an ``ID``, else
    every module of the package whose name does not start with ``_`` (helpers)."""
    import pkgutil

    if hasattr(module, "ID"):
        return [_rule_from_module(module, custom=True)]
    if not hasattr(module, "__path__"):
        raise RuleDefinitionError(f"{module.__name__}: neither a rule module (no ID) nor a package of rule modules")
    out = []
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            out.append(_rule_from_module(importlib.import_module(f"{module.__name__}.{info.name}"), custom=True))
    return out


@functools.lru_cache(maxsize=1)
def installed_rules() -> Dict[str, Rule]:
    """Rules of installed packages (the ``emrlint.rules`` entry point group)."""
    if not _has_entry_points():
        return {}
    from importlib.metadata import entry_points

    try:
        found = entry_points(group=ENTRY_POINT_GROUP)
    except TypeError:  # Python 3.9: entry_points() takes no arguments
        found = entry_points().get(ENTRY_POINT_GROUP, [])  # type: ignore[attr-defined]
    rules: Dict[str, Rule] = {}
    for ep in sorted(found, key=lambda e: e.name):
        what = f"entry point {ep.name} = {ep.value} ({ENTRY_POINT_GROUP})"
        try:
            loaded = rules_of_module(ep.load())
        except RuleDefinitionError as exc:
            raise PluginError(f"{what}: {exc}") from None
        except Exception as exc:  # an import error in someone else's code: one line, not a traceback
            raise PluginError(f"{what}: cannot be imported: {type(exc).__name__}: {exc}") from None
        for rule in loaded:
            _check_clash(rule, rules)
            rules[rule.id] = rule
    return rules


_CUSTOM: Dict[str, Rule] = {}  # rules of configs (policies, local plugin directories), by ID


def _index(custom: Optional[Iterable[str]] = None) -> Dict[str, str]:
    """Rule ID -> name of emrlint's, installed and (``custom``, or all) config-defined rules."""
    index = rule_index()
    installed = installed_rules()
    if not installed and not _CUSTOM:
        return index
    keep = None if custom is None else set(custom)
    extra = {i: r.name for i, r in installed.items()}
    extra.update({i: r.name for i, r in _CUSTOM.items() if keep is None or i in keep})
    return dict(sorted({**index, **extra}.items()))


def _check_clash(rule: Rule, rules: Dict[str, Any]) -> None:
    """An ID or a name another rule already has (the same rule from the same place is not a clash)."""
    taken = {i: n for i, n in rule_index().items()}
    for other in rules.values():
        if other.origin == rule.origin and other.id == rule.id:
            continue
        if other.id == rule.id or other.name == rule.name:
            what = "ID" if other.id == rule.id else "name"
            raise RuleDefinitionError(f"rule {what} {rule.id if what == 'ID' else rule.name} is already used by "
                                      f"{other.id} ({other.origin or 'emrlint'})")
    for rule_id, name in taken.items():
        if rule_id == rule.id or name == rule.name:
            what = "ID" if rule_id == rule.id else "name"
            raise RuleDefinitionError(f"rule {what} {rule.id if what == 'ID' else rule.name} is already used by "
                                      f"{rule_id} (emrlint's own rules)")


def register(rules: Sequence[Rule]) -> None:
    """Make a config's rules known (the same rule from the same place again replaces itself)."""
    known = {**installed_rules(), **_CUSTOM}
    batch: Dict[str, Rule] = {}
    for rule in rules:
        _check_clash(rule, {**known, **batch})
        batch[rule.id] = rule
    _CUSTOM.update(batch)


def load_plugin_dir(directory: str) -> List[Rule]:
    """The rules of a directory of rule modules (a config's ``plugins``): each module whose
    name does not start with ``_`` is a rule; the others are helpers they may import
    (``from . import _helpers``)."""
    import hashlib
    import types

    name = "emrlint_plugins_" + hashlib.sha256(os.path.abspath(directory).encode()).hexdigest()[:12]
    package = sys.modules.get(name)
    if package is None:
        package = types.ModuleType(name, f"Rule modules in {directory}")
        package.__path__ = [directory]  # type: ignore[attr-defined]
        sys.modules[name] = package
    try:
        return rules_of_module(package)
    except RuleDefinitionError as exc:
        raise PluginError(f"{directory}: {exc}") from None
    except Exception as exc:  # an import error in the organisation's code: one line, not a traceback
        raise PluginError(f"{directory}: a rule module cannot be imported: {type(exc).__name__}: {exc}") from None


def code_files(directory: str) -> List[str]:
    """The Python files of a directory of rule modules (what a cached result depends on)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        out += [os.path.join(dirpath, n) for n in sorted(filenames) if n.endswith(".py")]
    return out


def installed_code_files() -> List[str]:
    """The Python files of installed rule packages."""
    out: List[str] = []
    for rule in installed_rules().values():
        module_file = getattr(rule.module, "__file__", None)
        if module_file and module_file not in out:
            out.append(module_file)
    return sorted(out)


def all_rules() -> Dict[str, Rule]:
    """Every known rule: emrlint's, installed ones, and those of the configs loaded so far."""
    if not _CUSTOM and not installed_rules():
        return builtin_rules()
    return dict(sorted({**builtin_rules(), **installed_rules(), **_CUSTOM}.items()))


# ---------------------------------------------------------------------------
# resolving rule codes
# ---------------------------------------------------------------------------

_PREFIX = lazy_re(r"^[A-Z]+\d*$")


def resolve_ids(code: str, custom: Optional[Iterable[str]] = None) -> List[str]:
    """IDs of the rules matching an ID (``EMR102``), an ID prefix (``EMR1``, ``EMR``, ``ACME``,
    ``ALL``) or a name, without importing any built-in rule.  ``custom``: the IDs of the
    config-defined rules to consider (None: every one known)."""
    index = _index(custom)
    code = code.strip()
    upper = code.upper()
    if upper == "ALL":
        return list(index)
    if _PREFIX.match(upper):
        by_prefix = [i for i in index if i.startswith(upper)]
        if by_prefix or upper.startswith("EMR"):
            return by_prefix
    return [i for i, name in index.items() if name == code]


def resolve(code: str, custom: Optional[Iterable[str]] = None) -> List[Rule]:
    """Rules matching an ID, an ID prefix or a name (see :func:`resolve_ids`)."""
    return [load_rule(i) for i in resolve_ids(code, custom)]


def id_of(code: str, custom: Optional[Iterable[str]] = None) -> Optional[str]:
    """The ID of the rule an ID or a name names (not a prefix), or None."""
    index = _index(custom)
    found = [i for i in resolve_ids(code, custom) if i == code.strip().upper() or index[i] == code.strip()]
    return found[0] if found else None


def by_id_or_name(code: str, custom: Optional[Iterable[str]] = None) -> Optional[Rule]:
    rule_id = id_of(code, custom)
    return load_rule(rule_id) if rule_id else None
