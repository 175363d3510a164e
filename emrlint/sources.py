"""Reading source files safely: binary, non-UTF-8, unreadable and huge files
become a clear :class:`SourceError` with a position, never an exception that
stops the scan."""

from __future__ import annotations

import os
import re
import stat
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

MAX_FILE_BYTES = 64 * 1024 * 1024  # the default size limit (config ``max-file-size``)
_MISSING = object()


def size_text(n: int) -> str:
    """``67108864`` -> ``"64 MB"`` (binary units, as the limit is set)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) or value >= 100 else f"{value:.1f} {unit}"
    return f"{n} bytes"


def too_large(size: int, limit: int) -> "SourceError":
    return SourceError(f"file is {size_text(size)}, larger than the size limit of {size_text(limit)} "
                       "(config max-file-size); not read")


class SourceError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def decode(data: bytes) -> str:
    """Decode UTF-8 text (BOM stripped); raise :class:`SourceError` with the position of a bad byte."""
    if b"\x00" in data:
        return _raise("not a text file (it contains NUL bytes)", data, data.index(b"\x00"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _raise(f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", data, exc.start)
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def _raise(message: str, data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    raise SourceError(message, line, column)


class Boundary:
    """What a scan may read: files and directories whose real path (symbolic links
    resolved) is a scanned directory or below one, plus single files named explicitly
    (``--var-file``).  Nothing else is read, listed or probed, so no value, message or
    code frame can carry another file's contents."""

    def __init__(self, roots: Sequence[str], files: Sequence[str] = ()):
        self.roots = tuple(sorted({os.path.realpath(r) for r in roots}))
        self.files = frozenset(os.path.realpath(f) for f in files)
        self._real_dirs: Dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Boundary({list(self.roots)!r}, {sorted(self.files)!r})"

    def real(self, path: str) -> str:
        """The real path, as opening ``path`` would resolve it; the real paths of
        directories are remembered (one ``lstat`` per new file)."""
        if not os.path.isabs(path) or os.path.normpath(path) != path:
            return os.path.realpath(path)  # ".." after a link is resolved physically, as open() does
        directory, name = os.path.split(path)
        real_dir = self._real_dirs.get(directory)
        if real_dir is None:
            real_dir = self._real_dir(directory)
        if not name:
            return real_dir
        joined = os.path.join(real_dir, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined

    def _real_dir(self, directory: str) -> str:
        """``os.path.realpath(directory)`` (absolute and normalised) from the real path of
        the nearest directory above it already resolved: one ``lstat`` for each directory
        below that one, not one for every component of every new directory."""
        below: List[str] = []
        d = directory
        real = self._real_dirs.get(d)
        while real is None:
            parent, name = os.path.split(d)
            if not name:  # the file system's root
                real = self._real_dirs[d] = os.path.realpath(d)
                break
            below.append(name)
            d = parent
            real = self._real_dirs.get(d)
        for name in reversed(below):
            d = os.path.join(d, name)
            joined = os.path.join(real, name)
            real = self._real_dirs[d] = os.path.realpath(joined) if os.path.islink(joined) else joined
        return real

    def contains_real(self, real: str) -> bool:
        if real in self.files:
            return True
        for root in self.roots:
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                return True
        return False

    def contains(self, path: str) -> bool:
        return self.contains_real(self.real(path))

    def __contains__(self, path: Any) -> bool:
        """``path in boundary``: an absolute path (a name the OS can look up) within it."""
        return isinstance(path, str) and os.path.isabs(path) and "\0" not in path and self.contains(path)


def repository_of(directory: str) -> str:
    """The git repository holding ``directory`` (the nearest directory with ``.git``), else ``directory``."""
    d = directory
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return directory
        d = parent


OUTSIDE = "its real path is outside the scanned directories, so it was not read"


class Sources:
    """Every file-system read of a scan, and the one place that enforces its
    :class:`Boundary`: a path outside it is never opened, listed or probed (it reads
    as absent; :meth:`inside` tells loaders to treat it as unknown).  Also a cache of
    file contents shared by loaders and reporters, and a record of what was read and
    asked (listings, existence, globs) so that a cached result can be proven still
    valid (see :mod:`emrlint.cache`)."""

    def __init__(self, boundary: Boundary, max_bytes: int = MAX_FILE_BYTES,
                 overlay: Optional[Dict[str, bytes]] = None, shared: Optional["Sources"] = None) -> None:
        self.boundary = boundary
        self.max_bytes = shared.max_bytes if shared else max_bytes
        # content that replaces (or adds) a file: an editor's unsaved buffer read from stdin
        self.overlay: Dict[str, bytes] = shared.overlay if shared else dict(overlay or {})
        # contents and answers; a view (``shared``) uses those of the Sources it was made from
        self._bytes: Dict[str, Union[bytes, SourceError]] = shared._bytes if shared else {}
        self._text: Dict[str, Union[str, SourceError]] = shared._text if shared else {}
        self._answers: Dict[Tuple[str, str, str], Any] = shared._answers if shared else {}
        # path -> (inside the boundary, its real path when a link on the way makes it differ)
        self._inside: Dict[str, Tuple[bool, Optional[str]]] = shared._inside if shared else {}
        # what was read and asked through this object
        self._reads: Dict[str, None] = {}
        self.queries: Dict[Tuple[str, str, str], Any] = {}  # (kind, path, arg) -> answer
        self.external: Dict[str, Optional[str]] = {}  # path -> sha256 of files read by worker processes

    def view(self) -> "Sources":
        """A Sources that shares this one's contents (each file is read once per scan) but
        records only what is read and asked through it: what one root module depends on."""
        return Sources(self.boundary, shared=self)

    def inside(self, path: str) -> bool:
        """Whether ``path`` (its real path, links resolved) is within the scan's boundary."""
        got = self._inside.get(path)
        if got is None:
            if path in self.overlay:  # the content comes from stdin or an editor, not from the disk
                got = (True, None)
            elif "\x00" in path:  # no file has such a name (and the OS refuses to look one up)
                got = (False, None)
            else:
                real = self.boundary.real(path)
                got = (self.boundary.contains_real(real), real if real != os.path.abspath(path) else None)
            self._inside[path] = got
        if got[1] is not None:  # a link on the way: its target decides, and may change (for the cache)
            self.queries[("real", path, "")] = got[1]
        return got[0]

    def ask(self, kind: str, path: str, arg: str = "") -> Any:
        """The answer to a recorded question about the file system ("kind", "list", "glob",
        "real"), as this scan's boundary lets it be answered."""
        if kind == "real":
            return answer(kind, path)
        if not self.inside(path):
            return [] if kind == "list" else None
        return self._ask(kind, path, arg)

    def _ask(self, kind: str, path: str, arg: str = "") -> Any:
        if self.overlay:
            if kind == "kind" and path in self.overlay:
                return "file"
            if kind == "list":
                extra = [os.path.basename(p) for p in self.overlay if os.path.dirname(p) == path]
                if extra:
                    return sorted(set(self._ask_disk(kind, path, arg)) | set(extra))
        return self._ask_disk(kind, path, arg)

    def _ask_disk(self, kind: str, path: str, arg: str = "") -> Any:
        key = (kind, path, arg)
        got = self.queries.get(key, _MISSING)
        if got is _MISSING:
            got = self._answers.get(key, _MISSING)
            if got is _MISSING:
                got = self._answers[key] = answer(kind, path, arg)
            self.queries[key] = got  # recorded for this object (a root module's view)
        return got

    def kind(self, path: str) -> Optional[str]:
        """"file", "dir" or None (also for anything outside the boundary)."""
        return self._ask("kind", path) if self.inside(path) else None

    def isfile(self, path: str) -> bool:
        return self.kind(path) == "file"

    def isdir(self, path: str) -> bool:
        return self.kind(path) == "dir"

    def listdir(self, path: str) -> List[str]:
        """Sorted names in a directory ([] when it cannot be listed or is outside the boundary)."""
        return self._ask("list", path) if self.inside(path) else []

    def glob(self, directory: str, pattern: str) -> Optional[List[str]]:
        """Files below ``directory`` matching a Terraform glob, relative and sorted; None
        when that is unknown (the directory is outside the boundary, or see :func:`_glob`)."""
        if not self.inside(directory):
            return None
        return self._ask("glob", directory, pattern)

    def read_paths(self) -> List[str]:
        """Files read, or tried, through this object (for the cache); not those refused as
        outside the boundary, which were never opened (a ``real`` query records a link's target)."""
        return list(self._reads) + [p for p in self.external if p not in self._reads]

    def record(self, inputs: Dict[str, Optional[str]], queries: Dict[Tuple[str, str, str], Any]) -> None:
        """Take in what another process read for this scan (its content digests and questions)."""
        self.external.update(inputs)
        for key, value in queries.items():
            self.queries.setdefault(key, value)

    def read_bytes_or_empty(self, path: str) -> bytes:
        try:
            return self.read_bytes(path)
        except SourceError:
            return b""

    def read_error(self, path: str) -> Optional[SourceError]:
        """The error of an attempted read of ``path`` (None when it was read, or never tried)."""
        got = self._bytes.get(path)
        return got if isinstance(got, SourceError) else None

    def content(self, path: str) -> Optional[bytes]:
        got = self._bytes.get(path)
        return got if isinstance(got, bytes) else None

    def read_bytes(self, path: str) -> bytes:
        if not self.inside(path):
            raise self._bytes.setdefault(path, SourceError(OUTSIDE))
        self._reads[path] = None
        got = self._bytes.get(path)
        if got is None:
            got = self._read(path)
            self._bytes[path] = got
        if isinstance(got, SourceError):
            raise got
        return got

    def _read(self, path: str) -> Union[bytes, SourceError]:
        if path in self.overlay:
            data = self.overlay[path]
            return too_large(len(data), self.max_bytes) if len(data) > self.max_bytes else data
        try:
            st = os.stat(path)
            if stat.S_ISDIR(st.st_mode):
                return SourceError("is a directory")
            if not stat.S_ISREG(st.st_mode):  # a pipe or device would block or never end
                return SourceError("not a regular file (a pipe, socket or device); not read")
            if st.st_size > self.max_bytes:
                return too_large(st.st_size, self.max_bytes)
            with open(path, "rb") as fh:
                data = _read_limited(fh, st.st_size, self.max_bytes)
        except OSError as exc:
            return SourceError(f"cannot read file: {exc.strerror or exc}")
        except ValueError:  # a NUL character in the name
            return SourceError("cannot read file: invalid file name")
        if len(data) > self.max_bytes:  # it grew while being read
            return too_large(len(data), self.max_bytes)
        return data

    def read_text(self, path: str) -> str:
        if not self.inside(path):
            raise self._bytes.setdefault(path, SourceError(OUTSIDE))
        self._reads[path] = None
        got = self._text.get(path)
        if got is None:
            try:
                got = decode(self.read_bytes(path))
            except SourceError as exc:
                got = exc
            self._text[path] = got
        if isinstance(got, SourceError):
            raise got
        return got

    def try_text(self, path: str) -> Optional[str]:
        try:
            return self.read_text(path)
        except SourceError:
            return None

    def lines(self, path: str) -> List[str]:
        text = self.try_text(path)
        return text.splitlines() if text is not None else []


def _read_limited(fh, size: int, limit: int) -> bytes:
    """The content of an open file of ``size`` bytes (by its stat), read into a buffer of
    that size rather than of the limit (a read of ``limit + 1`` bytes allocates that much
    for every small file); if the file grew since, at most ``limit + 1`` bytes, in
    bounded chunks."""
    data = fh.read(size + 1)
    if len(data) <= size:
        return data
    parts, total = [data], len(data)
    while total <= limit:
        chunk = fh.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    return b"".join(parts)


def answer(kind: str, path: str, arg: str = "") -> Any:
    """The file system's answer to a recorded question (also used to revalidate a cache)."""
    if kind == "kind":
        return "file" if os.path.isfile(path) else "dir" if os.path.isdir(path) else None
    if kind == "list":
        try:
            return sorted(os.listdir(path))
        except (OSError, ValueError):  # ValueError: a NUL character in the name
            return []
    if kind == "glob":
        return _glob(path, arg)
    if kind == "real":
        return os.path.realpath(path)
    raise ValueError(kind)


MAX_GLOB_ENTRIES = 100_000


def _glob(directory: str, pattern: str) -> Optional[List[str]]:
    """Terraform's fileset() matching: regular files below ``directory`` whose relative
    path matches ``pattern``, found without following or even looking through a symbolic
    link.  None (unknown) for a pattern it does not support, an unreadable or too large
    tree, or a link the answer could depend on (one the pattern matches, or any link when
    the pattern reaches into subdirectories)."""
    regex = _glob_regex(pattern)
    if regex is None:
        return None
    deep = "/" in pattern or "**" in pattern
    found: List[str] = []
    stack, seen = [("", directory)], 0
    while stack:
        prefix, path = stack.pop()
        try:
            with os.scandir(path) as it:
                entries = list(it)
        except OSError:
            return None
        seen += len(entries)
        if seen > MAX_GLOB_ENTRIES:
            return None
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_symlink():
                if deep or regex.fullmatch(rel):
                    return None
            elif entry.is_dir(follow_symlinks=False):
                if deep:
                    stack.append((rel + "/", entry.path))
            elif entry.is_file(follow_symlinks=False) and regex.fullmatch(rel):
                found.append(rel)
    return sorted(found)


def _glob_regex(pattern: str) -> Optional["re.Pattern[str]"]:
    """A Terraform (doublestar) glob as a regular expression: ``*`` and ``?`` stay within a
    directory, ``**`` crosses directories, ``[...]``/``[^...]`` are classes; ``{a,b}``
    alternatives are not supported (None)."""
    if "{" in pattern or "\\" in pattern or not pattern:
        return None
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.find("]", i + 2)
            if end < 0:
                return None
            body = pattern[i + 1:end]
            negate = body[:1] in ("^", "!")
            body = body[1:] if negate else body
            out.append("[" + ("^/" if negate else "") + body.replace("\\", "\\\\").replace("[", "\\[") + "]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    try:
        return re.compile("".join(out), re.S)
    except re.error:
        return None
