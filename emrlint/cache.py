"""A content-hash cache of scan results, in the user's cache directory.

Two kinds of entry, both keyed by everything that decides a result but the files'
contents (emrlint's own code, the rules, their parameters and severities, Terraform
variables, the boundary that file() may read below):

* a *scan* entry for a whole scan (its key also holds the scanned paths, the excludes
  and the list of files discovered): a second scan of an unchanged tree is answered
  from it without loading a rule or a parser;
* a *part* entry for each root module (and one for the scan's JSON and YAML documents):
  when one file changes, only the root modules that read it are checked again.

An entry records every file its result depends on (with a SHA-256 of its content) and
every question it asked the file system (directory listings, existence, globs); it is
used only when all of them still give the same answers, so the result is exactly what a
fresh scan would find.  Recorded paths outside the scanned directories are never read
or asked again: such an entry is a miss.

Entries are signed with an HMAC-SHA256 key kept in the cache directory (``key``,
created on first use, readable only by its owner) and written atomically (a
temporary file renamed into place).  An entry that is truncated, malformed, signed
with another key or shaped unlike what emrlint writes is a miss, never an error.
Pruning deletes only files named like emrlint's own entries and temporary files.
``--no-cache`` (or ``EMRLINT_NO_CACHE=1``) disables the cache; ``EMRLINT_CACHE_DIR``
moves it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from emrlint import __version__
from emrlint.findings import CallSite, Finding, Loc
from emrlint.record import fields
from emrlint.sources import MAX_FILE_BYTES, Boundary, SourceError, Sources
from emrlint.lazyre import lazy_re

FORMAT = 2
MAX_ENTRIES = 20_000  # a part per root module: large monorepos have thousands
MAX_ENTRY_BYTES = 64 * 1024 * 1024
KEY_FILE = "key"
_ENTRY_NAME = lazy_re(r"^(scan|part|policy)-[0-9a-f]{64}\.entry$")
_TEMP_PREFIX = ".emrlint-tmp-"
_MAGIC = b"emrlint-cache 2 "


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


def _material_key(material: Any) -> str:
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


# ---------------------------------------------------------------------------
# The directory of signed entries
# ---------------------------------------------------------------------------


class EntryStore:
    """Signed, atomically written entries in one directory."""

    def __init__(self, directory: Optional[str] = None):
        self.directory = directory or cache_dir()
        self._key: Optional[bytes] = None

    def _signing_key(self, create: bool) -> Optional[bytes]:
        if self._key is not None:
            return self._key
        path = os.path.join(self.directory, KEY_FILE)
        key = _read_key(path)
        if key is None and create:
            key = _create_key(self.directory, path)
        self._key = key
        return key

    def _path(self, kind: str, key: str) -> str:
        return os.path.join(self.directory, f"{kind}-{key}.entry")

    def get(self, kind: str, key: str) -> Optional[Dict[str, Any]]:
        """The payload stored under ``key``, or None (absent, unreadable, unsigned,
        signed with another key, malformed, or stored under another key)."""
        signing_key = self._signing_key(create=False)
        if signing_key is None:
            return None
        try:
            with open(self._path(kind, key), "rb") as fh:
                raw = fh.read(MAX_ENTRY_BYTES + 1)
        except OSError:
            return None
        if len(raw) > MAX_ENTRY_BYTES or not raw.startswith(_MAGIC):
            return None
        head, sep, body = raw[len(_MAGIC):].partition(b"\n")
        if not sep or not hmac.compare_digest(head, _sign(signing_key, body).encode()):
            return None
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if not isinstance(payload, dict) or payload.get("key") != key or payload.get("kind") != kind:
            return None
        return payload

    def signature(self, body: bytes, create: bool) -> Optional[str]:
        """The signature of ``body`` with this directory's key (None: no key, and not ``create``
        or it cannot be made), for other files emrlint keeps here (python-hcl2's parse tables)."""
        key = self._signing_key(create)
        return _sign(key, body) if key is not None else None

    def write_file(self, path: str, data: bytes) -> bool:
        """Write ``path`` in this directory atomically (a temporary file renamed into place)."""
        try:
            import tempfile

            fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except BaseException:
                _unlink(tmp)
                raise
        except OSError:
            return False
        return True

    def put(self, kind: str, key: str, payload: Dict[str, Any]) -> bool:
        try:
            os.makedirs(self.directory, exist_ok=True)
            signing_key = self._signing_key(create=True)
            if signing_key is None:
                return False
            body = json.dumps(dict(payload, key=key, kind=kind), separators=(",", ":")).encode()
        except (OSError, ValueError, RecursionError):
            return False  # a read-only or full cache directory only costs speed
        return self.write_file(self._path(kind, key), _MAGIC + _sign(signing_key, body).encode() + b"\n" + body)

    def prune(self, keep: Optional[int] = None) -> None:
        """Delete the oldest of emrlint's entries beyond ``keep`` (default ``MAX_ENTRIES``),
        and temporary files a killed run left behind; nothing else in the directory is
        touched (not even a link named like an entry)."""
        keep = MAX_ENTRIES if keep is None else keep
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        entries, stale = [], []
        for name in names:
            path = os.path.join(self.directory, name)
            if _ENTRY_NAME.match(name):
                entries.append(path)
            elif name.startswith(_TEMP_PREFIX):
                stale.append(path)
        if len(entries) > keep:
            def mtime(p: str) -> float:
                try:
                    return os.lstat(p).st_mtime
                except OSError:
                    return 0.0

            entries.sort(key=mtime)
            for path in entries[: len(entries) - keep]:
                _unlink(path, regular_only=True)
        import time

        for path in stale:  # only old ones: a concurrent run may be writing the others
            try:
                if time.time() - os.lstat(path).st_mtime > 3600:
                    _unlink(path, regular_only=True)
            except OSError:
                pass


def _sign(key: bytes, body: bytes) -> str:
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _read_key(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as fh:
            text = fh.read(200).strip()
    except OSError:
        return None
    return text if re.fullmatch(rb"[0-9a-f]{64}", text) else None


def _create_key(directory: str, path: str) -> Optional[bytes]:
    """A new random key, created without a window where another run could see a partial
    one (written to a temporary file, then linked into place; if another run won the
    race, its key is used)."""
    import secrets

    key = secrets.token_hex(32).encode()
    try:
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=directory)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key + b"\n")
            if os.path.lexists(path):  # a malformed key file: replace it (its entries are misses)
                os.replace(tmp, path)
                return key
            os.link(tmp, path)
        finally:
            _unlink(tmp)
    except FileExistsError:
        pass
    except OSError:
        return None
    return _read_key(path)


def _unlink(path: str, regular_only: bool = False) -> None:
    try:
        if regular_only:
            import stat

            if not stat.S_ISREG(os.lstat(path).st_mode):
                return
        os.unlink(path)
    except OSError:
        pass


# ---------------------------------------------------------------------------
# Scan and part entries
# ---------------------------------------------------------------------------


class ScanCache:
    """The cache as one scan uses it.

    ``scan_key`` holds everything a whole scan's result depends on besides the files'
    contents; ``part_key`` what a root module's result does (not the list of files
    discovered, so a new file elsewhere does not invalidate it)."""

    def __init__(self, scan_key: Dict[str, Any], part_key: Dict[str, Any], boundary: Boundary,
                 max_file_size: int = MAX_FILE_BYTES, directory: Optional[str] = None):
        self.store = EntryStore(directory)
        self.boundary = boundary
        self.max_file_size = max_file_size
        # what validating entries read: a scan after a miss starts from it (nothing is read twice)
        self.sources = Sources(boundary, max_file_size)
        code = _code_fingerprint()
        self.key = _material_key({"format": FORMAT, "code": code, "cwd": os.getcwd(), "scan": scan_key})
        self._part_material = {"format": FORMAT, "code": code, "part": part_key}
        self._digests: Dict[str, Optional[str]] = {}

    @property
    def directory(self) -> str:
        return self.store.directory

    def _digest(self, path: str, sources: Sources) -> Optional[str]:
        if path not in self._digests:
            try:
                data: Optional[bytes] = sources.read_bytes(path)
            except SourceError:  # unreadable, too large...: recorded as None
                data = None
            self._digests[path] = digest(data)
        return self._digests[path]

    def _valid(self, entry: Dict[str, Any], sources: Sources) -> bool:
        """Whether every input and question an entry recorded still has its answer; an
        entry naming anything outside the scan's boundary is not replayed at all."""
        inputs, queries = entry.get("inputs"), entry.get("queries")
        if not isinstance(inputs, dict) or not isinstance(queries, list):
            return False
        for path, recorded in inputs.items():
            if path not in self.boundary or not (recorded is None or isinstance(recorded, str)):
                return False
        for q in queries:
            if not (isinstance(q, list) and len(q) == 4 and q[0] in ("kind", "list", "glob", "real") and q[1] in self.boundary
                    and isinstance(q[2], str)):
                return False
        for path, recorded in inputs.items():
            if self._digest(path, sources) != recorded:
                return False
        for kind, path, arg, expected in queries:
            if _normal(sources.ask(kind, path, arg)) != expected:
                return False
        return True

    def _record(self, sources: Sources) -> Tuple[Dict[str, Optional[str]], List[List[Any]]]:
        inputs = {}
        for path in sources.read_paths():
            content = sources.content(path)
            if content is None and path in sources.external:
                inputs[path] = sources.external[path]
            else:
                inputs[path] = self._digests[path] = digest(content)
        queries = [[kind, path, arg, _normal(value)] for (kind, path, arg), value in sources.queries.items()]
        return inputs, queries

    # -- whole scans -------------------------------------------------------

    def load(self) -> Optional[Dict[str, Any]]:
        """The cached result of this scan, if every input it recorded is unchanged."""
        entry = self.store.get("scan", self.key)
        if entry is None or not self._valid(entry, self.sources):
            return None
        result = entry.get("result")
        try:
            return {"findings": [finding_from_json(f) for f in result["findings"]],
                    "files": _strings(result["files"]), "suppressed": _int(result["suppressed"]),
                    "unused_vars": _strings(result["unused_vars"])}
        except (KeyError, TypeError, ValueError):
            return None

    def store_result(self, sources: Sources, findings: Sequence[Finding], files: Sequence[str],
                     suppressed: int, unused_vars: Sequence[str] = ()) -> None:
        inputs, queries = self._record(sources)
        self.store.put("scan", self.key, {
            "inputs": inputs, "queries": queries,
            "result": {"findings": [finding_to_json(f) for f in findings], "files": list(files),
                       "suppressed": suppressed, "unused_vars": list(unused_vars)},
        })
        self.store.prune()

    # -- parts: one root module, or the scan's documents -------------------

    def part_key(self, what: Any) -> str:
        return _material_key(dict(self._part_material, what=what))

    def load_part(self, what: Any, sources: Sources) -> Optional[Dict[str, Any]]:
        """A part's cached payload (``findings``, ``errors``, ``suppressions`` as stored),
        validated against the files through ``sources`` (which records what it read)."""
        key = self.part_key(what)
        entry = self.store.get("part", key)
        if entry is None or not self._valid(entry, sources):
            return None
        return entry

    def store_part(self, what: Any, inputs: Dict[str, Optional[str]], queries: Dict[Tuple[str, str, str], Any],
                   payload: Dict[str, Any]) -> None:
        self.store.put("part", self.part_key(what), dict(
            payload, inputs=inputs, queries=[[k, p, a, _normal(v)] for (k, p, a), v in queries.items()]))


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))


# ---------------------------------------------------------------------------
# findings, file errors and suppressions <-> JSON (strictly checked on the way in)
# ---------------------------------------------------------------------------


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError("expected a string")
    return v


def _int(v: Any) -> int:
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError("expected an integer")
    return v


def _strings(v: Any) -> List[str]:
    if not isinstance(v, list):
        raise TypeError("expected a list")
    return [_str(x) for x in v]


def _loc(loc: Loc) -> List[Any]:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _loc_from(v: Any) -> Loc:
    if not isinstance(v, list) or len(v) != 5:
        raise TypeError("expected a location")
    return Loc(_str(v[0]), *(_int(x) for x in v[1:]))


def finding_to_json(f: Finding) -> Dict[str, Any]:
    return {
        "rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message, "loc": _loc(f.loc),
        "resource": f.resource, "call_sites": [[c.address, _loc(c.loc)] for c in f.call_sites],
        "related": [[m, _loc(loc)] for m, loc in f.related], "key": f.key, "source_format": f.source_format,
        "subject": _loc(f.subject) if f.subject else None, "secret": f.secret,
    }


def finding_from_json(d: Any) -> Finding:
    if not isinstance(d, dict):
        raise TypeError("expected a finding")
    return Finding(
        _str(d["rule"]), _str(d["name"]), _str(d["severity"]), _str(d["message"]), _loc_from(d["loc"]),
        _str(d["resource"]),
        tuple(CallSite(_str(a), _loc_from(loc)) for a, loc in d["call_sites"]),
        tuple((_str(m), _loc_from(loc)) for m, loc in d["related"]), _str(d["key"]), _str(d["source_format"]),
        _loc_from(d["subject"]) if d["subject"] is not None else None, d.get("secret") is True,
    )


def _to_plain(value: Any) -> Any:
    if isinstance(value, Loc):
        return {"loc": _loc(value)}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def _from_plain(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"loc"}:
            raise TypeError("expected a location")
        return _loc_from(value["loc"])
    if isinstance(value, list):
        return tuple(_from_plain(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError("unexpected value")


def record_to_json(obj: Any) -> Dict[str, Any]:
    """A dataclass of plain fields (a suppression, a file error) as JSON."""
    return {f.name: _to_plain(getattr(obj, f.name)) for f in fields(obj)}


def record_from_json(cls: type, d: Any) -> Any:
    if not isinstance(d, dict) or set(d) != {f.name for f in fields(cls)}:
        raise TypeError(f"expected a {cls.__name__}")
    return cls(**{name: _from_plain(value) for name, value in d.items()})
