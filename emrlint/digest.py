"""SHA-256 digests without loading OpenSSL.

``import hashlib`` loads OpenSSL's ``_hashlib`` extension, about 3 ms of a one-module
scan's 60 (measured on CPython 3.11), for the few digests a report needs (the
fingerprints of JSON, SARIF and GitLab reports).  CPython also builds its own SHA-256
(``_sha2`` from 3.12, ``_sha256`` before), which gives the same digests and loads in a
fraction of that; it is used when present, and :mod:`hashlib` otherwise (an interpreter
built without it).
"""

from __future__ import annotations

from typing import Any, Callable, List

_CONSTRUCTOR: List[Callable[..., Any]] = []


def _sha256() -> Callable[..., Any]:
    if not _CONSTRUCTOR:
        try:
            from _sha2 import sha256  # type: ignore[import-not-found]  # CPython 3.12 and later
        except ImportError:
            try:
                from _sha256 import sha256  # type: ignore[import-not-found,no-redef]  # CPython 3.11
            except ImportError:
                from hashlib import sha256  # type: ignore[no-redef]
        _CONSTRUCTOR.append(sha256)
    return _CONSTRUCTOR[0]


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data``, as hexadecimal."""
    return _sha256()(data).hexdigest()
