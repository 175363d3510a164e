"""Reading source files safely: binary, non-UTF-8, unreadable and huge files
become a clear :class:`SourceError` with a position, never an exception that
stops the scan."""

from __future__ import annotations

import glob as _glob
import os
import stat
from typing import Any, Dict, List, Optional, Tuple, Union

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


class Sources:
    """Every file-system read of a scan: a cache of file contents shared by loaders and
    reporters, and a record of what was read and asked (listings, existence, globs) so
    that a cached result can be proven still valid (see :mod:`emrlint.cache`)."""

    def __init__(self, max_bytes: int = MAX_FILE_BYTES, overlay: Optional[Dict[str, bytes]] = None,
                 shared: Optional["Sources"] = None) -> None:
        self.max_bytes = shared.max_bytes if shared else max_bytes
        # content that replaces (or adds) a file: an editor's unsaved buffer read from stdin
        self.overlay: Dict[str, bytes] = shared.overlay if shared else dict(overlay or {})
        # contents and answers; a view (``shared``) uses those of the Sources it was made from
        self._bytes: Dict[str, Union[bytes, SourceError]] = shared._bytes if shared else {}
        self._text: Dict[str, Union[str, SourceError]] = shared._text if shared else {}
        self._answers: Dict[Tuple[str, str, str], Any] = shared._answers if shared else {}
        # what was read and asked through this object
        self._reads: Dict[str, None] = {}
        self.queries: Dict[Tuple[str, str, str], Any] = {}  # (kind, path, arg) -> answer
        self.external: Dict[str, Optional[str]] = {}  # path -> sha256 of files read by worker processes

    def view(self) -> "Sources":
        """A Sources that shares this one's contents (each file is read once per scan) but
        records only what is read and asked through it: what one root module depends on."""
        return Sources(shared=self)

    def ask(self, kind: str, path: str, arg: str = "") -> Any:
        """The answer to a question about the file system: "kind", "list" or "glob"."""
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
        """"file", "dir" or None."""
        return self._ask("kind", path)

    def isfile(self, path: str) -> bool:
        return self.kind(path) == "file"

    def isdir(self, path: str) -> bool:
        return self.kind(path) == "dir"

    def listdir(self, path: str) -> List[str]:
        """Sorted names in a directory ([] when it cannot be listed)."""
        return self._ask("list", path)

    def glob(self, directory: str, pattern: str) -> List[str]:
        """Files below ``directory`` matching a recursive glob, relative, sorted."""
        return self._ask("glob", directory, pattern)

    def read_paths(self) -> List[str]:
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
        found = _glob.glob(os.path.join(_glob.escape(path), arg), recursive=True)
        return sorted(os.path.relpath(p, path).replace(os.sep, "/") for p in found if os.path.isfile(p))
    raise ValueError(kind)
