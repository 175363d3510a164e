"""The emrlint configuration: ``.emrlint.yaml`` or ``[tool.emrlint]`` in ``pyproject.toml``.

```yaml
select: [EMR1, EMR201]        # rule IDs, ID prefixes or names
ignore: [EMR102]
exclude: ["examples/", "**/legacy/*.tf"]   # gitignore-style, relative to this file
fail-on: warning              # error | warning | info
severity: {EMR301: error}     # per-rule severity overrides
params:
  EMR102: {min_spot_share: 0.5}
var-files: [env/prod.tfvars]
max-file-size: 64MB           # larger files are EMR001 (bytes, or a number with KB/MB/GB)
region: eu-west-1             # prices resources (EMR107, emrlint cost); default: the provider's region
prices: prices.yaml           # your own rates, replacing or extending the shipped price table
extend: ../../platform/emrlint.yaml   # that file's settings, under this file's
per-path:                     # for files matching a gitignore-style pattern (relative to this file)
  legacy/: {ignore: [EMR301], severity: {EMR201: warning}, params: {EMR103: {max_idle_timeout_seconds: 14400}}}
policies: [ci/policies/]      # YAML policies (emrlint.policies); also .emrlint/policies/ beside this file
plugins: [ci/emrlint_rules]   # directories of Python rule modules
```

Which file applies where (each file's nearest config) is decided in emrlint.layers.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

from emrlint.discovery import UsageError
from emrlint.findings import SEVERITIES
from emrlint.record import dataclass, field
from emrlint.registry import id_of, load_rule, resolve_ids, rule_index
from emrlint.text import quote
from emrlint.lazyre import lazy_re

CONFIG_NAMES = (".emrlint.yaml", ".emrlint.yml")
KEYS = {
    "select": "list", "ignore": "list", "exclude": "list", "fail-on": "severity",
    "severity": "map", "params": "map", "var-files": "list", "max-file-size": "size",
    "extend": "path", "per-path": "map", "region": "string", "prices": "string", "policies": "list",
    "plugins": "list",
}
ALIASES = {"fail_on": "fail-on", "var_files": "var-files", "extend-exclude": "exclude", "max_file_size": "max-file-size",
           "per_path": "per-path"}
_SIZE = lazy_re(r"^\s*(\d+(?:\.\d+)?)\s*(B|BYTES?|KB|KIB|MB|MIB|GB|GIB)?\s*$", re.I)
_UNITS = {"": 1, "B": 1, "BYTE": 1, "BYTES": 1, "KB": 1 << 10, "KIB": 1 << 10, "MB": 1 << 20, "MIB": 1 << 20, "GB": 1 << 30, "GIB": 1 << 30}


def parse_size(value: Any) -> Optional[int]:
    """Bytes from ``67108864``, ``"64MB"``, ``"64 MiB"`` or ``"1GB"`` (KB/MB/GB are binary); None if it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    m = _SIZE.match(value) if isinstance(value, str) else None
    if not m:
        return None
    size = int(float(m.group(1)) * _UNITS[(m.group(2) or "").upper()])
    return size if size > 0 else None


class ConfigError(UsageError):
    def __init__(self, path: str, line: Optional[int], message: str):
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")


@dataclass
class PerPath:
    """``per-path``: ignores, severities and parameters for the files matching gitignore-style
    patterns (relative to the config file that writes them)."""

    patterns: List[str]
    base_dir: str
    origin: str  # config file:line
    ignore: List[str] = field(default_factory=list)
    severity: Dict[str, str] = field(default_factory=dict)
    params: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        spec = self.__dict__.get("_spec")
        if spec is None:
            import pathspec

            spec = self.__dict__["_spec"] = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        rel = os.path.relpath(path, self.base_dir)
        return not rel.startswith("..") and spec.match_file(rel.replace(os.sep, "/"))

    def __getstate__(self) -> Dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_spec"}


@dataclass
class Config:
    path: Optional[str] = None
    base_dir: str = "."
    select: Optional[List[str]] = None
    ignore: List[str] = field(default_factory=list)
    exclude_groups: List[Tuple[List[str], str]] = field(default_factory=list)  # (patterns, their directory)
    fail_on: Optional[str] = None
    severity: Dict[str, str] = field(default_factory=dict)  # rule ID -> severity
    params: Dict[str, Dict[str, Any]] = field(default_factory=dict)  # rule ID -> params
    var_files: List[str] = field(default_factory=list)
    max_file_size: Optional[int] = None  # bytes
    per_path: List[PerPath] = field(default_factory=list)
    extends: List[str] = field(default_factory=list)  # config files this one extends, outermost first
    region: Optional[str] = None  # the region that prices resources (EMR107, emrlint cost)
    region_where: str = ""  # "path:line" of the region key
    prices: Optional[str] = None  # a price file (absolute path), replacing or extending the shipped table
    prices_where: str = ""
    rules: List[str] = field(default_factory=list)  # IDs of the rules its policies and plugins define
    policy_files: List[str] = field(default_factory=list)  # its policies (with the extended files')
    plugin_dirs: List[str] = field(default_factory=list)  # its directories of Python rule modules
    example_dirs: List[str] = field(default_factory=list)  # its policies' examples (absolute directories)

    @property
    def exclude(self) -> List[str]:
        """This file's own exclude patterns (relative to ``base_dir``)."""
        return [p for patterns, base in self.exclude_groups if base == self.base_dir for p in patterns]

    def files(self) -> List[str]:
        """The config files whose contents decide this configuration."""
        return self.extends + ([self.path] if self.path else []) + self.policy_files


def config_in(directory: str) -> Optional[str]:
    """The config file of ``directory`` itself (``.emrlint.yaml``, ``.emrlint.yml``, or a
    ``pyproject.toml`` with ``[tool.emrlint]``), or None; emrlint.layers looks upward."""
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    pyproject = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(pyproject) and _has_tool_section(pyproject):
        return pyproject
    return None


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return re.search(r"^\s*\[\s*tool\s*\.\s*emrlint\s*[\].]", fh.read(), re.M) is not None
    except (OSError, UnicodeDecodeError):
        return False


def load_config(path: Optional[str], cache: bool = False) -> Config:
    """The configuration in ``path`` (with what it extends, and the rules of its policies and
    plugins); ``cache``: keep the parsed policy documents in the result cache."""
    if path is None:
        return Config(base_dir=os.getcwd())
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise ConfigError(path, None, "config file not found")
    from emrlint.policies import cached_documents

    with cached_documents(cache):
        return _load(path, ())


def _load(path: str, chain: Tuple[str, ...]) -> Config:
    if path.endswith(".toml"):
        data, line_of = _load_toml(path)
    else:
        data, line_of = _load_yaml(path)
    return _validate(path, data, line_of, chain)


def _load_yaml(path: str):
    from emrlint.jsonpos import DocumentError, key_position, load_document

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        data = load_document(text, "YAML")
    except DocumentError as exc:
        raise ConfigError(path, exc.line, exc.message) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(path, 1, "the config must be a mapping of keys")

    def line_of(*keys: str) -> Optional[int]:
        node = data
        pos = None
        for k in keys:
            if not isinstance(node, dict) or k not in node:
                return pos[0] if pos else None
            pos = key_position(node, k) or pos
            node = node[k]
        return pos[0] if pos else None

    return data, line_of


def _load_toml(path: str):
    try:
        import tomllib  # type: ignore[import-not-found]
    except ImportError:  # Python < 3.11
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        doc = tomllib.loads(raw.decode("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise ConfigError(path, int(m.group(1)) if m else None, f"TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    data = doc.get("tool", {}).get("emrlint", {})
    lines = raw.decode("utf-8").splitlines()

    def line_of(*keys: str) -> Optional[int]:
        # TOML parsers keep no positions: find the key in the [tool.emrlint...] tables
        want = [str(k) for k in keys]
        section: List[str] = []
        for i, text in enumerate(lines, 1):
            header = re.match(r"^\s*\[+\s*([^\]]+?)\s*\]+\s*(#.*)?$", text)
            if header:
                section = [p.strip("\"'") for p in re.findall(r'"[^"]*"|\'[^\']*\'|[^.\s]+', header.group(1))]
                if section[:2] == ["tool", "emrlint"] and section[2:] == want:
                    return i
                continue
            if section[:2] != ["tool", "emrlint"]:
                continue
            m = re.match(r"^\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=", text)
            if m and section[2:] + [m.group(1).strip("\"'")] == want:
                return i
        return line_of(*keys[:-1]) if len(keys) > 1 else None

    return data, line_of


def _rule_id(code: str, path: str, line: Optional[int], what: str, custom: List[str]) -> str:
    rule_id = id_of(code, custom)
    if rule_id is None:
        raise ConfigError(path, line, f"{what}: unknown rule {code!r} (see `emrlint rules`)")
    return rule_id


MAX_EXTEND_DEPTH = 16


def _validate(path: str, data: Dict[str, Any], line_of, chain: Tuple[str, ...] = ()) -> Config:
    cfg = Config(path=path, base_dir=os.path.dirname(path))
    items = []
    for raw_key, value in data.items():
        key = ALIASES.get(str(raw_key), str(raw_key))
        if key not in KEYS:
            raise ConfigError(path, line_of(raw_key), f"unknown key {raw_key!r} (known keys: {', '.join(sorted(KEYS))})")
        items.append((raw_key, key, value))
    # the extended file first: this file's keys are applied over it
    for raw_key, key, value in items:
        if key == "extend":
            _extend(cfg, raw_key, value, line_of(raw_key), chain + (path,))
    inherited = list(cfg.rules)
    # then the rules it defines: its other keys may name them
    _custom_rules(cfg, [(raw_key, key, value) for raw_key, key, value in items if key in ("policies", "plugins")],
                  line_of)
    for raw_key, key, value in items:
        line = line_of(raw_key)
        if KEYS[key] == "list":
            value = _strings(value, path, line, raw_key)
        if key in ("select", "ignore"):
            _check_codes(value, path, line, raw_key, cfg.rules)
            if key == "select":
                cfg.select = value
            else:
                cfg.ignore = cfg.ignore + [v for v in value if v not in cfg.ignore]
        elif key == "exclude":
            cfg.exclude_groups.append((value, cfg.base_dir))
        elif key == "var-files":
            cfg.var_files = cfg.var_files + [_inside_repository(path, line, cfg.base_dir, v, raw_key) for v in value]
        elif key in ("region", "prices"):
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(path, line, f"{raw_key}: expected "
                                  + ("a region name such as us-east-1" if key == "region" else "the path of a price file"))
            where = f"{path}:{line}" if line else path
            if key == "region":
                cfg.region, cfg.region_where = value.strip(), where
            else:
                cfg.prices, cfg.prices_where = os.path.join(cfg.base_dir, value.strip()), where
        elif key == "max-file-size":
            size = parse_size(value)
            if size is None:
                raise ConfigError(path, line, f"{raw_key}: expected a positive size in bytes or with a unit "
                                  f"(for example 64MB, 512KB, 1GB), got {value!r}")
            cfg.max_file_size = size
        elif key == "fail-on":
            if value not in SEVERITIES:
                raise ConfigError(path, line, f"{raw_key}: expected one of {', '.join(SEVERITIES)}")
            cfg.fail_on = value
        elif key == "severity":
            cfg.severity.update(_severities(value, path, line_of, (raw_key,), cfg.rules))
        elif key == "params":
            for rid, params in _params(value, path, line_of, (raw_key,), cfg.rules).items():
                cfg.params.setdefault(rid, {}).update(params)
        elif key == "per-path":
            cfg.per_path = cfg.per_path + _per_path(value, cfg.base_dir, path, line_of, raw_key, cfg.rules)
    if cfg.select is not None and not any(key == "select" for _, key, _ in items):
        # an extended select list: the rules this file defines itself are selected with it
        cfg.select = cfg.select + [r for r in cfg.rules if r not in inherited]
    return cfg


POLICY_DIR = os.path.join(".emrlint", "policies")

PLUGINS_ENV = "EMRLINT_LOAD_PLUGINS"  # set to 1 by --load-plugins


def plugins_allowed() -> bool:
    """Whether rule modules named by a config's ``plugins:`` may be imported.  They are
    Python from the scanned repository: a pull request could add one and run code in CI, so
    they run only when whoever runs emrlint says so (``--load-plugins`` or
    ``EMRLINT_LOAD_PLUGINS=1``).  Installed rule packages (entry points) need no opt-in:
    installing them was the opt-in."""
    return os.environ.get(PLUGINS_ENV, "").strip().lower() in ("1", "true", "yes")


def _custom_rules(cfg: Config, items: List[Tuple[Any, str, Any]], line_of) -> None:
    """Load the policies (``policies:``, and ``.emrlint/policies/`` beside the config) and the
    directories of rule modules (``plugins:``) of a config, and make their rules known."""
    from emrlint.policies import PolicyError, load_policy, policy_files
    from emrlint.registry import RuleDefinitionError, load_plugin_dir, register

    path = cfg.path or ""
    found: List[Tuple[str, Optional[int]]] = []  # (policy file, line of the config that names it)
    dirs: List[Tuple[str, Optional[int]]] = []
    auto = os.path.join(cfg.base_dir, POLICY_DIR)
    if os.path.isdir(auto):
        found += [(f, None) for f in policy_files([POLICY_DIR], cfg.base_dir)]
    for raw_key, key, value in items:
        line = line_of(raw_key)
        value = _strings(value, path, line, raw_key)
        if key == "policies":
            for pattern in value:
                try:
                    found += [(f, line) for f in policy_files([pattern], cfg.base_dir)]
                except FileNotFoundError:
                    raise ConfigError(path, line, f"{raw_key}: {pattern}: no policy file (*.yaml, *.yml) there") from None
        else:
            for d in value:
                full = os.path.normpath(os.path.join(cfg.base_dir, os.path.expanduser(d)))
                if not os.path.isdir(full):
                    raise ConfigError(path, line, f"{raw_key}: {d}: no such directory")
                dirs.append((full, line))
    for policy_path, line in found:
        if policy_path in cfg.policy_files:
            continue
        try:
            rule = load_policy(policy_path)
            register([rule])
        except PolicyError as exc:
            raise ConfigError(exc.path, exc.line, exc.message) from None
        except RuleDefinitionError as exc:
            id_line = int(rule.origin.rsplit(":", 1)[1])
            raise ConfigError(policy_path, id_line, f"id: {exc}") from None
        cfg.policy_files.append(policy_path)
        cfg.rules.append(rule.id)
        cfg.example_dirs.append(os.path.splitext(policy_path)[0])  # its examples: never part of a scan
    if dirs and not plugins_allowed():
        # fail closed: the config asks for rules that will not run, so no scan under it may pass
        raise ConfigError(path, dirs[0][1], "plugins: rule modules from the scanned repository are Python code "
                          "and run only with --load-plugins (or EMRLINT_LOAD_PLUGINS=1); "
                          "pass it if you trust this repository, or use --no-config")
    for directory, line in dirs:
        if directory in cfg.plugin_dirs:
            continue
        try:
            rules = load_plugin_dir(directory)
            register(rules)
        except RuleDefinitionError as exc:
            raise ConfigError(path, line, f"plugins: {exc}") from None
        cfg.plugin_dirs.append(directory)
        cfg.rules += [r.id for r in rules]


def _strings(value: Any, path: str, line: Optional[int], what: str) -> List[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(path, line, f"{what}: expected a list of strings")
    return [str(v) for v in value]


def _check_codes(codes: List[str], path: str, line: Optional[int], what: str, custom: List[str]) -> None:
    for code in codes:
        if not resolve_ids(code, custom):
            raise ConfigError(path, line, f"{what}: unknown rule {code!r} (see `emrlint rules`)")


def _extend(cfg: Config, raw_key: Any, value: Any, line: Optional[int], chain: Tuple[str, ...]) -> None:
    """``extend: ../../platform/emrlint.yaml``: that file's settings, under this file's."""
    path = chain[-1]
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(path, line, f"{raw_key}: expected the path of a config file")
    target = _inside_repository(path, line, cfg.base_dir, value, raw_key)
    if target in chain:
        raise ConfigError(path, line, f"{raw_key}: {value} extends this file again (a cycle)")
    if len(chain) > MAX_EXTEND_DEPTH:
        raise ConfigError(path, line, f"{raw_key}: more than {MAX_EXTEND_DEPTH} configs extend one another")
    if not os.path.isfile(target):
        raise ConfigError(path, line, f"{raw_key}: {value}: no such config file")
    base = _load(target, chain)
    cfg.extends = base.extends + [target]
    for name in ("select", "fail_on", "max_file_size", "region", "region_where", "prices", "prices_where"):
        setattr(cfg, name, getattr(base, name))
    cfg.ignore = list(base.ignore)
    cfg.exclude_groups = list(base.exclude_groups)
    cfg.severity = dict(base.severity)
    cfg.params = {rid: dict(p) for rid, p in base.params.items()}
    cfg.var_files = list(base.var_files)
    cfg.per_path = list(base.per_path)
    cfg.rules = list(base.rules)
    cfg.policy_files = list(base.policy_files)
    cfg.plugin_dirs = list(base.plugin_dirs)
    cfg.example_dirs = list(base.example_dirs)


def _severities(value: Any, path: str, line_of, keys: Tuple[Any, ...], custom: List[str]) -> Dict[str, str]:
    what = ".".join(str(k) for k in keys)
    if not isinstance(value, dict):
        raise ConfigError(path, line_of(*keys), f"{what}: expected a mapping of rule to severity")
    out: Dict[str, str] = {}
    for code, sev in value.items():
        line = line_of(*keys, code)
        rid = _rule_id(str(code), path, line, what, custom)
        if sev not in SEVERITIES:
            raise ConfigError(path, line, f"{what}.{code}: expected one of {', '.join(SEVERITIES)}")
        if rid == "EMR001" and sev != "error":
            raise ConfigError(path, line, f"{what}.EMR001: a file that was not read is "
                              "always an error (EMR001 cannot be lowered or turned off)")
        out[rid] = sev
    return out


def _params(value: Any, path: str, line_of, keys: Tuple[Any, ...], custom: List[str]) -> Dict[str, Dict[str, Any]]:
    from emrlint.jsonpos import plain

    what = ".".join(str(k) for k in keys)
    if not isinstance(value, dict):
        raise ConfigError(path, line_of(*keys), f"{what}: expected a mapping of rule to parameters")
    out: Dict[str, Dict[str, Any]] = {}
    for code, params in value.items():
        rid = _rule_id(str(code), path, line_of(*keys, code), what, custom)
        rule = load_rule(rid)
        if not isinstance(params, dict):
            raise ConfigError(path, line_of(*keys, code), f"{what}.{code}: expected a mapping")
        for pname, pvalue in params.items():
            pline = line_of(*keys, code, pname)
            spec = rule.params.get(str(pname))
            if spec is None:
                known = ", ".join(sorted(rule.params)) or "none"
                raise ConfigError(path, pline, f"{what}.{code}: unknown parameter {pname!r} for {rid} (known: {known})")
            pvalue = plain(pvalue)
            problem = spec.validate(pvalue)
            if problem:
                raise ConfigError(path, pline, f"{what}.{code}.{pname}: {problem} (got {quote(pvalue, 80)})")
            out.setdefault(rid, {})[str(pname)] = pvalue
    return out


PER_PATH_KEYS = ("ignore", "severity", "params")


def _per_path(value: Any, base_dir: str, path: str, line_of, raw_key: Any, custom: List[str]) -> List["PerPath"]:
    if not isinstance(value, dict):
        raise ConfigError(path, line_of(raw_key), f"{raw_key}: expected a mapping of path patterns to settings")
    out = []
    for pattern, settings in value.items():
        line = line_of(raw_key, pattern)
        where = f"{raw_key}.{pattern}"
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(path, line, f"{raw_key}: expected gitignore-style path patterns as keys")
        if not isinstance(settings, dict):
            raise ConfigError(path, line, f"{where}: expected a mapping with {', '.join(PER_PATH_KEYS)}")
        pp = PerPath([pattern.strip()], base_dir, f"{path}:{line or 1}")
        for key, item in settings.items():
            keys = (raw_key, pattern, key)
            if key == "ignore":
                pp.ignore = _strings(item, path, line_of(*keys), f"{where}.ignore")
                _check_codes(pp.ignore, path, line_of(*keys), f"{where}.ignore", custom)
            elif key == "severity":
                pp.severity = _severities(item, path, line_of, keys, custom)
            elif key == "params":
                pp.params = _params(item, path, line_of, keys, custom)
            else:
                raise ConfigError(path, line_of(*keys), f"{where}: unknown key {key!r} (known keys: "
                                  f"{', '.join(PER_PATH_KEYS)})")
        out.append(pp)
    return out


def _inside_repository(path: str, line: Optional[int], base_dir: str, value: str, raw_key: str) -> str:
    """A file a config names (``var-files``, ``extend``): in the project holding the config
    (:func:`project_root`), real paths compared, links resolved; anything else would let a
    repository's config make emrlint read, and print, files that are not its own."""
    full = os.path.normpath(os.path.join(base_dir, os.path.expanduser(value)))
    root = os.path.realpath(project_root(base_dir))
    real = os.path.realpath(full)
    if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
        raise ConfigError(path, line, f"{raw_key}: {quote(value)} is outside the repository of this config file; "
                                      "name files in the repository (or pass --var-file)")
    return full


def project_root(directory: str) -> str:
    """The git repository holding ``directory``; outside a repository, the highest directory
    above it (or itself) that holds an emrlint config, as a monorepo's root config does."""
    from emrlint.sources import repository_of

    repository = repository_of(directory)
    if repository != directory or os.path.exists(os.path.join(directory, ".git")):
        return repository
    root, d = directory, directory
    while True:
        parent = os.path.dirname(d)
        if parent == d:
            return root
        d = parent
        if config_in(d):
            root = d


def split_codes(text: Optional[str]) -> Optional[List[str]]:
    """``--select EMR1,ACME001`` as a list of codes (checked once the configs that may define
    them are loaded: emrlint.layers)."""
    if text is None:
        return None
    return [c for c in re.split(r"[\s,]+", text) if c]


def parse_codes(text: Optional[str]) -> Optional[List[str]]:
    codes = split_codes(text)
    for code in codes or ():
        if not resolve_ids(code):
            raise UsageError(f"unknown rule {code!r} (see `emrlint rules`)")
    return codes


def selected_rules(select: Optional[List[str]], ignore: List[str], custom: Sequence[str] = ()) -> List[str]:
    """Rule IDs enabled by select/ignore lists (select defaults to all), among emrlint's and
    installed rules and the config-defined rules ``custom``."""
    chosen = set(resolve_ids("ALL", custom)) if not select else {i for code in select for i in resolve_ids(code, custom)}
    for code in ignore:
        chosen -= set(resolve_ids(code, custom))
    return sorted(chosen)


def merge_cli(cfg: Config, select: Optional[List[str]], ignore: Optional[List[str]],
              extend_select: Optional[List[str]] = None) -> Tuple[Optional[List[str]], List[str]]:
    """Command-line select replaces the config's; ignores add up."""
    sel = select if select is not None else cfg.select
    if extend_select:
        sel = (sel or ["ALL"]) + extend_select
    ign = list(cfg.ignore) + list(ignore or [])
    return sel, ign
