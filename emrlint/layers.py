"""Which configuration applies where: layered configuration for monorepos.

Without ``--config``, every file is governed by the nearest configuration upward from
it (``.emrlint.yaml``, ``.emrlint.yml``, or ``pyproject.toml`` with ``[tool.emrlint]``),
as ruff finds its configuration: a team directory with its own ``.emrlint.yaml`` gets
that file's settings, whether the scan starts at the repository root or inside the team
directory.  A resource is governed by the configuration of its root module directory
(Terraform) or of its file (documents), so a shared module called from two teams' root
modules is checked with each team's settings.

``per-path`` overrides of a configuration apply to a resource when a pattern matches the
file that declares it or a file that calls its module; to other findings (a file that
does not parse, a suppression comment) when it matches their file.

The command line's ``--select`` replaces every configuration's ``select`` and its
``--ignore`` adds to every configuration's ``ignore``.
"""

from __future__ import annotations

import os
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from emrlint.config import Config, config_in, load_config, merge_cli, selected_rules
from emrlint.discovery import UsageError
from emrlint.record import dataclass


@dataclass
class Settings:
    """What applies to one resource or file: enabled rule IDs, severity overrides, parameters."""

    rules: FrozenSet[str]
    severity: Dict[str, str]
    params: Dict[str, Dict[str, Any]]


class Layers:
    """The configurations of a scan.  ``config``: one configuration for every file
    (``--config FILE``, or none with ``--no-config``); without it, each file's nearest."""

    def __init__(self, select: Optional[List[str]] = None, ignore: Optional[List[str]] = None,
                 config: Optional[Config] = None, discover: bool = True, cache: bool = False):
        self.select = select
        self.cache = cache  # keep parsed policy documents in the result cache
        self.ignore = ignore
        self.fixed = config if config is not None or discover else Config(base_dir=os.getcwd())
        self._default = Config(base_dir=os.getcwd())
        self._nearest: Dict[str, Optional[str]] = {}  # directory -> its config file (None: no config)
        self._configs: Dict[str, Config] = {}  # config file -> the loaded configuration
        self._settings: Dict[Tuple[str, Tuple[int, ...]], Settings] = {}
        self._key: Optional[Tuple[int, Dict[str, Any]]] = None

    # -- finding configurations ----------------------------------------------------------

    def _nearest_path(self, directory: str) -> Optional[str]:
        directory = os.path.abspath(directory)
        walked = []
        d = directory
        found: Optional[str] = None
        while True:
            if d in self._nearest:
                found = self._nearest[d]
                break
            walked.append(d)
            found = config_in(d)
            if found is not None:
                break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for w in walked:
            self._nearest[w] = found
        return found

    def config_for(self, directory: str) -> Config:
        """The configuration that governs ``directory``."""
        if self.fixed is not None:
            return self.fixed
        path = self._nearest_path(directory)
        if path is None:
            return self._default
        cfg = self._configs.get(path)
        if cfg is None:
            cfg = self._configs[path] = load_config(path, cache=self.cache)
            for v in cfg.var_files:
                if not os.path.isfile(v):
                    raise UsageError(f"{path}: var-files: {v}: no such file")
        return cfg

    def prepare(self, files: Sequence[str]) -> None:
        """Load the configuration of every directory holding one of ``files`` (before a
        scan: its exclude patterns, cache key and worker processes need them all)."""
        for d in sorted({os.path.dirname(f) for f in files}):
            self.config_for(d)
        self.check_codes()

    def check_codes(self) -> None:
        """The command line's rule codes must name rules emrlint, an installed package or one of
        the loaded configs defines."""
        from emrlint.registry import resolve

        custom = [r for cfg in self.configs() for r in cfg.rules]
        for code in list(self.select or ()) + list(self.ignore or ()):
            if not resolve(code, custom):
                raise UsageError(f"unknown rule {code!r} (see `emrlint rules`)")

    def configs(self) -> List[Config]:
        return [self.fixed] if self.fixed is not None else list(self._configs.values()) or [self._default]

    # -- settings --------------------------------------------------------------------------

    def settings_for(self, directory: str, paths: Sequence[str]) -> Settings:
        """The settings of a resource governed from ``directory`` and declared or called
        from ``paths`` (per-path overrides match any of them)."""
        cfg = self.config_for(directory)
        matching = tuple(i for i, pp in enumerate(cfg.per_path) if any(pp.matches(p) for p in paths))
        key = (cfg.path or "", matching)
        found = self._settings.get(key)
        if found is None:
            found = self._settings[key] = self._compute(cfg, matching)
        return found

    def _compute(self, cfg: Config, matching: Tuple[int, ...]) -> Settings:
        select, ignore = merge_cli(cfg, self.select, self.ignore)
        severity = dict(cfg.severity)
        params = {rid: dict(p) for rid, p in cfg.params.items()}
        for i in matching:
            pp = cfg.per_path[i]
            ignore = ignore + pp.ignore
            severity.update(pp.severity)
            for rid, values in pp.params.items():
                params.setdefault(rid, {}).update(values)
        return Settings(frozenset(selected_rules(select, ignore, cfg.rules)), severity, params)

    # -- what the rest of a scan needs -------------------------------------------------------

    def exclude_groups(self) -> List[Tuple[List[str], str]]:
        return [g for cfg in self.configs() for g in cfg.exclude_groups]

    def example_dirs(self) -> List[str]:
        """The directories of the policies' examples: they are never part of a scan."""
        return sorted({d for cfg in self.configs() for d in cfg.example_dirs})

    def scoped_var_files(self) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        """(directory, var files) for every directory whose configuration names var files."""
        if self.fixed is not None:
            return ()
        out = []
        for d, path in sorted(self._nearest.items()):
            cfg = self._configs.get(path) if path else None
            if cfg is not None and cfg.var_files:
                out.append((d, tuple(cfg.var_files)))
        return tuple(out)

    def key(self) -> Dict[str, Any]:
        """What the scan's result depends on: every configuration's files and their contents."""
        if self._key is None or self._key[0] != len(self._configs):
            self._key = (len(self._configs), self._compute_key())
        return self._key[1]

    def _compute_key(self) -> Dict[str, Any]:
        from emrlint.registry import code_files

        files = sorted({f for cfg in self.configs() for f in cfg.files()})
        code = sorted({f for cfg in self.configs() for d in cfg.plugin_dirs for f in code_files(d)})
        return {"select": self.select, "ignore": self.ignore, "fixed": self.fixed is not None,
                "configs": sorted(cfg.path or "" for cfg in self.configs()),
                "files": {f: _digest(f) for f in files + code}}


def _digest(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            import hashlib

            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None
