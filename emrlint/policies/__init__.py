"""An organisation's own rules, written as YAML policies.

A policy is one YAML file (``acme001_cost_tags.yaml``)::

    id: ACME001                 # your namespace: letters, then three digits (EMR is emrlint's)
    name: cost-allocation-tags-missing
    severity: error
    summary: An EMR cluster or serverless application lacks the CostCenter and Team tags
    kinds: [cluster, serverless_application]
    message: Finance allocates EMR spend by these tags; add them (tags = {CostCenter = "...", Team = "..."}).
    docs: |
      Why, what fires, what does not, how to fix (Markdown).
    require:                    # what a compliant resource satisfies (emrlint.policies.conditions)
      field: tags
      contains: [CostCenter, Team]

``when:`` (a condition) limits the resources it applies to; ``params:`` declares parameters
that conditions use as ``{param: NAME}`` and configs set like any rule's.  A policy is a
rule like emrlint's own: ``emrlint rules``, ``explain``, select/ignore, severities,
suppressions, baselines and every report format know it.  Its examples live beside it:
``acme001_cost_tags/fail/<case>`` and ``acme001_cost_tags/pass/<case>`` (files or directories
in any format emrlint reads), run by ``emrlint test-policies``.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Dict, Iterator, List, Optional, Tuple

from emrlint.findings import SEVERITIES, Problem
from emrlint.record import replace

POLICY_KEYS = ("id", "name", "severity", "summary", "kinds", "message", "docs", "when", "require", "params")
REQUIRED = ("id", "name", "severity", "summary", "kinds", "message", "require")
PARAM_KEYS = ("type", "default", "description")
PARAM_TYPES = ("string", "number", "integer", "bool", "list")
PLACEHOLDERS = ("detail", "field", "value", "resource")
EXTENSIONS = (".yaml", ".yml")


class PolicyError(Exception):
    """A policy that cannot mean anything: reported as a configuration error with its file and line."""

    def __init__(self, path: str, line: Optional[int], message: str):
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path = path
        self.line = line
        self.message = message


class Policy:
    """A compiled policy: its conditions per resource kind, and ``check()`` with the rule API."""

    def __init__(self, rule_id: str, message: str, when: Dict[str, Any], require: Dict[str, Any]):
        self.rule_id = rule_id
        self.message = message
        self.when = when  # kind -> Condition
        self.require = require  # kind -> Condition

    def check(self, resource, ctx) -> Iterator[Problem]:
        from emrlint.policies.conditions import Subject
        from emrlint.schema import KINDS

        require = self.require.get(resource.kind)
        if require is None:
            return
        subject = Subject(resource.body, KINDS[resource.kind], resource, "", resource.source_format, ctx.params)
        when = self.when.get(resource.kind)
        if when is not None and when.evaluate(subject).truth is not True:
            return  # the policy applies only where `when` certainly holds
        result = require.evaluate(subject)
        if result.truth is not False:
            return  # true, or unknown: unknown never fires
        seen = set()
        for e in result.evidence:
            if (e.loc, e.key) in seen:
                continue
            seen.add((e.loc, e.key))
            yield Problem(e.loc, self._message(e, resource.address), key=e.key)

    def _message(self, evidence, address: str) -> str:
        from emrlint.policies.conditions import _show

        values = {"detail": evidence.detail, "field": evidence.field, "resource": address,
                  "value": _show(evidence.value) if evidence.value is not None else "not set"}
        if "{detail}" in self.message:
            return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), self.message)
        text = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), self.message)
        return f"{text.rstrip()} ({evidence.detail})"


def _line(node: Any, key: Any = None) -> Optional[int]:
    from emrlint.policies.conditions import _line as line

    return line(node, key)


def _block_text(text: str, root: Any, key: str, line) -> str:
    """The YAML of one top-level key, as written (for the documentation)."""
    lines = text.splitlines()
    start = line(root, key) if key in root else None
    if start is None:
        return ""
    later = [line(root, k) for k in root if line(root, k) and line(root, k) > start]
    end = min(later) - 1 if later else len(lines)
    return "\n".join(lines[start - 1:end]).rstrip()


def load_policy(path: str) -> "Any":
    """The rule a policy file defines; :class:`PolicyError` names what is wrong and where.

    Parsing YAML with positions is most of the time a policy takes to load: a policy's
    parsed document is kept in the result cache (by the file's content) while
    :func:`cached_documents` is on, and a cached document that does not compile is parsed
    again, so that what is wrong is reported with its line."""
    from emrlint.jsonpos import DocumentError, load_document

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(path, None, f"cannot read: {exc}") from None
    store = _STORE.get()
    key = _document_key(text) if store is not None else ""
    entry = store.get("policy", key) if store is not None else None
    if entry is not None and isinstance(entry.get("data"), dict) and isinstance(entry.get("lines"), dict):
        data, lines = entry["data"], entry["lines"]
        try:
            return _build(path, text, data, lambda node, k=None: lines.get(k) if node is data else None)
        except PolicyError:
            pass  # judged otherwise now: parse it again, for the line of what is wrong
    try:
        root = load_document(text, "YAML")
    except DocumentError as exc:
        raise PolicyError(path, exc.line, exc.message) from None
    rule = _build(path, text, root, _line)
    if store is not None:
        from emrlint.jsonpos import plain

        store.put("policy", key, {"data": plain(root), "lines": {str(k): _line(root, k) for k in root}})
    return rule


_STORE: "ContextVar[Any]" = ContextVar("emrlint_policy_documents", default=None)
_DOCUMENT_FORMAT = 1


def _document_key(text: str) -> str:
    import hashlib

    from emrlint import __version__

    return hashlib.sha256(f"{_DOCUMENT_FORMAT}\0{__version__}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


@contextmanager
def cached_documents(enabled: bool):
    """While on (and unless ``EMRLINT_NO_CACHE`` is set), policies' parsed documents are
    kept in and read from the result cache."""
    store = None
    if enabled and not os.environ.get("EMRLINT_NO_CACHE"):
        from emrlint.cache import EntryStore

        store = EntryStore()
    token = _STORE.set(store)
    try:
        yield
    finally:
        _STORE.reset(token)


def _build(path: str, text: str, root: Any, line) -> "Any":
    """A policy's rule from its document; ``line(node, key)`` is where a key is written."""
    from emrlint.jsonpos import plain
    from emrlint.policies.conditions import Compiler, CompileError
    from emrlint.registry import NAME_RE, Rule, custom_id_problem
    from emrlint.rulekit import Param
    from emrlint.schema import KINDS

    if not isinstance(root, dict):
        raise PolicyError(path, 1, "a policy is a mapping with id, name, severity, summary, kinds, message "
                                   "and require")
    for key in root:
        if key not in POLICY_KEYS:
            raise PolicyError(path, line(root, key), f"unknown key {key!r} (known keys: {', '.join(POLICY_KEYS)})")
    for key in REQUIRED:
        if key not in root:
            raise PolicyError(path, 1, f"a policy needs {key}:")

    def text_of(key: str, one_line: bool = False) -> str:
        value = root[key]
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(path, line(root, key), f"{key}: expected text")
        if one_line and "\n" in value.strip():
            raise PolicyError(path, line(root, key), f"{key}: expected one line")
        return value.strip()

    rule_id = root["id"]
    problem = custom_id_problem(rule_id)
    if problem:
        raise PolicyError(path, line(root, "id"), problem)
    name = text_of("name", True)
    if not NAME_RE.match(name):
        raise PolicyError(path, line(root, "name"), f"name: {name!r} is not lower-case words joined by - "
                                                     "(cost-allocation-tags-missing)")
    severity = root["severity"]
    if severity not in SEVERITIES:
        raise PolicyError(path, line(root, "severity"), f"severity: expected one of {', '.join(SEVERITIES)}")
    summary = text_of("summary", True).rstrip(".")
    message = text_of("message")
    for placeholder in re.findall(r"\{(\w*)\}", message):
        if placeholder not in PLACEHOLDERS:
            raise PolicyError(path, line(root, "message"), f"message: unknown placeholder {{{placeholder}}} "
                                                            f"(placeholders: {', '.join(PLACEHOLDERS)})")
    docs = text_of("docs") if "docs" in root else ""
    kinds = root["kinds"]
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or not kinds or not all(isinstance(k, str) for k in kinds):
        raise PolicyError(path, line(root, "kinds"), "kinds: expected a list of resource kinds")
    for i, kind in enumerate(kinds):
        if kind not in KINDS:
            raise PolicyError(path, line(root["kinds"], i) or line(root, "kinds"),
                              f"kinds: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")

    params: Dict[str, Param] = {}
    raw_params = root.get("params") or {}
    if not isinstance(raw_params, dict):
        raise PolicyError(path, line(root, "params"), "params: expected a mapping of parameter names")
    for pname, spec in raw_params.items():
        pline = line(raw_params, pname)
        if not isinstance(pname, str) or not re.match(r"^[a-z][a-z0-9_]*$", pname):
            raise PolicyError(path, pline, f"params: {pname!r} is not a parameter name (snake_case)")
        if not isinstance(spec, dict) or "type" not in spec or "description" not in spec:
            raise PolicyError(path, pline, f"params.{pname}: expected type:, default: and description:")
        for key in spec:
            if key not in PARAM_KEYS:
                raise PolicyError(path, line(spec, key), f"params.{pname}: unknown key {key!r} "
                                                          f"(known keys: {', '.join(PARAM_KEYS)})")
        if spec["type"] not in PARAM_TYPES:
            raise PolicyError(path, line(spec, "type"), f"params.{pname}.type: expected one of "
                                                         f"{', '.join(PARAM_TYPES)}")
        param = Param(spec["type"], plain(spec.get("default")), str(spec["description"]).strip())
        if param.default is not None:
            wrong = param.validate(param.default)
            if wrong:
                raise PolicyError(path, line(spec, "default"), f"params.{pname}.default: {wrong}")
        params[pname] = param

    when: Dict[str, Any] = {}
    require: Dict[str, Any] = {}
    regex_params = set()
    for kind in kinds:
        compiler = Compiler(kind, KINDS[kind], params)
        try:
            require[kind] = compiler.condition(root["require"], KINDS[kind], line(root, "require"), "require")
            if "when" in root:
                when[kind] = compiler.condition(root["when"], KINDS[kind], line(root, "when"), "when")
        except CompileError as exc:
            where = f" (for kind {kind})" if len(kinds) > 1 and "unknown" in exc.message else ""
            raise PolicyError(path, exc.line, exc.message + where) from None
        regex_params |= _regex_params(require[kind]) | (_regex_params(when[kind]) if kind in when else set())
    from emrlint.policies.regex import problem as regex_problem

    for pname in regex_params:
        params[pname] = replace(params[pname], check=regex_problem, accepted="regular expressions (RE2 syntax)")
        if params[pname].default is not None:
            wrong = params[pname].validate(params[pname].default)
            if wrong:
                raise PolicyError(path, line(raw_params[pname], "default"), f"params.{pname}.default: {wrong}")

    policy = Policy(rule_id, message, when, require)
    doc = f"{summary}.\n\n{docs}" if docs else f"{summary}.\n"
    written = "\n".join(t for t in (_block_text(text, root, "when", line), _block_text(text, root, "require", line)) if t)
    doc = (doc.rstrip() + f"\n\n## Condition\n\n```yaml\n{written}\n```\n\n"
           f"A policy of this repository, defined in `{_shown_path(path)}`.\n")
    return Rule(rule_id, name, severity, tuple(kinds), summary, doc, params, policy.check, None,
                origin=f"{path}:{line(root, 'id') or 1}", examples=tuple(examples_of(path)))


def _regex_params(condition: Any) -> set:
    """Parameters used as regular expressions in a condition."""
    from emrlint.policies.conditions import Leaf, ParamRef

    found = set()
    stack = [condition]
    while stack:
        c = stack.pop()
        if isinstance(c, Leaf):
            if c.operator == "matches" and isinstance(c.argument, ParamRef):
                found.add(c.argument.name)
            continue
        stack += [getattr(c, name) for name in ("inner", "require", "where") if getattr(c, name, None) is not None]
        stack += list(getattr(c, "parts", ()))
    return found


def _shown_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def examples_of(path: str) -> List[Tuple[str, str]]:
    """("fail" | "pass", case path) of the examples beside a policy file:
    ``<file without .yaml>/fail/<case>`` and ``.../pass/<case>``."""
    base = os.path.splitext(path)[0]
    out = []
    for kind in ("fail", "pass"):
        directory = os.path.join(base, kind)
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        out += [(kind, os.path.join(directory, n)) for n in names if not n.startswith(".")]
    return out


def policy_files(patterns: List[str], base_dir: str) -> List[str]:
    """The policy files that ``policies:`` names: files, directories (their *.yaml and *.yml,
    not recursively: a policy's examples live in its own subdirectory) and glob patterns,
    relative to ``base_dir``.  A pattern that names nothing is an error."""
    import glob

    out: List[str] = []
    for pattern in patterns:
        full = os.path.join(base_dir, os.path.expanduser(pattern))
        if os.path.isdir(full):
            found = sorted(os.path.join(full, n) for n in os.listdir(full)  # not .emrlint.yaml
                           if n.endswith(EXTENSIONS) and not n.startswith(".") and os.path.isfile(os.path.join(full, n)))
        elif glob.has_magic(full):
            found = sorted(p for p in glob.glob(full, recursive=True) if os.path.isfile(p) and p.endswith(EXTENSIONS))
        else:
            found = [full] if os.path.isfile(full) else []
        if not found:
            raise FileNotFoundError(pattern)
        out += [os.path.normpath(p) for p in found if os.path.normpath(p) not in out]
    return out
