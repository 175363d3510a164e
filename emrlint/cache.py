"""A content-hash cache of scan results, in the user's cache directory.

An entry is keyed by everything that decides a scan's result but the files'
contents: emrlint's own code, the options (rules, parameters, excludes,
variables) and the list of files discovered.  It records every file the scan
read (with a SHA-256 of its content) and every question it asked the file
system (directory listings, existence, globs).  An entry is used only when all
of them still give the same answers, so the result is exactly what a fresh scan
would find.

Entries are JSON, written atomically (a temporary file renamed into place), so
concurrent runs never see a partial entry; an unreadable entry is a miss.
``--no-cache`` (or ``EMRLINT_NO_CACHE=1``) disables the cache;
``EMRLINT_CACHE_DIR`` moves it.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from typing import Any, Dict, List, Optional, Sequence

from emrlint import __version__
from emrlint.findings import CallSite, Finding, Loc
from emrlint.sources import Sources, answer

FORMAT = 1
MAX_ENTRIES = 256


def cache_dir() -> str:
    explicit = os.environ.get("EMRLINT_CACHE_DIR")
    if explicit:
        return explicit
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
        return os.path.join(base, "emrlint", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/emrlint")
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "emrlint")


def _code_fingerprint() -> str:
    """emrlint's own code (sizes and modification times of its modules and rules): an
    edited rule in a development checkout invalidates every entry."""
    import emrlint
    import emrlint.rules

    h = hashlib.sha256(__version__.encode())
    for package in (emrlint, emrlint.rules):
        for directory in package.__path__:
            for dirpath, dirnames, filenames in os.walk(directory):
                dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
                for name in sorted(filenames):
                    if name.endswith(".py"):
                        st = os.stat(os.path.join(dirpath, name))
                        h.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def digest(data: Optional[bytes]) -> Optional[str]:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


class ScanCache:
    def __init__(self, options_key: Dict[str, Any], files: Sequence[str], directory: Optional[str] = None):
        self.directory = directory or cache_dir()
        material = json.dumps({"format": FORMAT, "code": _code_fingerprint(), "cwd": os.getcwd(),
                               "options": options_key, "files": list(files)}, sort_keys=True, default=str)
        self.key = hashlib.sha256(material.encode()).hexdigest()
        self.path = os.path.join(self.directory, f"{self.key}.json")

    def load(self) -> Optional[Dict[str, Any]]:
        """The cached result, if every input it recorded is unchanged."""
        try:
            with open(self.path, encoding="utf-8") as fh:
                entry = json.load(fh)
        except (OSError, ValueError):
            return None
        try:
            for path, recorded in entry["inputs"].items():
                if digest(_read(path)) != recorded:
                    return None
            for kind, path, arg, expected in entry["queries"]:
                if _normal(answer(kind, path, arg)) != expected:
                    return None
            return entry["result"]
        except (KeyError, TypeError, ValueError):
            return None

    def store(self, sources: Sources, result: Dict[str, Any]) -> None:
        entry = {
            "inputs": {path: sources.external[path] if path in sources.external and sources.content(path) is None
                       else digest(sources.content(path)) for path in sources.read_paths()},
            "queries": [[kind, path, arg, _normal(value)] for (kind, path, arg), value in sources.queries.items()],
            "result": result,
        }
        try:
            os.makedirs(self.directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=self.directory)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh)
            os.replace(tmp, self.path)
        except OSError:
            return  # a read-only or full cache directory only costs speed
        self._prune()

    def _prune(self) -> None:
        try:
            names = [n for n in os.listdir(self.directory) if n.endswith(".json")]
            if len(names) <= MAX_ENTRIES:
                return
            paths = sorted((os.path.join(self.directory, n) for n in names), key=os.path.getmtime)
            for path in paths[: len(paths) - MAX_ENTRIES]:
                os.unlink(path)
        except OSError:
            pass


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------------------
# findings <-> JSON
# ---------------------------------------------------------------------------


def _loc(loc: Loc) -> List[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def finding_to_json(f: Finding) -> Dict[str, Any]:
    return {
        "rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message, "loc": _loc(f.loc),
        "resource": f.resource, "call_sites": [[c.address, _loc(c.loc)] for c in f.call_sites],
        "related": [[m, _loc(loc)] for m, loc in f.related], "key": f.key, "source_format": f.source_format,
        "subject": _loc(f.subject) if f.subject else None,
    }


def finding_from_json(d: Dict[str, Any]) -> Finding:
    return Finding(
        d["rule"], d["name"], d["severity"], d["message"], Loc(*d["loc"]), d["resource"],
        tuple(CallSite(a, Loc(*loc)) for a, loc in d["call_sites"]),
        tuple((m, Loc(*loc)) for m, loc in d["related"]), d["key"], d["source_format"],
        Loc(*d["subject"]) if d["subject"] else None,
    )
