"""Every rule survives every resource shape the model can produce.

The kinds are taken from the loaders themselves (the Terraform and CloudFormation type
tables, the Step Functions task table, the document recognisers), so a kind added to a
loader is covered here without touching this file.  Each is built in three shapes:
minimal (nothing written), every attribute unknown and every attribute null, first
through the model's builders with a section that answers every question, then end to end
through the real loaders with configuration text that writes every name the rules asked
for.  A rule that raises on any of them fails the test."""

from __future__ import annotations

import json
import os
import textwrap
from typing import Any, Dict, List, Set, Tuple

import pytest

from emrlint.documents import cfn, sfn
from emrlint.documents.doc import DocSection, Document
from emrlint.findings import Loc
from emrlint.model import KIND_CLASSES, Field, Model, Resource, Section, attach_units
from emrlint.registry import all_rules
from emrlint.rulekit import RuleContext
from emrlint.sources import Boundary, Sources
from emrlint.terraform import build
from emrlint.values import UNKNOWN

from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

from conftest import write_tree

MAX_DEPTH = 4
META = {"count", "for_each", "provider", "depends_on", "lifecycle", "dynamic", "content", "iterator", "provisioner",
        "connection"}


class Probe(Section):
    """A section that has every attribute (all with one value) and every nested block (up to a
    depth), recording what was asked for by path."""

    def __init__(self, value: Any, loc: Loc, asked: Set[Tuple[Tuple[str, ...], str, str]], path=(), maybe=False,
                 unknown=False):
        self.value_ = value
        self.loc = loc
        self.asked = asked
        self.path = path
        self.maybe = maybe
        self.unknown = unknown

    def field(self, name: str) -> Field:
        self.asked.add((self.path, name, "field"))
        return Field(self.value_, True, self.loc)

    def sections(self, name: str) -> List[Section]:
        self.asked.add((self.path, name, "block"))
        if len(self.path) >= MAX_DEPTH:
            return []
        return [Probe(self.value_, self.loc, self.asked, self.path + (name,), self.maybe, self.unknown)]


def _terraform_builders():
    return sorted(build.RESOURCE_TYPES.items())


def _cfn_builders():
    return sorted(cfn.RESOURCE_TYPES.items())


def _run_rules(resources: List[Resource]) -> None:
    model = Model()
    for res in resources:
        expected = KIND_CLASSES.get(res.kind, Resource)
        assert isinstance(res, expected), f"{res.type} gave a {type(res).__name__} of kind {res.kind}"
        model.add(res)
    for rule in all_rules().values():
        params = {name: p.default for name, p in rule.params.items()}
        ctx = RuleContext(params, model, Sources(Boundary([])))
        for res in model.resources:
            if res.kind in rule.kinds:
                try:
                    list(rule.check(res, ctx))
                except Exception as exc:  # pragma: no cover - the failure is the point
                    raise AssertionError(f"{rule.id} raised on {res.type} ({res.kind}): {type(exc).__name__}: {exc}")


SHAPES = {
    "minimal": None,
    "all-unknown": dict(value=UNKNOWN, maybe=False, unknown=False),
    "all-unknown-blocks": dict(value=UNKNOWN, maybe=True, unknown=True),
    "all-null": dict(value=None, maybe=False, unknown=False),
}


def _section(shape: str, loc: Loc, asked) -> Section:
    spec = SHAPES[shape]
    if spec is None:
        return DocSection(Document(loc.path, {}), {}, loc)
    return Probe(spec["value"], loc, asked, maybe=spec["maybe"], unknown=spec["unknown"])


def _build_all(shape: str, asked) -> List[Resource]:
    loc = Loc("/shapes/main.tf", 1, 1)
    out: List[Resource] = []
    for type_, (kind, builder) in _terraform_builders():
        res = Resource(kind, type_, f"{type_}.x", _section(shape, loc, asked), loc.path, root="/shapes")
        built = builder(res, None) if builder is not None else res
        out.extend(built if isinstance(built, list) else [built])
    doc = Document("/shapes/stack.yaml", {})
    for type_, (kind, schema) in _cfn_builders():
        section = _section(shape, loc, asked)
        res = Resource(kind, type_, "X" + kind, section, doc.path, source_format="cloudformation", root=doc.path)
        out.append(cfn._build(kind, res, section, doc))
    attach_units(out)
    return out


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_rule_survives_every_kind_built_by_the_model(shape):
    asked: Set = set()
    _run_rules(_build_all(shape, asked))


def _asked_names() -> Dict[str, Set]:
    """What the builders and rules ask of each Terraform resource type, by path."""
    found: Dict[str, Set] = {}
    for shape in ("all-unknown", "all-null"):
        for type_, (kind, builder) in _terraform_builders():
            asked: Set = set()
            loc = Loc("/shapes/main.tf", 1, 1)
            spec = SHAPES[shape]
            res = Resource(kind, type_, f"{type_}.x", Probe(spec["value"], loc, asked), loc.path, root="/shapes")
            built = builder(res, None) if builder is not None else res
            try:
                _run_rules(built if isinstance(built, list) else [built])
            except AssertionError:
                pass  # reported by the test above
            found.setdefault(type_, set()).update(asked)
    return found


def _hcl_body(asked: Set, path: Tuple[str, ...], value: str, dynamic: bool, indent: int) -> str:
    pad = "  " * indent
    blocks = sorted({n for p, n, k in asked if p == path and k == "block" and n not in META})
    fields = sorted({n for p, n, k in asked if p == path and k == "field" and n not in META} - set(blocks))
    lines = [f"{pad}{name} = {value}" for name in fields]
    for name in blocks:
        if len(path) >= MAX_DEPTH:
            continue
        inner = _hcl_body(asked, path + (name,), value, dynamic, indent + (2 if dynamic else 1))
        if dynamic:
            lines.append(f'{pad}dynamic "{name}" {{\n{pad}  for_each = var.u\n{pad}  content {{\n{inner}\n{pad}  }}\n{pad}}}')
        else:
            lines.append(f"{pad}{name} {{\n{inner}\n{pad}}}")
    return "\n".join(lines)


def _terraform_shapes() -> Dict[str, str]:
    asked = _asked_names()
    files = {}
    for shape, value, dynamic in (("minimal", None, False), ("unknown", "var.u", False),
                                  ("unknown-dynamic", "var.u", True), ("null", "null", False)):
        text = ['variable "u" {}']
        for type_, _ in _terraform_builders():
            body = "" if value is None else _hcl_body(asked.get(type_, set()), (), value, dynamic, 1)
            text.append(f'resource "{type_}" "x" {{\n{body}\n}}')
        files[f"{shape}/main.tf"] = "\n\n".join(text) + "\n"
    return files


def _plan(values: Dict[str, Dict[str, Any]], unknown: Dict[str, Any]) -> str:
    resources = [{"address": f"{t}.x", "mode": "managed", "type": t, "name": "x", "values": values.get(t, {})}
                 for t, _ in _terraform_builders()]
    changes = [{"address": f"{t}.x", "change": {"actions": ["create"], "after_unknown": unknown.get(t, {})}}
               for t, _ in _terraform_builders()]
    return json.dumps({"format_version": "1.2", "terraform_version": "1.9.0",
                       "planned_values": {"root_module": {"resources": resources}},
                       "resource_changes": changes,
                       "configuration": {"root_module": {"resources": [
                           {"address": f"{t}.x", "expressions": {}} for t, _ in _terraform_builders()]}}}, indent=1)


def _plan_shapes() -> Dict[str, str]:
    asked = _asked_names()

    def tree(names: Set, path: Tuple[str, ...], leaf: Any) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for p, n, k in names:
            if p != path or n in META:
                continue
            if k == "block" and len(path) < MAX_DEPTH:
                out[n] = [tree(names, path + (n,), leaf)]
            elif n not in out:
                out[n] = leaf
        return out

    nulls = {t: tree(asked.get(t, set()), (), None) for t, _ in _terraform_builders()}
    unknown = {t: {k: True for k in tree(asked.get(t, set()), (), None)} for t, _ in _terraform_builders()}
    return {"plan-minimal/plan.json": _plan({}, {}), "plan-null/plan.json": _plan(nulls, {}),
            "plan-unknown/plan.json": _plan({}, unknown)}


def _cfn_shapes() -> Dict[str, str]:
    def template(props: str) -> str:
        lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Parameters:", "  NoDefault:", "    Type: String",
                 "Resources:"]
        for i, (type_, _) in enumerate(_cfn_builders()):
            lines += [f"  R{i}:", f"    Type: {type_}"] + ([f"    Properties: {props}"] if props else [])
        return "\n".join(lines) + "\n"

    return {"cfn-minimal/stack.yaml": template(""), "cfn-empty/stack.yaml": template("{}"),
            "cfn-unknown/stack.yaml": template("!Ref NoDefault"),
            "cfn-novalue/stack.yaml": template("!Ref AWS::NoValue")}


def _documents() -> Dict[str, str]:
    """The document recognisers' minimal forms, and a state machine with one task of every
    EMR kind with no parameters, unknown parameters and null parameters."""
    states: Dict[str, Any] = {}
    for i, (service, action) in enumerate(sorted(sfn.KINDS)):
        arn = f"arn:aws:states:::{service}:{action}.sync"
        states[f"T{i}a"] = {"Type": "Task", "Resource": arn, "Next": f"T{i}b"}
        states[f"T{i}b"] = {"Type": "Task", "Resource": arn, "Parameters.$": "$.p", "Next": f"T{i}c"}
        states[f"T{i}c"] = {"Type": "Task", "Resource": arn, "Parameters": None, "End": True}
    docs = {
        "doc-run-job-flow/request.json": {"ReleaseLabel": None, "Instances": None},
        "doc-run-job-flow-empty/request.json": {"Instances": {}},
        "doc-job-run/job.json": {"jobDriver": None},
        "doc-eks-job-run/job.json": {"jobDriver": {}, "virtualClusterId": None},
        "doc-application/app.json": {"releaseLabel": None, "type": None},
        "doc-block-public-access/bpa.json": {"BlockPublicAccessConfiguration": None},
        "doc-configurations/configurations.json": [{"Classification": None}],
        "doc-state-machine/machine.asl.json": {"StartAt": "T0a", "States": states},
    }
    return {path: json.dumps(doc, indent=1) for path, doc in docs.items()}


def test_every_rule_survives_every_kind_from_the_real_loaders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = {**_terraform_shapes(), **_plan_shapes(), **_cfn_shapes(), **_documents()}
    write_tree(str(tmp_path), {k: textwrap.dedent(v) if k.endswith(".tf") else v for k, v in files.items()})
    for directory in sorted({os.path.dirname(p) for p in files}):
        result = scan(ScanOptions(paths=[directory], rules=selected_rules(["ALL"], [])))
        assert not result.errors, f"{directory}: {[e.message for e in result.errors]}"  # a rule failed on a resource
        findings = result.findings
        assert not [f for f in findings if f.rule == "EMR001"], f"{directory}: the generated input must parse"


def test_the_shapes_cover_every_kind_a_rule_checks():
    produced = {kind for _, (kind, _) in _terraform_builders()} | {kind for _, (kind, _) in _cfn_builders()}
    produced |= {r.kind for r in _build_all("all-null", set())}
    checked = {kind for rule in all_rules().values() for kind in rule.kinds}
    assert checked <= produced, f"kinds no loader table produces: {sorted(checked - produced)}"
