"""Terraform resources -> emrlint's model."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from lark import Tree

from emrlint.model import BootstrapAction, Cluster, Field, InstanceFleet, InstanceGroup, Model, Resource, Script
from emrlint.terraform.functions import call_function
from emrlint.terraform.evaluate import _exprs, materialize, evaluate
from emrlint.terraform.module import ModuleInstance, TerraformSection
from emrlint.terraform.project import TerraformProject
from emrlint.values import EvalError, Unknown, refs_of

class _Context:
    def __init__(self, project: TerraformProject, model: Model, instance: ModuleInstance, block):
        self.project = project
        self.model = model
        self.instance = instance
        self.block = block


def _cluster(res: Resource, ctx: _Context) -> Resource:
    cluster = Cluster(**vars(res))
    body = res.body
    for role in ("master", "core"):
        for s in body.sections(f"{role}_instance_group"):
            cluster.instance_groups.append(InstanceGroup(role, s, maybe=s.maybe))
        for s in body.sections(f"{role}_instance_fleet"):
            cluster.instance_fleets.append(InstanceFleet(role, s, maybe=s.maybe))
    for s in body.sections("bootstrap_action"):
        cluster.bootstrap_actions.append(BootstrapAction(s, maybe=s.maybe))
    cluster.configurations = decoded_json(body.field("configurations_json"))
    return cluster


def decoded_json(f: Field) -> Optional[Field]:
    """A JSON-text field (``configurations_json``, ``configuration``...) with its value decoded."""
    if not f.present:
        return None
    value = f.value
    if isinstance(value, (str, Unknown)):
        try:
            value = call_function("jsondecode", None, [value])
        except EvalError:
            value = Unknown(refs_of(value))
    return Field(value, True, f.attr_loc, lambda: (f.origin, f.origin_call_sites))


def _s3_object(res: Resource, ctx: _Context) -> Resource:
    """Register a script uploaded from the scanned tree (``source`` or ``content = file/templatefile(...)``)."""
    body = res.body
    key = body.field("key").value
    bucket = body.field("bucket").value
    local, is_template = None, False
    source = body.field("source").value
    if isinstance(source, str):
        local = ctx.instance.resolve_path(source)
    else:
        content = ctx.block.body.attributes.get("content")
        call = _function_call(content.expr) if content is not None else None
        if call is not None and call[0] in ("file", "templatefile") and call[1]:
            try:
                path = materialize(evaluate(call[1][0], body.scope))
            except EvalError:
                path = None
            if isinstance(path, str):
                local, is_template = ctx.instance.resolve_path(path), call[0] == "templatefile"
    if local is not None and os.path.isfile(local):
        text = ctx.project.read_text(local)
        if isinstance(text, str):
            ctx.model.add_uploaded_script(res.root, bucket, key, Script(local, text, res.address, is_template))
    return res


def _function_call(expr: Any):
    node = expr
    while isinstance(node, Tree) and node.data == "expr_term" and len(node.children) == 1:
        node = node.children[0]
    if not isinstance(node, Tree) or node.data != "function_call":
        return None
    name = str(node.children[0].children[0])
    args = next((c for c in node.children if isinstance(c, Tree) and c.data == "arguments"), None)
    return name, (_exprs(args) if args is not None else [])


# resource type -> (model kind, builder)
RESOURCE_TYPES: Dict[str, tuple] = {
    "aws_emr_cluster": ("cluster", _cluster),
    "aws_emr_instance_group": ("instance_group", None),
    "aws_emr_instance_fleet": ("instance_fleet", None),
    "aws_emrserverless_application": ("serverless_application", None),
    "aws_s3_object": ("s3_object", _s3_object),
    "aws_s3_bucket_object": ("s3_object", _s3_object),
}


def build_model(project: TerraformProject, model: Model, progress=None) -> None:
    roots = project.relevant_roots()
    for n, root in enumerate(project.roots(roots)):
        if progress is not None:
            progress("evaluating Terraform modules", n, len(roots))
        resources: List[Resource] = []
        _collect(project, model, root, resources)
        _attach(resources)
        for res in resources:
            model.add(res)


MAX_MODULE_DEPTH = 32


def _collect(project: TerraformProject, model: Model, inst: ModuleInstance, out: List[Resource], depth: int = 0) -> None:
    if depth > MAX_MODULE_DEPTH:
        return
    for (type_, name), block in inst.mdir.resources.items():
        spec = RESOURCE_TYPES.get(type_)
        if spec is None:
            continue
        kind, builder = spec
        for address, scope, maybe in inst.instances(block, f"{inst.prefix}{type_}.{name}"):
            section = TerraformSection(block.body, scope, block.loc, maybe)
            res = Resource(kind, type_, address, section, block.loc.path, inst.call_sites, maybe or inst.maybe,
                           root=inst.root.dir)
            if builder is not None:
                res = builder(res, _Context(project, model, inst, block))
            out.append(res)
    for name, block in inst.mdir.modules.items():
        key_path = f"{inst.key_path}.{name}" if inst.key_path else name
        target = project.call_target(inst, block, key_path)
        if target is None or not project.is_relevant_dir(target):
            continue  # not parsed unless an expression needs one of its outputs
        for child in inst.child_instances(name):
            _collect(project, model, child, out, depth + 1)


def _attach(resources: List[Resource]) -> None:
    """Attach aws_emr_instance_group/fleet resources to their clusters through ``cluster_id``."""
    clusters = [r for r in resources if isinstance(r, Cluster)]
    for res in resources:
        if res.kind not in ("instance_group", "instance_fleet"):
            continue
        cid = res.body.field("cluster_id").value
        if isinstance(cid, str):
            continue  # an existing cluster outside the scan
        refs = refs_of(cid)
        exact = [c for c in clusters if any(c.address == r or c.address.startswith(r + "[") for r in refs)]
        # a reference to a whole module (whose instances are unknown) may mean any cluster inside it
        inside = [c for c in clusters if c not in exact and any(c.address.startswith(r + ".") for r in refs)]
        for c, maybe in [(c, res.maybe) for c in exact] + [(c, True) for c in inside]:
            if res.kind == "instance_group":
                unit = InstanceGroup("task", res.body, maybe=maybe, address=res.address, default_count=0)
                c.instance_groups.append(unit)
            else:
                c.instance_fleets.append(InstanceFleet("task", res.body, maybe=maybe, address=res.address))
        if not exact and not inside and isinstance(cid, Unknown) and not refs:
            # cluster_id unknown and from nowhere in particular: it may belong to any cluster here
            unit = InstanceGroup("task", res.body) if res.kind == "instance_group" else InstanceFleet("task", res.body)
            if unit.on_spot() is not False:
                for c in clusters:
                    c.capacity_incomplete = True
