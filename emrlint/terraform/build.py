"""Terraform resources -> emrlint's model."""

from __future__ import annotations

import os
import posixpath
from typing import Any, Dict, List, Optional, Tuple


from emrlint.findings import Loc
from emrlint.model import (
    DictSection,
    Field,
    Section,
    Model,
    Resource,
    Script,
    SecurityConfiguration,
    attach_units,
    build_cluster,
    build_job_run,
    decoded_json,
    security_group,
    security_group_rule,
)
from emrlint.terraform.syntax import Node
from emrlint.terraform.module import JsonExpr, ModuleInstance, TerraformSection, eval_safely, expr_origin, instance_doubt
from emrlint.terraform.project import TerraformProject
from emrlint.textmap import container_paths
from emrlint.values import UNKNOWN, EvalError, Unknown, leading_text

class _Context:
    def __init__(self, project: TerraformProject, model: Model, instance: ModuleInstance, block):
        self.project = project
        self.model = model
        self.instance = instance
        self.block = block


def _cluster(res: Resource, ctx: _Context) -> Resource:
    cluster = build_cluster(res)
    cluster.configurations = decoded_json(res.body.field("configurations_json"), _json_locator(res, ctx,
                                                                                              "configurations_json"))
    return cluster


def _json_locator(res: Resource, ctx: Optional[_Context], name: str):
    """Where an element of a JSON-text attribute was written: inside its ``jsonencode(...)``
    object (through variables and locals); None for a plan, or an attribute not written."""
    attr = ctx.block.body.attributes.get(name) if ctx is not None else None
    if attr is None:
        return None
    scope = res.body.scope
    return lambda path: expr_origin(attr, scope, ("json",) + tuple(path))


def _s3_object(res: Resource, ctx: Optional[_Context]) -> Resource:
    """Register a script uploaded from the scanned tree (``source`` or ``content = file/templatefile(...)``)."""
    if ctx is None:
        return res  # a plan: its local paths are the planning machine's
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
            path = eval_safely(call[1][0], body.scope)
            if isinstance(path, str):
                local, is_template = ctx.instance.resolve_path(path), call[0] == "templatefile"
    if local is not None and ctx.project.sources.isfile(local):
        text = ctx.project.read_text(local)
        if isinstance(text, str):
            ctx.model.add_uploaded_script(res.root, bucket, key, Script(local, text, res.address, is_template))
    return res


def _function_call(expr: Any):
    """(name, argument nodes) of a function call expression, else None."""
    if not isinstance(expr, Node) or expr.kind != "call":
        return None
    return expr.name, list(expr.args)


def _job_template(res: Resource, ctx: _Context) -> Resource:
    """``aws_emrcontainers_job_template``: an EMR on EKS job run described by job_template_data
    (a job run with nothing set when the block is not written)."""
    data = res.body.section("job_template_data")
    res.body = data if data is not None else DictSection(res.loc, maybe=res.body.maybe)
    return build_job_run(res, "eks")


def _state_machine(res: Resource, ctx: Optional[_Context]) -> List[Resource]:
    """``aws_sfn_state_machine``: EMR tasks of its definition (``jsonencode(...)`` or JSON text);
    in Terraform source, findings point into the ``jsonencode`` object."""
    from emrlint.documents.doc import Document
    from emrlint.documents.load import state_machine_resources

    f = res.body.field("definition")
    definition = decoded_json(f)
    if definition is None or not isinstance(definition.value, dict):
        return []
    paths = container_paths(definition.value)

    def locate(container: Any, key: Any, fallback):
        path = paths.get(id(container))
        if path is None or ctx is None:
            return fallback
        attr = ctx.block.body.attributes["definition"]
        return expr_origin(attr, res.body.scope, ("json",) + path + (key,))[0]

    doc = Document(res.file, definition.value, call_sites=res.call_sites, locator=locate)
    found = state_machine_resources(doc, definition.value, res.address, f.attr_loc)
    for r in found:
        r.root = res.root
        if r.kind == "state_machine":  # the resource itself, as Terraform (or its plan) declares it
            r.type, r.source_format, r.body, r.maybe = res.type, res.source_format, res.body, res.maybe
    return found


def _security_configuration(res: Resource, ctx: _Context) -> Resource:
    config = SecurityConfiguration(**vars(res))
    config.settings = decoded_json(res.body.field("configuration"))
    return config


# resource type -> (model kind, builder)
RESOURCE_TYPES: Dict[str, tuple] = {
    "aws_emr_cluster": ("cluster", _cluster),
    "aws_emr_instance_group": ("instance_group", None),
    "aws_emr_instance_fleet": ("instance_fleet", None),
    "aws_emrserverless_application": ("serverless_application", None),
    "aws_emrcontainers_job_template": ("job_run", _job_template),
    "aws_sfn_state_machine": ("state_machine", _state_machine),
    "aws_s3_object": ("s3_object", _s3_object),
    "aws_s3_bucket_object": ("s3_object", _s3_object),
    "aws_emr_managed_scaling_policy": ("managed_scaling_policy", None),
    "aws_emr_security_configuration": ("security_configuration", _security_configuration),
    "aws_emr_block_public_access_configuration": ("block_public_access", None),
    "aws_security_group": ("security_group", lambda res, ctx: security_group(res)),
    "aws_security_group_rule": ("security_group_rule", lambda res, ctx: security_group_rule(res)),
    "aws_vpc_security_group_ingress_rule": ("security_group_rule", lambda res, ctx: security_group_rule(res)),
    "aws_subnet": ("subnet", None),
}


def build_model(project: TerraformProject, model: Model, progress=None, roots=None, errors=None) -> None:
    """Evaluate root modules (by default every relevant one) and add their resources to the model.

    An unexpected exception while evaluating one root module (a bug in emrlint) is
    appended to ``errors`` as an internal error for that module, and the other root
    modules are still evaluated; without ``errors`` it propagates."""
    roots = project.relevant_roots() if roots is None else roots
    try:
        _build(project, model, progress, roots, errors)
    finally:
        model.cli_origins.update(project.cli_origins)


def _build(project: TerraformProject, model: Model, progress, roots, errors) -> None:
    from emrlint.engine import internal_error

    for n, root in enumerate(project.roots(roots)):
        if progress is not None:
            progress("evaluating Terraform modules", n, len(roots))
        resources: List[Resource] = []
        try:
            _collect(project, model, root, resources)
            attach_units(resources)
            regions = _provider_regions(root)
        except Exception as exc:  # RecursionError and MemoryError included
            if errors is None:
                raise
            errors.append(internal_error(exc, "evaluating this Terraform root module failed", root.dir))
            continue
        for res in resources:
            model.add(res)
        if regions:
            model.provider_regions[root.dir] = regions


def _provider_regions(root: ModuleInstance) -> Dict[str, tuple]:
    """The ``region`` of the root module's ``provider "aws"`` blocks, by alias ("" for the
    default provider), when it evaluates to a string: (region, "main.tf:3")."""
    from emrlint.report import relpath
    from emrlint.terraform.module import eval_safely

    out: Dict[str, tuple] = {}
    for block in root.mdir.providers:
        if block.labels[:1] != ["aws"]:
            continue
        attr = block.body.attributes.get("region")
        if attr is None:
            continue
        alias_attr = block.body.attributes.get("alias")
        alias = eval_safely(alias_attr.expr, root.scope) if alias_attr is not None else ""
        region = eval_safely(attr.expr, root.scope)
        if isinstance(alias, str) and isinstance(region, str) and region.strip():
            out.setdefault(alias, (region.strip().lower(), f"{relpath(attr.loc.path)}:{attr.loc.line}"))
    return out


MAX_MODULE_DEPTH = 32


def provider_default_tags(root: ModuleInstance) -> Any:
    """The ``default_tags`` of the root module's ``aws`` provider, which every resource it
    creates carries: a dict; None when there are none; an Unknown when they cannot be
    evaluated or several aws providers (aliases) may apply."""
    blocks = [b for b in root.mdir.providers if b.labels[:1] == ["aws"]]
    sections = [TerraformSection(b.body, root.scope, b.loc).section("default_tags") for b in blocks]
    sections = [s for s in sections if s is not None]
    if not sections:
        return None
    if len(blocks) > 1 or sections[0].maybe:
        return UNKNOWN
    tags = sections[0].field("tags").value
    return tags if isinstance(tags, (dict, Unknown)) else (None if tags is None else UNKNOWN)


class TaggedSection(Section):
    """A resource's block with its provider's default tags merged into ``tags`` (as ``tags_all``)."""

    def __init__(self, inner: Section, default_tags: Any):
        self.inner = inner
        self.default_tags = default_tags
        self.loc = inner.loc
        self.maybe = inner.maybe

    def field(self, name: str) -> Field:
        f = self.inner.field(name)
        if name != "tags":
            return f
        own = f.value
        if isinstance(own, Unknown) or (own is not None and not isinstance(own, dict)):
            return f
        if isinstance(self.default_tags, Unknown):
            return Field(UNKNOWN, True, f.attr_loc, lambda: (f.origin, f.origin_call_sites))
        merged = {**self.default_tags, **(own or {})}
        return Field(merged, True, f.attr_loc, lambda: (f.origin, f.origin_call_sites))

    def sections(self, name: str) -> List[Section]:
        return self.inner.sections(name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


RESOURCE_COST = MODULE_COST = 2000  # budget units of a resource or module instance (about its memory)


def _collect(project: TerraformProject, model: Model, inst: ModuleInstance, out: List[Resource], depth: int = 0,
             default_tags: Any = None) -> None:
    if depth > MAX_MODULE_DEPTH:
        return
    if depth == 0:
        default_tags = provider_default_tags(inst)
    budget = inst.root.budget
    budget.left -= MODULE_COST
    if budget.left < 0:  # module fan-out (count = 100 on modules calling modules with count = 100...)
        budget.exhausted = True
        project.budget_exhausted(inst.root, inst.call.loc if inst.call is not None else None)
        return
    uploads: List[Tuple[Resource, Any]] = []  # S3 objects, for the documents they upload
    for (type_, name), block in list(inst.mdir.resources.items()) + inst.mdir.duplicate_resources:
        spec = RESOURCE_TYPES.get(type_)
        if spec is None:
            continue
        kind, builder = spec
        for address, scope, maybe in inst.instances(block, f"{inst.prefix}{type_}.{name}"):
            budget.left -= RESOURCE_COST
            if budget.left < 0:
                budget.exhausted = True
                project.budget_exhausted(inst.root, block.loc)
                return
            # whether the resource exists is one question; what it contains if it does is another:
            # its blocks are not "maybe" because its count is unknown
            section = TerraformSection(block.body, scope, block.loc)
            if default_tags is not None:
                section = TaggedSection(section, default_tags)
            res = Resource(kind, type_, address, section, block.loc.path, inst.call_sites, maybe or inst.maybe,
                           root=inst.root.dir, maybe_reason=instance_doubt(block) if maybe else inst.maybe_reason)
            built = builder(res, _Context(project, model, inst, block)) if builder is not None else res
            out.extend(built if isinstance(built, list) else [built])
            if kind == "s3_object":
                uploads.append((res, block))
    out.extend(rendered_documents(inst, uploads))
    for name, block in list(inst.mdir.modules.items()) + inst.mdir.duplicate_modules:
        key_path = f"{inst.key_path}.{name}" if inst.key_path else name
        target = project.call_target(inst, block, key_path)
        if target is None:
            continue
        if not project.is_relevant_dir(target) and not (
                project.has_supporting_resources(target) and project.mentions(inst.dir, f"module.{name}")):
            continue  # not parsed: no EMR resources, and nothing here uses what it creates
        for child in inst.child_instances(name) if block is inst.mdir.modules[name] else inst.call_instances(name, block):
            _collect(project, model, child, out, depth + 1, default_tags)


# ---------------------------------------------------------------------------
# EMR documents rendered from templates (a RunJobFlow request in cluster.yaml.tpl)
# ---------------------------------------------------------------------------

_DOCUMENT_TEMPLATE = (".yaml", ".yml", ".json")
_TEMPLATE_SUFFIXES = (".tpl", ".tmpl", ".tftpl", ".j2")


def _is_document_template(path: str) -> bool:
    name = os.path.basename(path).lower()
    for suffix in _TEMPLATE_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return name.endswith(_DOCUMENT_TEMPLATE)


def _template_render(expr: Any, scope: Any, inst: ModuleInstance, file: str, depth: int = 0):
    """(template path, mapped text, the call) when ``expr`` is ``templatefile(...)`` of a JSON or
    YAML template, directly or through a local."""
    from emrlint.terraform.evaluate import mapped_file

    node = expr
    if not isinstance(node, Node) or depth > 8:
        return None
    call = _function_call(node)
    if call is not None and call[0] == "templatefile":
        try:
            found = mapped_file("templatefile", call[1], file, scope) if call[1] else None
        except (EvalError, RecursionError):  # a path Terraform would refuse (an undeclared local...): no document
            return None
        if found is None or not _is_document_template(found[0]):
            return None
        return found[0], found[1], node
    if node.kind == "traversal":
        root, chain = node.root, node.accessors
        if root.kind == "variable" and root.name == "local" and len(chain) == 1 and chain[0][0] == "attr":
            attr = inst.mdir.locals.get(chain[0][1])
            if attr is not None and not isinstance(attr.expr, JsonExpr):
                return _template_render(attr.expr, inst.scope, inst, attr.loc.path, depth + 1)
    return None


def rendered_documents(inst: ModuleInstance, uploads: List[Tuple[Resource, Any]]) -> List[Resource]:
    """EMR requests written as templates and rendered with ``templatefile()``, checked like any
    other document, with findings inside the template (and through its variables to where
    their values were written).

    The parts a cluster launcher merges (``cluster.yaml``, ``instances.yaml``, ``steps.yaml``,
    ``configurations.yaml`` uploaded next to each other: same bucket, same key prefix) are
    read as one request; a local that renders a whole request on its own is read alone."""
    groups: Dict[Any, List[Tuple[str, Any, str, Any]]] = {}
    seen = set()
    for res, block in uploads:
        content = block.body.attributes.get("content")
        if content is None or isinstance(content.expr, JsonExpr):
            continue
        found = _template_render(content.expr, res.body.scope, inst, content.loc.path)
        if found is None:
            continue
        path, mapped, call = found
        seen.add(id(call))
        key, bucket = res.field("key").value, res.field("bucket").value
        # the key's directory: a partly known key is compared by its known start
        written = key if isinstance(key, str) else leading_text(key) + "\0" if isinstance(key, Unknown) else None
        directory = posixpath.dirname(written) if written is not None else res.address
        group = (bucket if isinstance(bucket, (str, Unknown)) else res.address, directory)
        groups.setdefault(group, []).append((written or "", res.address, path, mapped))
    for name, attr in sorted(inst.mdir.locals.items()):
        if isinstance(attr.expr, JsonExpr):
            continue
        found = _template_render(attr.expr, inst.scope, inst, attr.loc.path)
        if found is not None and id(found[2]) not in seen:
            seen.add(id(found[2]))
            groups[("local", name)] = [("", f"{inst.prefix}local.{name}", found[0], found[1])]
    out: List[Resource] = []
    for parts in groups.values():
        out += _request(inst, sorted(parts, key=lambda p: (p[0], p[1])))
    return out


def _request(inst: ModuleInstance, parts: List[Tuple[str, str, str, Any]]) -> List[Resource]:
    from emrlint.documents.load import classify

    docs = [(address, path, mapped, mapped.document()) for _, address, path, mapped in parts]
    docs = [d for d in docs if isinstance(d[3], dict)]
    if not docs:
        return []
    if len(docs) == 1:
        address, path, mapped, root = docs[0]
        locate = _document_locator(container_paths(root), mapped)
    else:  # the launcher's merge: top-level keys of every part (a later part's key wins)
        root, owners, paths = {}, {}, {}
        for _, _, part_mapped, part in docs:
            for key in part:
                root[key] = part[key]
                owners[key] = part_mapped
            for cid, p in container_paths(part).items():
                if cid != id(part):
                    paths[cid] = (part_mapped, p)
        holder = next((d for d in docs if any(str(k).lower() == "releaselabel" for k in d[3])), docs[0])
        address, path, mapped = holder[0], holder[1], holder[2]
        locate = _merged_locator(root, owners, paths)
    found = classify(path, root, locator=locate, call_sites=inst.call_sites)
    for res in found:
        res.address, res.root = address, inst.root.dir
        res.maybe = res.maybe or inst.maybe
        res.maybe_reason = res.maybe_reason or inst.maybe_reason
    return found


def _document_locator(paths: Dict[int, tuple], mapped: Any):
    def locate(container: Any, key: Any, fallback: Loc) -> Loc:
        path = paths.get(id(container))
        found = mapped.locate(path + (key,)) if path is not None else None
        return found[0] if found is not None else fallback

    return locate


def _merged_locator(root: Dict[Any, Any], owners: Dict[Any, Any], paths: Dict[int, tuple]):
    def locate(container: Any, key: Any, fallback: Loc) -> Loc:
        if container is root:
            owner = owners.get(key)
            found = owner.locate((key,)) if owner is not None else None
        else:
            mapped, path = paths.get(id(container), (None, None))
            found = mapped.locate(path + (key,)) if mapped is not None else None
        return found[0] if found is not None else fallback

    return locate
