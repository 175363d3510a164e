"""Baselines: adopt emrlint on an existing code base without fixing everything first.

``--write-baseline FILE`` records today's findings by a fingerprint that survives
unrelated edits (rule + resource address + attribute path, not line numbers);
``--baseline FILE`` then reports, and fails on, only findings not in it, and
counts the baseline entries that are now fixed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from typing import Any, Dict, List

from emrlint.discovery import UsageError
from emrlint.findings import Finding, fingerprint
from emrlint.record import dataclass, field
from emrlint.report import relpath

VERSION = 1


@dataclass
class BaselineResult:
    new: List[Finding]
    baselined: int
    fixed: List[Dict[str, object]] = field(default_factory=list)


def _entry(f: Finding) -> Dict[str, object]:
    path = relpath(f.loc.path)
    return {"fingerprint": fingerprint(f, path), "rule": f.rule, "resource": f.resource, "path": path,
            "message": f.message}


_PENDING: "set[AtomicFile]" = set()


def discard_pending() -> None:
    """Remove every temporary file not yet renamed into place (a scan that stops early)."""
    for pending in list(_PENDING):
        pending.discard()


class AtomicFile:
    """A file written so that readers see the old or the new content, never a partial one:
    a temporary file beside it, renamed into place by :meth:`commit`.  Created before the
    work that produces the content, so an unwritable destination fails at once; until
    :meth:`commit`, :meth:`discard` (also on SIGTERM, see :mod:`emrlint.cli`) removes it."""

    def __init__(self, path: str):
        self.path = path
        fd, self.tmp = tempfile.mkstemp(prefix=".emrlint-", dir=os.path.dirname(os.path.abspath(path)))
        os.close(fd)
        _PENDING.add(self)
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(self.tmp, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it 0600)
        except OSError:
            self.discard()
            raise

    def commit(self, text: str) -> None:
        try:
            with open(self.tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(self.tmp, self.path)
        finally:
            self.discard()

    def discard(self) -> None:
        _PENDING.discard(self)
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass

    def __enter__(self) -> "AtomicFile":
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def write_atomic(path: str, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a partial one."""
    with AtomicFile(path) as out:
        out.commit(text)


def write(path: str, findings: List[Finding]) -> int:
    entries = sorted((_entry(f) for f in findings), key=lambda e: (e["path"], e["rule"], e["resource"], e["fingerprint"]))
    doc = {"emrlint_baseline": VERSION, "findings": entries}
    try:
        write_atomic(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(entries)


def read_json(path: str, what: str) -> Any:
    """A JSON file that emrlint wrote earlier (a baseline, a cost report); a UsageError saying
    which ``what`` it should have been when it cannot be read or is not JSON."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not a {what} file ({exc})") from None


def load(path: str) -> List[Dict[str, object]]:
    doc = read_json(path, "baseline")
    if not isinstance(doc, dict) or doc.get("emrlint_baseline") != VERSION or not isinstance(doc.get("findings"), list):
        raise UsageError(f"{path}: not an emrlint baseline file (write one with --write-baseline)")
    return [e for e in doc["findings"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)]


def apply(findings: List[Finding], entries: List[Dict[str, object]]) -> BaselineResult:
    remaining = Counter(e["fingerprint"] for e in entries)
    new: List[Finding] = []
    baselined = 0
    for f in findings:
        fp = fingerprint(f, relpath(f.loc.path))
        if remaining[fp] > 0:
            remaining[fp] -= 1
            baselined += 1
        else:
            new.append(f)
    fixed = []
    for e in entries:
        if remaining[e["fingerprint"]] > 0:
            remaining[e["fingerprint"]] -= 1
            fixed.append(e)
    return BaselineResult(new, baselined, fixed)
