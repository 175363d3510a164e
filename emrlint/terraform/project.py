"""Loading a Terraform code base: which directories to parse, module calls,
variable values, and the instance tree that resources are built from."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from emrlint.findings import Loc
from emrlint.jsonpos import DocumentError, key_position, load_document
from emrlint.record import dataclass, field
from emrlint.sources import SourceError, Sources
from emrlint.terraform.evaluate import Scope, materialize
from emrlint.terraform.hcl import Attribute, Block, Body, ParseError, file_body, parse_expression, parse_file
from emrlint.terraform.module import Duplicate, JsonExpr, ModuleDir, ModuleInstance, eval_expr, is_override_file
from emrlint.values import UNKNOWN, EvalError
from emrlint.lazyre import lazy_re

# bytes that make a Terraform file worth parsing: EMR resources, and state machines running EMR tasks
# (the optimized integrations and the AWS SDK ones: aws-sdk:emr:, aws-sdk:emrserverless:, aws-sdk:emrcontainers:)
EMR_MARKERS = (b"aws_emr", b"elasticmapreduce:", b"emr-serverless:", b"emr-containers:", b"aws-sdk:emr")


# resources EMR configuration refers to, worth reading in modules called by an EMR configuration
SUPPORT_MARKERS = (b"aws_security_group", b"aws_vpc_security_group", b"aws_subnet", b"aws_s3_object",
                   b"aws_s3_bucket_object", b"aws_sfn_state_machine")


def has_emr_marker(data: bytes) -> bool:
    return any(m in data for m in EMR_MARKERS)


# bytes of a template that renders an EMR request (RunJobFlow, StartJobRun, CreateApplication)
TEMPLATE_MARKERS = (b"ReleaseLabel", b"releaseLabel", b"jobDriver", b"JobDriver", b"elasticmapreduce",
                    b"emr-serverless:", b"emr-containers:", b"aws-sdk:emr")
_TEMPLATEFILE_RE = lazy_re(rb'templatefile\(\s*"([^"\n]+)"')

_SOURCE_RE = lazy_re(rb'\bsource\s*=\s*"([^"\n]*)"')
_MODULE_RE = lazy_re(rb'\bmodule\s+"[^"\n]+"\s*\{')


@dataclass
class ParsedFile:
    path: str
    body: Body
    comments: List[Tuple[int, int, str]] = field(default_factory=list)
    spans: Dict[int, Tuple[int, int]] = field(default_factory=dict)


@dataclass
class FileError:
    path: str
    message: str
    line: int
    column: int


@dataclass
class Options:
    var_files: Sequence[str] = ()
    vars: Sequence[Tuple[str, str]] = ()  # (name, raw value) from --var
    # (root module directory, var files) named by the configuration that governs that directory
    scoped_var_files: Sequence[Tuple[str, Sequence[str]]] = ()


def is_local_source(source: str) -> bool:
    return source.startswith("./") or source.startswith("../") or source in (".", "..")


class TerraformProject:
    def __init__(self, files: Sequence[str], sources: Sources, options: Options,
                 parse_cache: Optional[Dict[str, Tuple[Optional["ParsedFile"], Optional["FileError"]]]] = None):
        self.sources = sources  # reads nothing outside the scan's boundary
        # path -> parse result, shared by the projects of one scan's root modules
        self._parse_cache = parse_cache if parse_cache is not None else {}
        self.options = options
        self.errors: List[FileError] = []
        self.declared_vars: set = set()  # names of variables the evaluated root modules declare
        # (path, line) of a root variable block -> "--var name=value": findings there came from the command line
        self.cli_origins: Dict[Tuple[str, int], str] = {}
        self.duplicates: List[Duplicate] = []  # names declared twice in one module directory (EMR004)
        self.parsed: Dict[str, ParsedFile] = {}
        self._dirs: Dict[str, Optional[ModuleDir]] = {}
        self._files = files  # grouped by directory when the root modules are asked for
        self._listing: Dict[str, List[str]] = {}
        self._calls: Dict[str, List[str]] = {}
        self._relevant: Dict[str, bool] = {}
        self._modules_json: Dict[str, Optional[Dict[str, str]]] = {}
        self._cycles: set = set()
        self._roots: Optional[List[str]] = None
        self._sizes: Dict[str, int] = {}  # root module -> relevant bytes

    # -- file access for functions: outside the scan's boundary, every answer is unknown ----

    def read_text(self, path: str) -> Any:
        text = self.sources.try_text(path)
        return UNKNOWN if text is None else text

    def fileset(self, directory: str, pattern: str) -> Any:
        """Terraform's fileset(): files below ``directory`` matching a glob (``*``, ``**``, ``?``, ``[...]``)."""
        if not self.sources.isdir(directory):
            return UNKNOWN
        found = self.sources.glob(directory, pattern)
        return UNKNOWN if found is None else found

    def file_exists(self, path: str) -> Any:
        return self.sources.isfile(path) if self.sources.inside(path) else UNKNOWN

    # -- which directories matter ---------------------------------------------------

    def _dir_bytes(self, directory: str) -> List[Tuple[str, bytes]]:
        out = []
        for path in self._tf_files(directory):
            try:
                out.append((path, self.sources.read_bytes(path)))
            except SourceError:
                out.append((path, b""))
        return out

    def _tf_files(self, directory: str) -> List[str]:
        """Every configuration file of a module directory: Terraform loads them all,
        so emrlint does too, even when it was given only some of them."""
        found = self._listing.get(directory)
        if found is None:
            found = [os.path.join(directory, n) for n in self.sources.listdir(directory)
                     if n.endswith((".tf", ".tf.json")) and self._loadable(os.path.join(directory, n))]
            self._listing[directory] = found
        return found

    def _loadable(self, path: str) -> bool:
        """A file to load, or a link out of the scan's boundary (loading it reports it: EMR001)."""
        return self.sources.isfile(path) or not self.sources.inside(path)

    def _callees(self, directory: str) -> List[str]:
        """Module directories a directory calls (a byte-level prefilter: local
        sources and, for a root, the modules recorded by ``terraform init``)."""
        found = self._calls.get(directory)
        if found is None:
            found = []
            for _, data in self._dir_bytes(directory):
                if b"module" in data and _MODULE_RE.search(data):
                    for m in _SOURCE_RE.finditer(data):
                        src = m.group(1).decode("utf-8", "replace")
                        if is_local_source(src):
                            found.append(os.path.normpath(os.path.join(directory, src.split("//")[0])))
            found += self._remote_module_dirs(directory)
            self._calls[directory] = found
        return found

    def is_relevant_dir(self, directory: str, _stack: Tuple[str, ...] = ()) -> bool:
        """Whether a directory holds EMR resources or calls (transitively) a module that does."""
        cached = self._relevant.get(directory)
        if cached is not None:
            return cached
        if directory in _stack:
            return False
        result = any(has_emr_marker(data) or self._renders_emr_template(directory, data)
                     for _, data in self._dir_bytes(directory)) or any(
            self.is_relevant_dir(c, _stack + (directory,)) for c in self._callees(directory)
        )
        self._relevant[directory] = result
        return result

    def _renders_emr_template(self, directory: str, data: bytes) -> bool:
        """Whether a file renders, with ``templatefile()``, a template that holds an EMR request
        (a cluster.yaml.tpl with a ReleaseLabel): a byte-level look at the templates it names."""
        if b"templatefile(" not in data:
            return False
        for m in _TEMPLATEFILE_RE.finditer(data):
            name = m.group(1).decode("utf-8", "replace")
            for prefix in ("${path.module}/", "${path.root}/", "${path.cwd}/", "./"):
                if name.startswith(prefix):
                    name = name[len(prefix):]
                    break
            if "${" in name:
                continue
            path = os.path.normpath(os.path.join(directory, name))
            if not self.sources.inside(path) or not self.sources.isfile(path):
                continue
            try:
                if any(marker in self.sources.read_bytes(path) for marker in TEMPLATE_MARKERS):
                    return True
            except SourceError:
                continue
        return False

    def mentions(self, directory: str, text: str) -> bool:
        """Whether the directory's files contain ``text`` followed by ``.`` or ``[`` (a reference)."""
        needle = text.encode()
        return any(needle + b"." in data or needle + b"[" in data for _, data in self._dir_bytes(directory))

    def has_supporting_resources(self, directory: str) -> bool:
        return any(m in data for _, data in self._dir_bytes(directory) for m in SUPPORT_MARKERS)

    def relevant_roots(self) -> List[str]:
        """Directories to evaluate as root modules: the relevant ones that no other
        relevant scanned directory calls (worked out once per project)."""
        if self._roots is None:
            self._roots = self._relevant_roots()
        return list(self._roots)

    def _relevant_roots(self) -> List[str]:
        dirs = sorted(d for d in {os.path.dirname(path) for path in self._files} if self._tf_files(d))
        relevant = [d for d in dirs if self.is_relevant_dir(d)]
        callers: Dict[str, List[str]] = {}
        for d in relevant:
            for c in self._callees(d):
                if c != d:
                    callers.setdefault(c, []).append(d)
        roots = []
        for d in relevant:
            if d not in callers:
                roots.append(d)
                continue
            reachable = self._reachable(d)
            if not all(c in reachable for c in callers[d]):
                continue  # called from outside a cycle: evaluated through its caller
            # called only from inside its module cycle (A calls B calls A): when nothing outside
            # calls the cycle, its first directory is the root, so it is evaluated (and reported) once
            cycle = {d} | {c for c in reachable if d in self._reachable(c)}
            if d == min(cycle) and all(c in cycle for m in cycle for c in callers.get(m, ())):
                roots.append(d)
        return roots

    def _reachable(self, directory: str) -> set:
        """Directories a directory calls, transitively."""
        seen: set = set()
        stack = list(self._callees(directory))
        while stack:
            d = stack.pop()
            if d not in seen:
                seen.add(d)
                stack.extend(self._callees(d))
        return seen

    # -- parsing -------------------------------------------------------------

    def module_dir(self, directory: str) -> Optional[ModuleDir]:
        if directory in self._dirs:
            return self._dirs[directory]
        files = self._tf_files(directory)
        mdir = ModuleDir(directory) if files else None
        # Terraform's order: files by name, override files after all the others
        for path in sorted(files, key=lambda p: (is_override_file(p), os.path.basename(p))):
            parsed = self.parse_file(path)
            if parsed is not None and mdir is not None:
                mdir.add_file(parsed.body, override=is_override_file(path))
        if mdir is not None:
            self.duplicates += mdir.duplicates
        self._dirs[directory] = mdir
        return mdir

    def parse_file(self, path: str) -> Optional[ParsedFile]:
        if path in self.parsed:
            return self.parsed[path]
        try:
            text = self.sources.read_text(path)
            done = self._parse_cache.get(path)
            if done is None:
                done = self._parse_cache[path] = parse_source(path, text)
            parsed, error = done
        except SourceError as exc:
            parsed, error = None, FileError(path, exc.message, exc.line, exc.column)
        if error is not None:
            self.errors.append(error)
        self.parsed[path] = parsed
        return parsed

    def relevant_bytes(self, root: str) -> int:
        """How much Terraform a root module and the EMR modules it calls hold (to share out work)."""
        known = self._sizes.get(root)
        if known is not None:
            return known
        total, seen, stack = 0, set(), [root]
        while stack:
            d = stack.pop()
            if d in seen or not self.is_relevant_dir(d):
                continue
            seen.add(d)
            total += sum(len(data) for _, data in self._dir_bytes(d))
            stack.extend(self._callees(d))
        self._sizes[root] = total
        return total

    # -- modules -------------------------------------------------------------

    def _remote_module_dirs(self, root_dir: str) -> List[str]:
        table = self._load_modules_json(root_dir)
        return sorted(set(table.values())) if table else []

    def _load_modules_json(self, root_dir: str) -> Optional[Dict[str, str]]:
        if root_dir in self._modules_json:
            return self._modules_json[root_dir]
        table = None
        path = os.path.join(root_dir, ".terraform", "modules", "modules.json")
        if self.sources.isfile(path):
            try:
                doc = json.loads(self.sources.read_text(path))
                table = {}
                for entry in doc.get("Modules", []):
                    key, d = entry.get("Key"), entry.get("Dir")
                    if key and isinstance(d, str):
                        table[key] = os.path.normpath(os.path.join(root_dir, d))
            except (SourceError, ValueError, AttributeError, TypeError):
                table = None
        self._modules_json[root_dir] = table
        return table

    def call_target(self, caller: ModuleInstance, block: Block, key_path: str) -> Optional[str]:
        """The directory a ``module`` block calls, when it is available locally."""
        attr = block.body.attributes.get("source")
        if attr is None:
            return None
        try:
            source = materialize(eval_expr(attr.expr, Scope(None)))
        except EvalError:
            return None
        if not isinstance(source, str):
            return None
        if is_local_source(source):
            target = os.path.normpath(os.path.join(caller.dir, source.split("//")[0]))
        else:
            target = (self._load_modules_json(caller.root.dir) or {}).get(key_path)
        return target if target is not None and self.sources.inside(target) else None

    def budget_exhausted(self, root: Any, loc: Optional[Loc]) -> None:
        """Record, once per root module, that evaluating it ran out of its budget."""
        if not root.budget.exhausted or root.budget.reported:
            return
        root.budget.reported = True
        if loc is None:
            files = self._tf_files(root.dir)
            loc = Loc(files[0] if files else root.dir, 1, 1)
        self.errors.append(FileError(loc.path, "evaluating this configuration takes more time or memory than "
                                     "emrlint allows for its size (a value doubled through locals, huge count or "
                                     "for products?): values computed from here on are unknown, so findings may "
                                     "be missing", loc.line, loc.column))

    def module_cycle(self, block: Block, name: str) -> None:
        """Record a module call that leads back to a module calling it (once per call)."""
        key = (block.loc.path, block.loc.line, block.loc.column)
        if key not in self._cycles:
            self._cycles.add(key)
            self.errors.append(FileError(block.loc.path, f'module "{name}" calls a module that (directly or '
                                         "through other modules) calls this one again: a module cycle, which "
                                         "Terraform refuses; the call was not followed", *key[1:]))

    # -- roots and variables ------------------------------------------------

    def root_values(self, root_dir: str, mdir: ModuleDir) -> Dict[str, Tuple[Any, Optional[Attribute]]]:
        values: Dict[str, Tuple[Any, Optional[Attribute]]] = {}
        auto = []
        for name in ("terraform.tfvars", "terraform.tfvars.json"):
            if self.sources.isfile(os.path.join(root_dir, name)):
                auto.append(os.path.join(root_dir, name))
        names = self.sources.listdir(root_dir)
        auto += [os.path.join(root_dir, n) for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        scoped = [f for d, files in self.options.scoped_var_files if d == root_dir for f in files]
        for path in auto + scoped + [os.path.abspath(p) for p in self.options.var_files]:
            parsed = self.parse_file(path)
            if parsed is None:
                continue
            for name, attr in parsed.body.attributes.items():
                if name not in mdir.variables:
                    continue  # Terraform only warns about values for undeclared variables
                try:
                    values[name] = (materialize(eval_expr(attr.expr, Scope(None))), attr)
                except EvalError:
                    values[name] = (UNKNOWN, attr)
        self.declared_vars.update(mdir.variables)
        for name, raw in self.options.vars:
            values[name] = (_cli_value(raw, mdir.variables.get(name)), None)
            block = mdir.variables.get(name)
            if block is not None:
                shown = raw if len(raw) <= 40 else raw[:37] + "..."
                self.cli_origins[(block.loc.path, block.loc.line)] = f"--var {name}={shown}"
        return values

    def roots(self, dirs: Optional[List[str]] = None) -> Iterator[ModuleInstance]:
        for d in self.relevant_roots() if dirs is None else dirs:
            mdir = self.module_dir(d)
            if mdir is None:
                continue
            yield ModuleInstance(self, mdir, root_values=self.root_values(d, mdir))


def parse_source(path: str, text: str) -> Tuple[Optional[ParsedFile], Optional[FileError]]:
    """Parse one Terraform file (HCL or JSON syntax)."""
    try:
        if path.endswith(".json"):
            return ParsedFile(path, json_body(path, load_document(text, "JSON") if text.strip() else {})), None
        if "emrlint" not in text.lower():  # no suppression comment can be here: skip the comment scan
            return ParsedFile(path, file_body(path, parse_file(text, with_comments=False))), None
        parsed = parse_file(text)
        return ParsedFile(path, file_body(path, parsed), list(parsed.comments), parsed.spans()), None
    except (ParseError, DocumentError) as exc:
        return None, FileError(path, exc.message, exc.line, exc.column)
    except RecursionError:
        return None, FileError(path, "syntax error: nesting too deep", 1, 1)


def _cli_value(raw: str, block: Optional[Block]) -> Any:
    """A ``--var name=value``: a string, unless the variable's type asks for an expression."""
    stripped = raw.strip()
    if stripped[:1] in ("[", "{") or stripped in ("true", "false", "null"):
        node = parse_expression(stripped)
        if node is not None:
            try:
                return materialize(eval_expr(node, Scope(None)))
            except EvalError:
                return UNKNOWN
    return raw


# ---------------------------------------------------------------------------
# Terraform JSON syntax
# ---------------------------------------------------------------------------

_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def _loc(path: str, container: Any, key: Any, fallback: Loc) -> Loc:
    pos = key_position(container, key)
    return Loc(path, pos[0], pos[1]) if pos else fallback


def json_body(path: str, doc: Any, loc: Optional[Loc] = None, block_type: str = "") -> Body:
    """A Terraform JSON object as a :class:`Body`: every key is an attribute, and
    object-valued keys are also blocks (the schema decides which is meant)."""
    loc = loc or Loc(path, 1, 1)
    body = Body(path, loc)
    if not isinstance(doc, dict):
        return body
    for key, value in doc.items():
        key = str(key)
        if key == "//":
            continue
        kloc = _loc(path, doc, key, loc)
        body.attributes[key] = Attribute(key, JsonExpr(value, kloc), kloc)
        n_labels = _LABELS.get(key, 0) if not block_type else (1 if key == "dynamic" else 0)
        if key == "locals" and not block_type:
            for item in value if isinstance(value, list) else [value]:
                body.blocks.append(Block("locals", [], json_body(path, item, kloc, "locals"), kloc))
            continue
        for labels, inner, iloc in _label_walk(path, value, n_labels, kloc):
            if isinstance(inner, dict):
                body.blocks.append(Block(key, labels, json_body(path, inner, iloc, key), iloc))
    return body


def _label_walk(path: str, value: Any, depth: int, loc: Loc, labels: Tuple[str, ...] = ()) -> Iterator[Tuple[List[str], Any, Loc]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _label_walk(path, item, depth, _loc(path, value, i, loc), labels)
        return
    if depth == 0:
        yield list(labels), value, loc
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _label_walk(path, v, depth - 1, _loc(path, value, k, loc), labels + (str(k),))
