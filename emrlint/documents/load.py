"""Loading JSON and YAML documents: recognised by content, not by file name.

A file is only parsed when its bytes mention something EMR-related; then its
content decides what it is: a CloudFormation/SAM template, a Step Functions
definition, a Terraform plan, an EMR Serverless or EMR on EKS StartJobRun
request, a RunJobFlow / create-cluster request, a CreateApplication request or a
list of configuration classifications.  Anything else is skipped silently; a
file that looks like one of them but does not parse is an EMR001.
"""

from __future__ import annotations

import os
from typing import Any, List, Optional

from emrlint.documents import cfn, plan, sfn
from emrlint.documents.doc import DocSection, Document, Locator, find_key, parse
from emrlint.documents.emr import (
    BLOCK_PUBLIC_ACCESS,
    RUN_JOB_FLOW,
    add_uniform_groups,
    classification_list,
    configurations_field,
    normalise_configurations,
    resource,
)
from emrlint.findings import Loc
from emrlint.textmap import MappedText, container_paths
from emrlint.jsonpos import DocumentError
from emrlint.model import ConfigurationFile, Field, Resource, attach_units, build_cluster, build_job_run
from emrlint.terraform.functions import call_function
from emrlint.values import EvalError, Unknown
from emrlint.sources import SourceError, Sources
from emrlint.documents.results import LoadedDocuments
from emrlint.terraform.project import FileError

MARKERS = (b"AWS::EMR", b"elasticmapreduce", b"emr-serverless", b"emr-containers", b"jobDriver", b"JobDriver",
           b"ReleaseLabel", b"releaseLabel", b"Classification", b"classification", b"planned_values",
           b"BlockPublicAccessConfiguration", b"aws-sdk:emr")
EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".jsonc")


def document_kind(path: str) -> str:
    return "json" if path.lower().endswith((".json", ".jsonc")) else "yaml"


def _looks_relevant(data: bytes) -> bool:
    return any(m in data for m in MARKERS)


def load_documents(paths: List[str], sources: Sources, errors=None) -> LoadedDocuments:
    """Load every EMR document among ``paths``.  A file that does not parse is an EMR001
    (``errors`` of the result); an unexpected exception while reading one file (a bug in
    emrlint) is appended to ``errors`` as an internal error for it and the next file is
    read (without ``errors`` it propagates)."""
    out = LoadedDocuments()
    for path in paths:
        try:
            _load_one(path, sources, out)
        except Exception as exc:  # RecursionError and MemoryError included
            if errors is None:
                raise
            from emrlint.engine import internal_error

            errors.append(internal_error(exc, "reading this document failed", path))
    return out


def _load_one(path: str, sources: Sources, out: LoadedDocuments) -> None:
    try:
        data = sources.read_bytes(path)
    except SourceError:
        return  # unreadable (the engine reports files it discovered but could not read or size-check)
    if not _looks_relevant(data):
        return
    try:
        text = sources.read_text(path)
        if b"planned_values" in data and b'"format_version"' in data:
            doc_root = plan.parse_plan(text)
            if plan.is_plan(doc_root):
                out.resources += plan.load_plan(path, text, doc_root)
                return
        root = parse(text, document_kind(path))
    except (SourceError, DocumentError) as exc:
        out.errors.append(FileError(path, exc.message, exc.line, exc.column))
        return
    if b"emrlint" in data:
        out.parsed.append((path, root, document_kind(path) == "yaml", cfn.is_template(root)))
    found = classify(path, root, text)
    attach_units(found)  # within one document: logical IDs mean nothing across templates
    out.resources += found


def classify(path: str, root: Any, text: str = "", locator: Optional[Locator] = None,
             call_sites: tuple = ()) -> List[Resource]:
    """The EMR resources of a parsed document, recognised by its content.  ``locator`` and
    ``call_sites`` are for a document rendered from a Terraform template (positions inside the
    template, the module calls that rendered it)."""
    stem = os.path.basename(path)
    if cfn.is_template(root):
        doc = Document(path, root, cfn.CfnResolver(root, path))
        found = cfn.load_template(doc, root)
        for logical_id, definition, loc, substitutions, mapped in cfn.state_machines(doc, root, text):
            found += state_machine_resources(doc, definition, logical_id, loc, substitutions, mapped)
        return found
    if sfn.is_state_machine(root):
        return state_machine_resources(Document(path, root, call_sites=call_sites, locator=locator), root, stem, Loc(path, 1, 1))
    if plan.is_plan(root):
        return []  # a plan that was not JSON-recognisable above (YAML?): not a real plan
    if classification_list(root):
        doc = Document(path, root, call_sites=call_sites, locator=locator)
        section = DocSection(doc, {}, Loc(path, 1, 1))
        res = ConfigurationFile("configurations", "EMR configurations", stem, section, path, root=path,
                                source_format="configurations")
        res.configurations = Field(normalise_configurations(doc.resolver.value(root)), True, Loc(path, 1, 1))
        return [res]
    if not isinstance(root, dict):
        return []
    doc = Document(path, root, call_sites=call_sites, locator=locator)
    first = next(iter(root), None)
    section = DocSection(doc, root, doc.loc_of(root, first) if first is not None else Loc(path, 1, 1), RUN_JOB_FLOW)
    has = lambda name: find_key(root, name) is not None  # noqa: E731
    if has("BlockPublicAccessConfiguration"):  # PutBlockPublicAccessConfiguration request
        key = find_key(root, "BlockPublicAccessConfiguration")
        bpa = DocSection(doc, root[key], doc.loc_of(root, key), BLOCK_PUBLIC_ACCESS)
        return [resource("block_public_access", "elasticmapreduce:PutBlockPublicAccessConfiguration", stem, bpa, doc,
                         "block-public-access")]
    if has("jobDriver") and has("virtualClusterId"):
        return [build_job_run(resource("job_run", "emr-containers:StartJobRun", _address(section, stem), section, doc,
                                       "job-run"), "eks")]
    if has("jobDriver"):
        return [build_job_run(resource("job_run", "emr-serverless:StartJobRun", _address(section, stem), section, doc,
                                       "job-run"), "serverless")]
    if has("releaseLabel") and has("type") and not has("Instances"):
        return [resource("serverless_application", "emr-serverless:CreateApplication", _address(section, stem),
                         section, doc, "create-application")]
    if has("ReleaseLabel") or has("Instances") or has("InstanceGroups") or has("InstanceFleets"):
        cluster = build_cluster(resource("cluster", "elasticmapreduce:RunJobFlow", _address(section, stem), section, doc,
                                         "run-job-flow"))
        add_uniform_groups(cluster, section)
        cluster.configurations = configurations_field(section)
        return [cluster]
    return []


def state_machine_resources(doc: Document, definition: Any, name: str, loc: Loc,
                            substitutions: Any = None, mapped: Optional[MappedText] = None) -> List[Resource]:
    """EMR tasks of a state machine given inline (a mapping) or as JSON text (possibly
    partly unknown, as a ``!Sub`` with an account ID makes it); ``substitutions`` are
    CloudFormation/SAM ``DefinitionSubstitutions``; ``mapped`` is the text as rendered,
    with where each part was written (findings then point at their line inside it)."""
    resolver = sfn.SfnResolver(doc.resolver, substitutions)
    if isinstance(definition, (str, Unknown)):
        if isinstance(definition, str):
            try:
                root = parse(definition, "json")
            except DocumentError:
                return []
        else:
            try:
                root = call_function("jsondecode", None, [definition])
            except EvalError:
                return []
        locator = (lambda c, k, fallback: loc) if mapped is None else _text_locator(mapped, root, loc)
        inner = Document(doc.path, root, resolver, doc.call_sites, locator=locator)
        return sfn.load_state_machine(inner, root, name, loc) if sfn.is_state_machine(root) else []
    if sfn.is_state_machine(definition):
        inner = Document(doc.path, doc.root, resolver, doc.call_sites, doc.locator)
        return sfn.load_state_machine(inner, definition, name, loc)
    return []


def _text_locator(mapped: MappedText, root: Any, loc: Loc):
    """Positions inside a definition decoded from text: where each key was written in the
    text (the state machine's own line for what cannot be placed)."""
    paths = container_paths(root)

    def locate(container: Any, key: Any, fallback: Loc) -> Loc:
        path = paths.get(id(container))
        found = mapped.locate(path + (key,)) if path is not None else None
        return found[0] if found is not None else loc

    return locate


def _address(section: DocSection, stem: str) -> str:
    name = section.field("name").value
    return f"{stem}:{name}" if isinstance(name, str) and name else stem


