"""Terraform plan JSON (``terraform show -json plan.out``).

Resources come from ``planned_values`` (root and child modules) with their fully
resolved values; values Terraform only knows after apply (``after_unknown`` in
``resource_changes``) are unknown when the plan's ``configuration`` writes them (in the
resource's block, in the root module or in the module call it belongs to), and missing
when it does not: the provider marks every unset computed attribute or block (an
application's ``maximum_capacity``, a group cluster's ``core_instance_fleet``) known
after apply, though nothing will set it (ground rule 7).  Likewise a null the
configuration does not write is not set, not "written but null".  A plan without a
``configuration`` section, or a resource it does not list, keeps its unknowns.
Terraform leaves ``dynamic`` blocks out of ``configuration``: one whose ``for_each`` is
known is in ``planned_values``; one whose ``for_each`` is known only after apply reads
as missing, as the configuration section gives no trace of it.  An unknown ``cluster_id`` is linked to its
cluster through the references recorded in ``configuration``.  Findings point at
the resource's line in the plan; the engine moves them to the Terraform source
when the same address is in the scan.  Every resource type the Terraform loader
understands is read (the same builders make the model).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

from emrlint.documents.doc import DocSection, Document
from emrlint.findings import Loc
from emrlint.jsonpos import DocumentError, loads_json
from emrlint.model import Resource, attach_units
from emrlint.terraform.build import RESOURCE_TYPES
from emrlint.values import UNKNOWN, Unknown
from emrlint.lazyre import lazy_re

_INDEX = lazy_re(r"\[[^\]]*\]")
_MODULE_PREFIX = lazy_re(r'^((?:module\.[^.\[]+(?:\[[^\]]*\])?\.)*)')


def is_plan(root: Any) -> bool:
    return isinstance(root, dict) and "planned_values" in root and ("format_version" in root or "terraform_version" in root)


def parse_plan(text: str) -> Any:
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"JSON syntax error: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise DocumentError("JSON syntax error: nested too deeply") from None


def _modules(module: Any) -> Iterator[Any]:
    stack = [module]
    while stack:
        m = stack.pop()
        if not isinstance(m, dict):
            continue
        yield m
        stack.extend(m.get("child_modules") or [])


def _with_unknowns(values: Any, unknown: Any, written: Any = None) -> Any:
    """Values with Unknown wherever ``after_unknown`` says Terraform does not know them yet.

    ``written`` is what the configuration writes at this level (its ``expressions``: an
    attribute maps to ``{"constant_value"|"references": ...}``, a nested block to a list of
    such mappings), or None when the configuration does not say.  An unknown key the
    configuration does not write is missing: it is left out."""
    if unknown is True:
        return UNKNOWN
    if isinstance(unknown, dict) and isinstance(values, dict):
        out = dict(values)
        for key, flag in unknown.items():
            if not _marked(flag):
                continue
            if isinstance(written, dict) and key not in written:
                out.pop(key, None)
                continue
            inner = _block_body(written.get(key)) if isinstance(written, dict) else None
            out[key] = _with_unknowns(values.get(key), flag, inner)
        return out
    if isinstance(unknown, list) and isinstance(values, list):
        return [_with_unknowns(v, unknown[i] if i < len(unknown) else False, written) for i, v in enumerate(values)]
    if isinstance(unknown, list) and values is None and any(unknown):
        return UNKNOWN
    return values


def _unset(values: Any, written: Any) -> Any:
    """Values less the nulls the configuration does not write: the plan lists every attribute
    of the schema, and one it does not set is null there; it is missing, not written as null
    (a null the configuration writes, ``log_uri = var.log_uri`` with a null default, stays)."""
    if not isinstance(values, dict) or not isinstance(written, dict):
        return values
    out, changed = {}, False
    for key, value in values.items():
        if value is None and key not in written:
            changed = True
            continue
        inner = _block_body(written.get(key))
        if inner is not None and isinstance(value, list):
            kept = [_unset(v, inner) for v in value]
            if any(a is not b for a, b in zip(kept, value)):
                value, changed = kept, True
        out[key] = value
    return out if changed else values  # the same object keeps its positions in the plan text


def _marked(flag: Any) -> bool:
    """Whether an ``after_unknown`` entry marks anything unknown (``true``, or ``true`` inside it)."""
    if flag is True:
        return True
    if isinstance(flag, dict):
        return any(_marked(v) for v in flag.values())
    if isinstance(flag, list):
        return any(_marked(v) for v in flag)
    return False


def _block_body(expr: Any) -> Any:
    """What a nested block's written occurrences write, together (a block type that is a set
    need not list its blocks in the order of ``planned_values``, so any occurrence counts);
    None for an attribute (what is inside it is not the configuration's to say)."""
    if not isinstance(expr, list):
        return None
    out: Dict[str, Any] = {}
    for body in expr:
        if not isinstance(body, dict):
            return None
        for key, value in body.items():
            if isinstance(value, list) and isinstance(out.get(key), list):
                out[key] = out[key] + value
            else:
                out.setdefault(key, value)
    return out


def _references(config: Any, prefix: str = "") -> Dict[str, Dict[str, Any]]:
    """Configuration address (without instance keys) -> its expressions."""
    out: Dict[str, Dict[str, Any]] = {}
    if not isinstance(config, dict):
        return out
    for res in config.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("address"), str):
            out[prefix + res["address"]] = res.get("expressions") or {}
    for name, call in (config.get("module_calls") or {}).items():
        if isinstance(call, dict):
            out.update(_references(call.get("module"), f"{prefix}module.{name}."))
    return out


_ADDRESS = lazy_re(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _address_lines(text: str) -> Dict[str, int]:
    """Each address's first line in the plan text (lines counted incrementally, from one
    match to the next: linear in the size of the plan)."""
    lines: Dict[str, int] = {}
    line, counted = 1, 0
    for m in _ADDRESS.finditer(text):
        line += text.count("\n", counted, m.start())
        counted = m.start()
        address = m.group(1)
        if "\\" in address:
            try:
                address = json.loads(f'"{address}"')
            except ValueError:
                continue
        lines.setdefault(address, line)
    return lines


def load_plan(path: str, text: str, plan: Dict[str, Any]) -> List[Resource]:
    lines = _address_lines(text)
    after_unknown = {}
    for change in plan.get("resource_changes") or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            after_unknown[change.get("address")] = change["change"].get("after_unknown") or {}
    configuration = plan.get("configuration")
    expressions = _references(configuration.get("root_module") if isinstance(configuration, dict) else None)
    doc = Document(path, plan)
    out: List[Resource] = []
    root = (plan.get("planned_values") or {}).get("root_module")
    for module in _modules(root):
        for res in module.get("resources") or []:
            if not isinstance(res, dict) or res.get("mode") != "managed" or res.get("type") not in RESOURCE_TYPES:
                continue
            address = res.get("address")
            if not isinstance(address, str):
                continue
            written = expressions.get(_INDEX.sub("", address))
            values = _unset(_with_unknowns(res.get("values") or {}, after_unknown.get(address, {}), written), written)
            if "cluster_id" in values or "security_group_id" in values:
                values = _link(values, address, expressions)
            loc = Loc(path, lines.get(address, 1), 1)
            section = DocSection(doc, values if isinstance(values, dict) else {}, loc)
            kind, builder = RESOURCE_TYPES[res["type"]]
            resource = Resource(kind, res["type"], address, section, path, (), False, "terraform-plan", root=path)
            built = builder(resource, None) if builder is not None else resource
            out.extend(built if isinstance(built, list) else [built])
    attach_units(out)
    return out


def _link(values: Dict[str, Any], address: str, expressions: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """An unknown ``cluster_id`` / ``security_group_id`` gets the address its configuration references."""
    instance_prefix = _MODULE_PREFIX.match(address).group(1)  # module.a[0].module.b["x"].
    config = expressions.get(_INDEX.sub("", address)) or {}
    out = dict(values)
    for name in ("cluster_id", "security_group_id"):
        if not isinstance(values.get(name), Unknown):
            continue
        refs = (config.get(name) or {}).get("references") or []
        targets = [r for r in refs if isinstance(r, str) and r.count(".") == 1 and not r.startswith(("var.", "local."))]
        if targets:
            out[name] = Unknown({instance_prefix + t for t in targets})
    return out
