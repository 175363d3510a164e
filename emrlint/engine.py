"""A scan: discover files, load them into the model, run the rules, apply suppressions."""

from __future__ import annotations

import gc
import os
import stat
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from emrlint.discovery import Discovered, Excluder, discover, file_kind
from emrlint.findings import SEVERITY_RANK, Finding, Loc, ScanError
from emrlint.record import dataclass, field, replace
from emrlint.sources import MAX_FILE_BYTES, Boundary, SourceError, Sources, repository_of
from emrlint.text import clip, quote
from emrlint.lazyre import lazy_re

# The rules and the loaders (python-hcl2, lark, ruamel.yaml) are imported only when a
# scan has to read files, not when its result comes from the cache.


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
    parallel_min_bytes: int = 250_000  # below this much relevant Terraform, one process is faster
    max_file_size: int = MAX_FILE_BYTES  # larger files are EMR001, never silently skipped
    # unsaved content by absolute path (stdin with --stdin-filename, an editor's open buffers):
    # read instead of the file on disk, which need not exist
    overlay: Dict[str, bytes] = field(default_factory=dict)
    # directories whose files the scan may read although they are not scanned themselves
    # (an editor's workspace folders: the modules a scanned file calls live there)
    roots: Sequence[str] = ()
    # which configuration applies where (emrlint.layers.Layers); None: ``rules``, ``severity``
    # and ``params`` apply to everything
    layers: Any = None
    prices: Any = None  # emrlint.cost.PriceSettings: the region and price file (EMR107, cost)
    cost: bool = False  # also estimate what every cluster and serverless application can cost (no cache)


@dataclass
class ScanResult:
    findings: List[Finding]
    files: List[str]  # every file the scan looked at (absolute paths)
    suppressed: int = 0
    sources: Optional[Sources] = None
    errors: List[ScanError] = field(default_factory=list)  # emrlint's own bugs (exit status 2)
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # paths named but not read, and why
    unused_vars: List[str] = field(default_factory=list)  # --var names no evaluated root module declares
    rules: List[str] = field(default_factory=list)  # the rules the scan ran (SARIF lists them)
    estimates: list = field(default_factory=list)  # emrlint.cost.Estimate s, with ScanOptions.cost


def _resolve_code(code: str) -> Optional[str]:
    from emrlint.registry import id_of

    return id_of(code)


def _finding(rule, severity: Dict[str, str], loc: Loc, message: str, resource: str = "",
             call_sites=(), related=(), key: str = "", source_format: str = "", subject: Optional[Loc] = None,
             secret: bool = False) -> Finding:
    return Finding(rule.id, rule.name, severity.get(rule.id, rule.severity), clip(message), loc, resource,
                   tuple(call_sites), tuple((clip(m), where) for m, where in related), key, source_format, subject,
                   secret)


def _settings(options: ScanOptions, directory: str, paths: Sequence[str]):
    """The rules, severities and parameters that apply to what ``directory``'s configuration
    governs, declared or called from ``paths`` (see emrlint.layers)."""
    if options.layers is not None:
        return options.layers.settings_for(directory, paths)
    uniform = options.__dict__.get("_uniform")
    if uniform is None:
        from emrlint.layers import Settings

        uniform = options.__dict__["_uniform"] = Settings(frozenset(options.rules), options.severity, options.params)
    return uniform


def _path_settings(options: ScanOptions, path: str):
    return _settings(options, os.path.dirname(path), (path,))


def _resource_settings(options: ScanOptions, res):
    directory = res.root if res.root and res.root != res.file else os.path.dirname(res.file)
    return _settings(options, directory, (res.file,) + tuple(cs.loc.path for cs in res.call_sites))


def _tf_options(options: ScanOptions):
    from emrlint.terraform.project import Options

    scoped = options.layers.scoped_var_files() if options.layers is not None else ()
    return Options(options.var_files, options.vars, scoped)


def scan(options: ScanOptions) -> ScanResult:
    excluder = Excluder(options.excludes)
    found = discover(options.paths, excluder, virtual=set(options.overlay))
    if options.layers is not None:
        # every file's configuration, before anything is checked; their exclude patterns apply below them
        options.layers.prepare(found.files)
        excluder = Excluder(list(options.excludes) + options.layers.exclude_groups())
        _exclude(found, excluder, options.layers.example_dirs())
    boundary = scan_boundary(options)
    cache = None
    if _caching(options):
        from emrlint.cache import ScanCache

        cache = ScanCache(_scan_key(options, found), _part_key(options), boundary, options.max_file_size)
        hit = cache.load()
        if hit is not None:
            return ScanResult(hit["findings"], hit["files"], hit["suppressed"], Sources(boundary, options.max_file_size),
                              skipped=found.skipped, unused_vars=hit["unused_vars"], rules=sorted(options.rules))
    # A scan keeps what it parses until it ends and makes little cyclic garbage: the cyclic
    # collector would only re-walk the retained trees, at a cost that grows faster than
    # the input (about half of a large scan's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _scan(options, found, excluder, boundary, cache)
    finally:
        if collecting:
            gc.enable()
    result.skipped = found.skipped
    result.rules = sorted(options.rules)
    if cache is not None and not result.errors:  # a scan that met a bug is not worth repeating
        cache.store_result(result.sources, result.findings, result.files, result.suppressed, result.unused_vars)
    return result


def _part_key(options: ScanOptions) -> Dict[str, Any]:
    """What a root module's findings depend on besides the files it reads."""
    return {"rules": sorted(options.rules), "severity": options.severity, "params": options.params,
            "var_files": [os.path.abspath(v) for v in options.var_files], "vars": [list(v) for v in options.vars],
            "boundary": repr(scan_boundary(options)), "max_file_size": options.max_file_size,
            "layers": options.layers.key() if options.layers is not None else None,
            "prices": options.prices.key() if options.prices is not None else None,
            "installed": _installed_key()}


def _installed_key() -> Dict[str, Any]:
    """Installed rule packages: their code decides findings like emrlint's own."""
    from emrlint.registry import installed_code_files

    out = {}
    for path in installed_code_files():
        try:
            st = os.stat(path)
            out[path] = [st.st_size, st.st_mtime_ns]
        except OSError:
            out[path] = None
    return out


def _scan_key(options: ScanOptions, found: Discovered) -> Dict[str, Any]:
    return dict(_part_key(options), paths=[os.path.abspath(p) for p in options.paths],
                excludes=[[list(p), b] for p, b in options.excludes], explicit=found.explicit, files=found.files)


def scan_boundary(options: ScanOptions) -> Boundary:
    """What a scan may read: the scanned directories; for a file named on its own (as
    pre-commit names them), the git repository holding it (its module may call
    ``../modules``), or its directory outside a repository; the variable files it was
    given or its configurations name; and ``roots`` (an editor's workspace folders).
    Never the working directory as such: scanning from ``/`` reads no more."""
    roots = [os.path.abspath(r) for r in options.roots]
    for raw in options.paths:
        path = os.path.abspath(raw)
        roots.append(path if os.path.isdir(path) else repository_of(os.path.dirname(path)))
    scoped = [f for _, files in options.layers.scoped_var_files() for f in files] if options.layers is not None else []
    return Boundary(roots, [os.path.abspath(v) for v in list(options.var_files) + scoped])


def _exclude(found: Discovered, excluder: Excluder, example_dirs: Sequence[str] = ()) -> None:
    """Drop the discovered files that configurations found below the scanned paths exclude,
    and the examples of their policies."""
    if not excluder.groups and not example_dirs:
        return
    prefixes = tuple(d.rstrip(os.sep) + os.sep for d in example_dirs)
    kept = [f for f in found.files if not (prefixes and f.startswith(prefixes)) and not excluder.excluded(f)]
    if len(kept) == len(found.files):
        return
    dropped = set(found.files) - set(kept)
    found.files = kept
    if found.explicit is not None:
        found.skipped += [(os.path.relpath(f), "excluded") for f in found.explicit if f in dropped]
        found.explicit = [f for f in found.explicit if f not in dropped]


@dataclass
class _Part:
    """What checking one part of a scan gives: findings before suppressions, files that did
    not parse, suppression comments, and (from a worker process) the inputs it read."""

    findings: List[Finding] = field(default_factory=list)
    errors: list = field(default_factory=list)
    suppressions: list = field(default_factory=list)
    inputs: Dict[str, Optional[str]] = field(default_factory=dict)  # path -> sha256, read in a worker
    duplicates: list = field(default_factory=list)  # names declared twice in a module directory
    queries: Dict[Tuple[str, str, str], Any] = field(default_factory=dict)
    internal: List[ScanError] = field(default_factory=list)
    declared_vars: set = field(default_factory=set)
    estimates: list = field(default_factory=list)


def _estimate(model, options: ScanOptions, sources: Sources, errors: List[ScanError]) -> list:
    """With ``options.cost``, the cost of every cluster and serverless application of the model."""
    if not options.cost:
        return []
    from emrlint.cost.estimate import estimate_model

    return estimate_model(model, options.prices, sources, errors)


def internal_error(exc: BaseException, what: str, path: str = "", resource: str = "", rule: str = "") -> ScanError:
    """A :class:`ScanError` for an unexpected exception (a bug in emrlint, not in the scanned files)."""
    import traceback

    text = str(exc)
    if len(text) > 300:
        text = text[:300] + "..."
    return ScanError(f"{what}: {type(exc).__name__}: {text}", path, resource, rule,
                     "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def _check(model, options: ScanOptions, sources: Sources, progress, errors: List[ScanError]) -> List[Finding]:
    """Run every enabled rule over the model; a rule that fails on a resource is an
    internal error for that resource, and every other check still runs."""
    findings: List[Finding] = []
    if not model.resources:
        return findings  # nothing to check: no rule is loaded
    from emrlint.cost.pricing import Pricing
    from emrlint.registry import all_rules, known_kinds, load_rule
    from emrlint.rulekit import RuleContext

    present = {res.kind for res in model.resources}
    every: Dict[str, Any] = {}

    def rule_for(rule_id: str):
        """The rule, or None when it applies to no kind of resource the model has: a built-in
        rule's kinds are known without importing it, so only the rules that apply are imported."""
        kinds = known_kinds(rule_id)
        if kinds is not None:
            return None if present.isdisjoint(kinds) else load_rule(rule_id)
        if not every:  # an organisation's rule, or one the kinds index does not list
            every.update(all_rules())
        return every[rule_id]

    pricing = Pricing(options.prices, model)  # rates are read only when a rule asks for them
    groups: Dict[int, Tuple[Any, List[Any]]] = {}  # resources by the settings that apply to them
    for res in model.resources:
        settings = _resource_settings(options, res)
        groups.setdefault(id(settings), (settings, []))[1].append(res)
    enabled = sorted(set().union(*(s.rules for s, _ in groups.values())))
    for n, rule_id in enumerate(enabled):
        progress("checking rules", n, len(enabled))
        rule = rule_for(rule_id)
        if rule is None or not rule.kinds:
            continue
        for settings, resources in groups.values():
            if rule_id not in settings.rules:
                continue
            params = {name: p.default for name, p in rule.params.items()}
            params.update(settings.params.get(rule_id, {}))
            ctx = RuleContext(params, model, sources, pricing)
            for res in resources:
                if res.kind not in rule.kinds:
                    continue
                doubt = f" This applies if {res.address} is created: {res.maybe_reason}." if res.maybe_reason else ""
                found: List[Finding] = []
                try:
                    for problem in rule.check(res, ctx):
                        call_sites = res.call_sites if problem.call_sites is None else problem.call_sites
                        via = model.cli_origins.get((problem.loc.path, problem.loc.line))
                        note = f" (The value comes from the command line: {via}.)" if via else ""
                        loc = _empty_block_at(res, problem.key, problem.loc)
                        found.append(_finding(rule, settings.severity, loc, problem.message + doubt + note,
                                              res.address, call_sites, problem.related, problem.key,
                                              res.source_format, res.loc, problem.secret))
                except Exception as exc:  # a bug in a rule: reported for this resource, never a traceback
                    errors.append(internal_error(exc, f"rule {rule_id} failed on {res.address}", res.file,
                                                 res.address, rule_id))
                    continue
                findings += found
    return findings


def _terraform_suppressions(project, sources: Sources) -> list:
    from emrlint.suppress import collect

    out = []
    for parsed in project.parsed.values():
        if parsed is not None and parsed.comments:
            out += collect(parsed.path, parsed.comments, sources.lines(parsed.path), parsed.spans, _resolve_code)
    return out


def _caching(options: ScanOptions) -> bool:
    return options.cache and not options.overlay and not os.environ.get("EMRLINT_NO_CACHE")


def _root_parts(options: ScanOptions, tf_files: List[str], boundary: Boundary, roots: Iterable[str],
                shared: Optional[Sources] = None, progress=None, total: Optional[int] = None) -> Dict[str, _Part]:
    """Evaluate and check root modules one by one: each root module's findings, file
    errors, suppressions and duplicate declarations, internal errors, and what it read
    and asked (its inputs, for the cache).

    Run in a worker process (``shared`` None) or in this one (``shared``: the scan's
    sources, whose file contents the root modules share).  ``roots`` may be a list or the
    root modules this process claims one by one from a parallel scan's shared list
    (``total``: how many that list has)."""
    from emrlint.model import Model
    from emrlint.terraform.build import build_model
    from emrlint.terraform.project import TerraformProject

    if shared is None:
        shared = Sources(boundary, options.max_file_size, options.overlay)
    parse_cache: Dict[str, Any] = {}
    out: Dict[str, _Part] = {}
    if total is None:
        total = len(roots)  # type: ignore[arg-type]
    for n, root in enumerate(roots):
        if progress is not None:
            progress("evaluating Terraform modules", n, total)
        sources = shared.view()
        project = TerraformProject(tf_files, sources, _tf_options(options), parse_cache)
        model = Model()
        internal: List[ScanError] = []
        build_model(project, model, roots=[root], errors=internal)
        findings = _check(model, options, sources, lambda *a: None, internal)
        estimates = _estimate(model, options, sources, internal)
        out[root] = _Part(findings=findings, errors=project.errors,
                          suppressions=_terraform_suppressions(project, sources),
                          inputs=_digests(sources) if _caching(options) else {},
                          queries=dict(sources.queries), duplicates=project.duplicates, internal=internal,
                          declared_vars=project.declared_vars, estimates=estimates)
    return out


def _digests(sources: Sources) -> Dict[str, Optional[str]]:
    """What a root module read (for the cache): a SHA-256 of each file's content."""
    from emrlint.cache import digest

    return {p: digest(sources.content(p)) for p in sources.read_paths()}


# in a process pool's worker: where it reports each root module it has checked, and the
# index of the next unclaimed root module (shared)
_PROGRESS_QUEUE = None
_NEXT_ROOT = None


def _init_worker(queue, next_root) -> None:
    global _PROGRESS_QUEUE, _NEXT_ROOT
    _PROGRESS_QUEUE, _NEXT_ROOT = queue, next_root


def _claimed(roots: Sequence[str], next_root) -> Iterator[str]:
    """The root modules of ``roots`` this process claims, one at a time, from the index
    that every process of a parallel scan shares (a ``forked.SharedIndex`` or a
    ``multiprocessing.Value``): each root module goes to exactly one process, and a
    process that is done early takes the next, so no process waits for another with work
    left (the shares' costs differ in ways their sizes do not tell: a forked worker's first
    writes to inherited memory, pickling its findings, what else the machine runs)."""
    while True:
        with next_root.get_lock():
            i = next_root.value
            next_root.value = i + 1
        if i >= len(roots):
            return
        yield roots[i]


def _worker(options: ScanOptions, tf_files: List[str], boundary: Boundary, roots: List[str]) -> Dict[str, _Part]:
    queue = _PROGRESS_QUEUE
    report = None if queue is None else (lambda stage, n, total: queue.put(1) if n else None)
    out = _root_parts(options, tf_files, boundary, _claimed(roots, _NEXT_ROOT), None,
                      progress=report, total=len(roots))
    if queue is not None and out:
        queue.put(1)  # the last root module this worker checked
    return out


class _Tally:
    """Root modules finished by every process of a parallel scan, for the progress display.
    ``drain()`` returns how many the workers have finished since it was last called."""

    def __init__(self, drain: Callable[[], int], progress, total: int):
        self.drain, self.progress, self.total, self.done = drain, progress, total, 0

    def own(self, stage: str, n: int, total: int) -> None:
        """This process starts the ``n``-th root module of its share (the one before is done)."""
        if n:
            self.done += 1
        self.show()

    def own_done(self) -> None:
        """This process has finished the last root module of its share."""
        self.done += 1
        self.show()

    def add(self, n: int) -> None:
        """Workers have finished ``n`` more root modules."""
        self.done += n
        self.progress("evaluating Terraform modules", min(self.done, self.total), self.total)

    def show(self) -> None:
        self.add(self.drain())


def _shared_order(options: ScanOptions, project, roots: List[str]) -> Optional[List[str]]:
    """The root modules in the order the processes of a parallel scan claim them, the
    largest (in relevant bytes) first, so that the last ones claimed are small; None when
    there is too little to do for ``options.jobs`` processes to pay for their start."""
    if options.jobs < 2 or len(roots) < 2 * options.jobs:
        return None
    sizes = {r: project.relevant_bytes(r) for r in roots}
    if sum(sizes.values()) < options.parallel_min_bytes:
        return None
    return sorted(roots, key=lambda r: -sizes[r])


def _parallel_roots(options: ScanOptions, project, tf_files: List[str], boundary: Boundary,
                    roots: List[str], progress=None, sources: Optional[Sources] = None) -> Optional[Dict[str, _Part]]:
    """Check root modules in ``options.jobs`` processes when there is enough to do: this
    one and ``jobs - 1`` workers, each evaluating whole root modules (parsing, evaluation
    and rules), so only findings cross process boundaries.  None: do it in this process.

    Where the OS forks, the workers are forked children that inherit what this process
    has read and loaded (:mod:`emrlint.forked`); elsewhere they come from a process pool."""
    order = _shared_order(options, project, roots)
    if order is None:
        return None
    from emrlint import forked
    from emrlint.terraform.hcl import load_grammar

    if forked.available():
        load_grammar()  # once, before forking: every process inherits it
        return _forked_roots(options, tf_files, boundary, order, progress, sources)
    return _pooled_roots(options, tf_files, boundary, order, progress, sources)


def _forked_roots(options: ScanOptions, tf_files: List[str], boundary: Boundary, order: List[str], progress,
                  sources: Optional[Sources]) -> Optional[Dict[str, _Part]]:
    from emrlint import forked

    next_root = forked.SharedIndex(0)
    tally: Optional[_Tally] = None
    worker_options = replace(options, progress=None)

    def child(done) -> Dict[str, _Part]:
        report = None if done is None else (lambda stage, n, total: done() if n else None)
        out = _root_parts(worker_options, tf_files, boundary, _claimed(order, next_root), sources,
                          progress=report, total=len(order))
        if done is not None and out:
            done()  # the last root module this worker checked
        return out

    def own(drain) -> Dict[str, _Part]:
        nonlocal tally
        # this process checks root modules too while the workers check theirs (it has read
        # the files and imported the rules already, and its findings need no pickling)
        tally = _Tally(drain, progress, len(order)) if progress is not None else None
        out = _root_parts(options, tf_files, boundary, _claimed(order, next_root), sources,
                          tally.own if tally is not None else None, total=len(order))
        if tally is not None and out:
            tally.own_done()
        return out

    try:
        shared = forked.share(options.jobs - 1, child, own,
                              ticks=(lambda n: tally.add(n) if tally is not None else None)
                              if progress is not None else None)
    finally:
        next_root.close()
    if shared is None:
        return None  # no process could be started here: do it in this one
    out, results = shared
    for result in results:
        if not isinstance(result, forked.Died):
            out.update(result)
    missing = [r for r in order if r not in out]  # a worker that died: its root modules are checked here
    if missing:
        out.update(_root_parts(options, tf_files, boundary, missing, sources))
    if tally is not None:
        tally.show()
    return out


def _pooled_roots(options: ScanOptions, tf_files: List[str], boundary: Boundary, order: List[str],
                  progress, sources: Optional[Sources]) -> Optional[Dict[str, _Part]]:
    """The workers of a process pool (where the OS does not fork: they import emrlint and
    read the files they need themselves)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = multiprocessing.get_context()
    worker_options = replace(options, progress=None)
    try:
        # each worker reports every root module it finishes, so the progress display moves
        queue = context.SimpleQueue() if progress is not None else None
        tally = _Tally(lambda: _drained(queue), progress, len(order)) if queue is not None else None
        next_root = context.Value("i", 0)
        workers = options.jobs - 1
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                 initargs=(queue, next_root)) as pool:
            futures = [pool.submit(_worker, worker_options, tf_files, boundary, order) for _ in range(workers)]
            out = _root_parts(options, tf_files, boundary, _claimed(order, next_root), sources,
                              tally.own if tally is not None else None, total=len(order))
            if tally is not None:
                if out:
                    tally.own_done()
                pending = set(futures)
                while pending:
                    tally.show()
                    _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                tally.show()
            for f in futures:
                out.update(f.result())
            return out
    except (OSError, RuntimeError):
        return None  # processes cannot be started here (a restricted environment): do it in this one


def _drained(queue) -> int:
    n = 0
    while not queue.empty():  # one message per root module a worker finished
        queue.get()
        n += 1
    return n


def _terraform_parts(options: ScanOptions, project, sources: Sources, tf_files: List[str], boundary: Boundary,
                     cache, progress) -> List[_Part]:
    """The root modules' parts: from the cache where nothing a root module read has
    changed, else evaluated (in parallel processes when there is enough to do)."""
    roots = project.relevant_roots()
    parts: Dict[str, _Part] = {}
    todo = []
    for root in roots:
        hit = _load_part(cache, {"root": root}, sources) if cache is not None else None
        if hit is not None:
            parts[root] = hit
        else:
            todo.append(root)
    if todo:
        computed = _parallel_roots(options, project, tf_files, boundary, todo, options.progress, sources)
        if computed is None:
            computed = _root_parts(options, tf_files, boundary, todo, sources, progress)
        for root, part in computed.items():
            sources.record(part.inputs, part.queries)
            if cache is not None and not part.internal:  # a part that met a bug is not worth repeating
                _store_part(cache, {"root": root}, part)
        parts.update(computed)
    return [parts[r] for r in roots]


def _load_part(cache, what: Dict[str, Any], sources: Sources) -> Optional[_Part]:
    from emrlint.cache import _strings, finding_from_json, record_from_json
    from emrlint.suppress import Suppression
    from emrlint.terraform.module import Duplicate
    from emrlint.terraform.project import FileError

    entry = cache.load_part(what, sources)
    if entry is None:
        return None
    try:
        return _Part(findings=[finding_from_json(f) for f in entry["findings"]],
                     errors=[record_from_json(FileError, e) for e in entry["errors"]],
                     suppressions=[record_from_json(Suppression, s) for s in entry["suppressions"]],
                     duplicates=[record_from_json(Duplicate, d) for d in entry["duplicates"]],
                     declared_vars=set(_strings(entry["declared_vars"])))
    except (KeyError, TypeError, ValueError):
        return None


def _store_part(cache, what: Dict[str, Any], part: _Part) -> None:
    from emrlint.cache import finding_to_json, record_to_json

    try:
        payload = {"findings": [finding_to_json(f) for f in part.findings],
                   "errors": [record_to_json(e) for e in part.errors],
                   "suppressions": [record_to_json(s) for s in part.suppressions],
                   "duplicates": [record_to_json(d) for d in part.duplicates],
                   "declared_vars": sorted(part.declared_vars)}
    except TypeError:
        return  # something this cache cannot store: the part is checked again next time
    cache.store_part(what, part.inputs, part.queries, payload)


def _scan(options: ScanOptions, found: Discovered, excluder: Excluder, boundary: Boundary, cache=None) -> ScanResult:
    from emrlint.model import Model
    from emrlint.registry import load_rule
    from emrlint.suppress import SuppressionIndex, collect, document_suppressions, yaml_comments, yaml_spans
    from emrlint.terraform.project import TerraformProject

    # after a cache miss, the files its validation read are not read again
    sources = cache.sources if cache is not None and not options.overlay else Sources(boundary, options.max_file_size,
                                                                                     options.overlay)
    tf_files = [f for f in found.files if file_kind(f) != "document"]
    doc_files = [f for f in found.files if file_kind(f) == "document"]
    project = TerraformProject(tf_files, sources, _tf_options(options))
    progress = options.progress or (lambda stage, done, total: None)

    model = Model()
    internal: List[ScanError] = []
    parts: List[_Part] = []
    # A plan's findings move to the Terraform source of the same resource, so a scan with
    # plans checks everything in one model.  Without plans, root modules are checked one
    # by one when the cache stores them or there is enough to share among processes.
    plans = any(b"planned_values" in sources.read_bytes_or_empty(f) for f in doc_files)
    if plans or (cache is None and _shared_order(options, project, project.relevant_roots()) is None):
        from emrlint.terraform.build import build_model

        build_model(project, model, progress, errors=internal)
    else:
        parts += _terraform_parts(options, project, sources, tf_files, boundary, cache, progress)
    progress("reading documents", 0, 1)
    if doc_files:
        from emrlint.documents.load import load_documents

        documents = load_documents(doc_files, sources, internal)
    else:
        from emrlint.documents.results import LoadedDocuments

        documents = LoadedDocuments()
    for res in documents.resources:
        model.add(res)
    findings = _prefer_terraform_source(_check(model, options, sources, progress, internal), model)
    estimates = _estimate(model, options, sources, internal)

    suppressions = _terraform_suppressions(project, sources)
    for path, root, is_yaml, is_cfn in documents.parsed:
        if is_yaml:
            lines = sources.lines(path)
            suppressions += collect(path, yaml_comments(lines), lines, yaml_spans(lines), _resolve_code)
        suppressions += document_suppressions(path, root, _resolve_code, is_cfn)
    errors = project.errors + documents.errors
    duplicates = list(project.duplicates)
    for part in parts:
        findings += part.findings
        errors += part.errors
        suppressions += part.suppressions
        duplicates += part.duplicates
        internal += part.internal
        project.declared_vars |= part.declared_vars
        estimates += part.estimates
    for dup in duplicates:
        settings = _path_settings(options, dup.loc.path)
        if "EMR004" in settings.rules:
            rule = load_rule("EMR004")
            findings.append(_finding(rule, settings.severity, dup.loc,
                                     rule.module.message(dup.what, dup.name, dup.first.path, dup.first.line, dup.loc.path),
                                     dup.name, related=((f"the first declaration of {dup.name}", dup.first),),
                                     key=dup.name))
    # EMR001 is always on (whatever --select/--ignore say): a file that was not read is never a clean result
    reported = set()
    for err in _unread(found.files, sources) + errors:
        if err.path in reported:
            continue
        reported.add(err.path)
        findings.append(_finding(load_rule("EMR001"), _path_settings(options, err.path).severity,
                                 Loc(err.path, err.line, err.column),
                                 f"{err.message}; the file was not checked.", key="parse"))

    index = SuppressionIndex(suppressions)
    kept = [f for f in findings if not index.suppressed(f)]
    suppressed = len(findings) - len(kept)
    for s in index.all():
        settings = _path_settings(options, s.loc.path)
        enabled, severity = settings.rules, settings.severity
        if "EMR002" in enabled:
            if s.near_miss:
                kept.append(_finding(load_rule("EMR002"), severity, s.loc,
                                     f"`{quote(s.text, 80, marks=False)}` is not an emrlint suppression and silences nothing; write "
                                     "`emrlint:ignore` (no space or other character after the colon), the rule IDs, "
                                     "then the reason: # emrlint:ignore EMR102 reason text.", key=s.text))
                continue
            for code in s.unknown:
                kept.append(_finding(load_rule("EMR002"), severity, s.loc,
                                     f"Suppression names unknown rule {code}; it silences nothing. "
                                     "Use a rule ID from `emrlint rules`.", key=f"{s.text}|{code}"))
            if not s.reason and (s.codes or not s.unknown):
                how = ("in its reason: entry (- id: EMR102, reason: why)" if s.form == "metadata" else
                       "after the rule IDs (# emrlint:ignore EMR102 reason text)")
                kept.append(_finding(load_rule("EMR002"), severity, s.loc,
                                     f"Suppression gives no reason; say why the finding is acceptable {how}.", key=s.text))
        if "EMR003" in enabled:
            for code in s.codes:
                if code in enabled and code not in ("EMR001", "EMR003") and index.unused(s, code):
                    kept.append(_finding(load_rule("EMR003"), severity, s.loc,
                                         f"Suppression of {code} silences no finding: the problem was fixed or the "
                                         "comment is not on the line above the block or attribute the finding points "
                                         f"at (or at the end of that line). Remove {code} from it, or move it.",
                                         key=f"{s.text}|{code}"))

    report_only = set(found.explicit) if found.explicit is not None else None
    result = []
    seen = set()
    for f in kept:
        if report_only is not None and f.loc.path not in report_only:
            continue
        if excluder.excluded(f.loc.path):
            continue
        # the same finding: same rule and location, reached through the same module calls
        # (two root modules calling one module each get their own)
        key = (f.rule, f.loc.path, f.loc.line, f.loc.column, f.resource, f.message, f.call_sites)
        if key in seen:
            continue
        seen.add(key)
        result.append(f)
    result.sort(key=Finding.sort_key)
    files = found.explicit if found.explicit is not None else found.files
    unused_vars = sorted({name for name, _ in options.vars} - project.declared_vars)
    return ScanResult(_cap_per_file(result), list(files), suppressed, sources, internal, unused_vars=unused_vars,
                      estimates=_reported(estimates, report_only, excluder))


def _reported(estimates: list, report_only, excluder: Excluder) -> list:
    """Estimates of resources in the files the scan reports on (not excluded, and among the
    files it was given, when it was given files), each once, in file order."""
    out, seen = [], set()
    for e in estimates:
        if (report_only is not None and e.path not in report_only) or excluder.excluded(e.path):
            continue
        key = (e.address, e.path, e.line, e.column, tuple(c[0] for c in e.call_sites))
        if key not in seen:
            seen.add(key)
            out.append(e)
    out.sort(key=lambda e: (e.path, e.line, e.column, e.address))
    return out

def _unread(files: Sequence[str], sources: Sources) -> list:
    """Discovered files that were not read, or could not have been: too large, not a regular
    file, unreadable (read errors the loaders met, and a cheap check of files they never opened)."""
    from emrlint.terraform.project import FileError

    out = []
    for path in files:
        if path in sources.overlay:
            try:
                sources.read_bytes(path)
            except SourceError:
                pass
        err = sources.read_error(path)
        if err is None and sources.content(path) is None and not sources.inside(path):
            try:  # a link out of the scan's boundary: refused without looking at its target
                sources.read_bytes(path)
            except SourceError:
                err = sources.read_error(path)
        elif err is None and sources.content(path) is None:
            try:
                st = os.stat(path)
            except OSError as exc:
                out.append(FileError(path, f"cannot read file: {exc.strerror or exc}", 1, 1))
                continue
            if not stat.S_ISREG(st.st_mode) or st.st_size > sources.max_bytes or not os.access(path, os.R_OK):
                try:
                    sources.read_bytes(path)
                except SourceError:  # recorded: read_error() has it
                    err = sources.read_error(path)
        if err is not None:
            out.append(FileError(path, err.message, err.line, err.column))
    return out


MAX_PER_RULE_AND_FILE = 100


def _cap_per_file(findings: List[Finding]) -> List[Finding]:
    """At most :data:`MAX_PER_RULE_AND_FILE` findings of a rule in one file, then one that
    counts the rest (at the first of them): a generated 200,000-line script gives a report
    of bounded size, and the first hundred say what to fix."""
    counts: Dict[Tuple[str, str], int] = {}
    for f in findings:
        counts[(f.rule, f.loc.path)] = counts.get((f.rule, f.loc.path), 0) + 1
    if all(n <= MAX_PER_RULE_AND_FILE for n in counts.values()):
        return findings
    out, seen = [], {}
    for f in findings:
        key = (f.rule, f.loc.path)
        n = seen[key] = seen.get(key, 0) + 1
        if n <= MAX_PER_RULE_AND_FILE:
            out.append(f)
        elif n == MAX_PER_RULE_AND_FILE + 1:
            rest = counts[key] - MAX_PER_RULE_AND_FILE
            out.append(replace(f, message=f"{rest:,} more {f.rule} findings in this file, from here on, are not listed "
                                          f"(emrlint reports the first {MAX_PER_RULE_AND_FILE} of a rule in a file); "
                                          f"fix these or scan again to see them.", resource="", related=(),
                               call_sites=(), key="more-findings", secret=False))
    return out


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


_KEY_PART = lazy_re(r'^(\w+)(?:\[(.+)\])?$')


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


def _empty_block_at(res, key: str, loc: Loc) -> Loc:
    """A finding about a missing nested block points at the enclosing block's first line, unless
    the block is written and evaluates to nothing (a ``dynamic`` block with an empty
    ``for_each``, CloudFormation ``!Ref AWS::NoValue``): then at where it is written
    (ground rule 9).  ``key`` names the block (``maximum_capacity``, ``ec2_attributes.subnet_id``)."""
    section = res.body
    for part in key.split("|", 1)[0].split(".") if key else ():
        m = _KEY_PART.match(part)
        if m is None:
            break
        name = m.group(1)
        if section.loc == loc:
            written = section.empty_block_loc(name)
            if written is not None:
                return written
        blocks = section.sections(name)
        if len(blocks) != 1:
            break
        section = blocks[0]
    return loc


def failing(findings: Sequence[Finding], fail_on: str) -> bool:
    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
