"""A scan: discover files, load them into the model, run the rules, apply suppressions."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from emrlint.discovery import Discovered, Excluder, discover, file_kind
from emrlint.findings import SEVERITY_RANK, Finding, Loc
from emrlint.registry import Rule, all_rules, by_id_or_name
from emrlint.sources import Sources

# The loaders (python-hcl2, lark, ruamel.yaml) are imported only when a scan has to
# read files, not when its result comes from the cache.


class InternalError(Exception):
    """A bug in emrlint (not in the scanned files): reported with exit code 2."""


@dataclass
class ScanOptions:
    paths: Sequence[str] = (".",)
    rules: Sequence[str] = ()  # enabled rule IDs
    excludes: Sequence[Tuple[Sequence[str], str]] = ()  # (gitignore patterns, their base directory)
    severity: Dict[str, str] = field(default_factory=dict)
    params: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    var_files: Sequence[str] = ()
    vars: Sequence[Tuple[str, str]] = ()
    progress: Optional[Callable[[str, int, int], None]] = None  # (stage, done, total)
    cache: bool = False  # reuse a previous result when no input changed (see emrlint.cache)
    jobs: int = 1  # processes that may parse Terraform in parallel
    parallel_min_bytes: int = 400_000  # below this much Terraform to parse, one process is faster


@dataclass
class ScanResult:
    findings: List[Finding]
    files: List[str]  # every file the scan looked at (absolute paths)
    suppressed: int = 0
    sources: Optional[Sources] = None


def _resolve_code(code: str) -> Optional[str]:
    rule = by_id_or_name(code)
    return rule.id if rule else None


def _finding(rule: Rule, severity: Dict[str, str], loc: Loc, message: str, resource: str = "",
             call_sites=(), related=(), key: str = "", source_format: str = "", subject: Optional[Loc] = None) -> Finding:
    return Finding(rule.id, rule.name, severity.get(rule.id, rule.severity), message, loc, resource,
                   tuple(call_sites), tuple(related), key, source_format, subject)


def scan(options: ScanOptions) -> ScanResult:
    excluder = Excluder(options.excludes)
    found = discover(options.paths, excluder)
    cache = None
    if options.cache and not os.environ.get("EMRLINT_NO_CACHE"):
        from emrlint.cache import ScanCache, finding_from_json, finding_to_json

        cache = ScanCache(_options_key(options, found), found.files)
        hit = cache.load()
        if hit is not None:
            return ScanResult([finding_from_json(f) for f in hit["findings"]], hit["files"], hit["suppressed"],
                              Sources())
    result = _scan(options, found, excluder)
    if cache is not None:
        cache.store(result.sources, {"findings": [finding_to_json(f) for f in result.findings],
                                     "files": result.files, "suppressed": result.suppressed})
    return result


def _options_key(options: ScanOptions, found: Discovered) -> Dict[str, Any]:
    return {"paths": [os.path.abspath(p) for p in options.paths], "rules": sorted(options.rules),
            "excludes": [[list(p), b] for p, b in options.excludes], "severity": options.severity,
            "params": options.params, "var_files": [os.path.abspath(v) for v in options.var_files],
            "vars": [list(v) for v in options.vars], "explicit": found.explicit}


def _scan(options: ScanOptions, found: Discovered, excluder: Excluder) -> ScanResult:
    from emrlint.model import Model
    from emrlint.rulekit import RuleContext
    from emrlint.suppress import SuppressionIndex, collect, yaml_comments, yaml_spans
    from emrlint.terraform.build import build_model
    from emrlint.terraform.project import Options, TerraformProject

    rules = all_rules()
    enabled = set(options.rules)
    sources = Sources()
    base_dir = _read_base([os.path.abspath(p) for p in options.paths])
    tf_files = [f for f in found.files if file_kind(f) != "document"]
    doc_files = [f for f in found.files if file_kind(f) == "document"]
    project = TerraformProject(tf_files, sources, Options(options.var_files, options.vars), base_dir)
    progress = options.progress or (lambda stage, done, total: None)
    if options.jobs > 1:
        project.preparse(options.jobs, options.parallel_min_bytes)
    model = Model()
    build_model(project, model, progress)
    progress("reading documents", 0, 1)
    if doc_files:
        from emrlint.documents.load import load_documents

        documents = load_documents(doc_files, sources)
    else:
        from emrlint.documents.results import LoadedDocuments

        documents = LoadedDocuments()
    for res in documents.resources:
        model.add(res)

    findings: List[Finding] = []
    if "EMR001" in enabled:
        for err in project.errors + documents.errors:
            findings.append(_finding(rules["EMR001"], options.severity, Loc(err.path, err.line, err.column),
                                     f"{err.message}; the file was not checked.", key="parse"))

    for n, rule_id in enumerate(sorted(enabled)):
        progress("checking rules", n, len(enabled))
        rule = rules[rule_id]
        if not rule.kinds:
            continue
        params = {name: p.default for name, p in rule.params.items()}
        params.update(options.params.get(rule_id, {}))
        ctx = RuleContext(params, model, sources)
        for res in model.resources:
            if res.kind not in rule.kinds:
                continue
            try:
                for problem in rule.check(res, ctx):
                    call_sites = res.call_sites if problem.call_sites is None else problem.call_sites
                    findings.append(_finding(rule, options.severity, problem.loc, problem.message, res.address,
                                             call_sites, problem.related, problem.key, res.source_format,
                                             res.loc))
            except Exception as exc:  # a bug in a rule: never a traceback for the user
                raise InternalError(f"rule {rule_id} failed on {res.address} ({res.file}): {type(exc).__name__}: {exc}") from exc

    findings = _prefer_terraform_source(findings, model)

    suppressions = []
    for parsed in project.parsed.values():
        if parsed is not None and parsed.comments:
            suppressions += collect(parsed.path, parsed.comments, sources.lines(parsed.path), parsed.spans, _resolve_code)
    for path in documents.parsed:
        lines = sources.lines(path)
        suppressions += collect(path, yaml_comments(lines), lines, yaml_spans(lines), _resolve_code)
    index = SuppressionIndex(suppressions)
    kept = [f for f in findings if not index.suppressed(f)]
    suppressed = len(findings) - len(kept)
    if "EMR002" in enabled:
        for s in index.all():
            for code in s.unknown:
                kept.append(_finding(rules["EMR002"], options.severity, s.loc,
                                     f"Suppression names unknown rule {code}; it silences nothing. "
                                     "Use a rule ID from `emrlint rules`.", key=f"{s.text}|{code}"))
            if not s.reason and (s.codes or not s.unknown):
                kept.append(_finding(rules["EMR002"], options.severity, s.loc,
                                     "Suppression gives no reason; say why the finding is acceptable after the rule IDs "
                                     "(# emrlint:ignore EMR102 reason text).", key=s.text))

    report_only = set(found.explicit) if found.explicit is not None else None
    result = []
    seen = set()
    for f in kept:
        if report_only is not None and f.loc.path not in report_only:
            continue
        if excluder.excluded(f.loc.path):
            continue
        key = (f.rule, f.loc.path, f.loc.line, f.loc.column, f.resource, f.message)
        if key in seen:
            continue
        seen.add(key)
        result.append(f)
    result.sort(key=Finding.sort_key)
    files = found.explicit if found.explicit is not None else found.files
    return ScanResult(result, list(files), suppressed, sources)


def _prefer_terraform_source(findings: List[Finding], model) -> List[Finding]:
    """A resource in both Terraform source and a plan of it is reported once, at the source.

    Plan findings the source also produced are dropped; the others move to the
    resource's attribute (or block) in the ``.tf`` file."""
    source = {(r.root, r.address): r for r in model.resources if r.source_format == "terraform"}
    if not source or not any(f.source_format == "terraform-plan" for f in findings):
        return findings
    seen_in_source = {(f.rule, f.resource, f.key) for f in findings if f.source_format == "terraform"}
    out = []
    for f in findings:
        res = _planned_source(f, source) if f.source_format == "terraform-plan" else None
        if res is None:
            out.append(f)
        elif (f.rule, f.resource, f.key) not in seen_in_source:
            out.append(replace(f, loc=_written_at(res, f.key), call_sites=res.call_sites, source_format="terraform"))
    return out


def _planned_source(f: Finding, source: Dict[Tuple[str, str], Any]) -> Any:
    """The Terraform resource a plan finding is about: same address, in the root module the
    plan was made from (the plan file's directory, or a directory above it)."""
    directory = os.path.dirname(f.loc.path)
    while True:
        res = source.get((directory, f.resource))
        if res is not None:
            return res
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


_KEY_PART = re.compile(r'^(\w+)(?:\[(.+)\])?$')


def _written_at(res, key: str) -> Loc:
    """The place in the source that a finding's key names: ``log_uri``,
    ``maximum_capacity.cpu``, ``bootstrap_action["libs"].args`` (a block chosen by
    its name or ``#n``); the deepest block found when the attribute is not written."""
    section, loc = res.body, res.loc
    for part in key.split("|", 1)[0].split(".") if key else ():
        m = _KEY_PART.match(part)
        if m is None:
            break
        name, selector = m.groups()
        written = section.field(name)
        if written.present:
            return written.attr_loc
        blocks = section.sections(name)
        if not blocks:
            break
        chosen = blocks[0]
        if selector:
            selector = selector.strip('"')
            if selector.startswith("#") and selector[1:].isdigit() and int(selector[1:]) <= len(blocks):
                chosen = blocks[int(selector[1:]) - 1]
            else:
                chosen = next((b for b in blocks if b.field("name").value == selector), chosen)
        section, loc = chosen, chosen.loc
    return loc


def _read_base(paths: List[str]) -> str:
    """The directory that file()/templatefile() may read below: the working
    directory when every scanned path is inside it, else the paths' common parent."""
    cwd = os.getcwd()
    dirs = [p if os.path.isdir(p) else os.path.dirname(p) for p in paths]
    try:
        common = os.path.commonpath(dirs)
        if os.path.commonpath([common, cwd]) == cwd:
            return cwd
        return common
    except ValueError:  # different drives
        return cwd


def failing(findings: Sequence[Finding], fail_on: str) -> bool:
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
