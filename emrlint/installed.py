"""Distribution metadata directories on ``sys.path``, found by listing them: importing
``importlib.metadata`` costs a pre-commit run tens of milliseconds."""

from __future__ import annotations

import os
import sys
from typing import Iterator, Tuple


def metadata_dirs(suffixes: Tuple[str, ...] = (".dist-info", ".egg-info"), prefix: str = "") -> Iterator[str]:
    """Paths of the metadata directories (``name-version.dist-info``...) on ``sys.path``, in
    ``sys.path`` order, whose names start with ``prefix`` and end with one of ``suffixes``."""
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(suffixes):
                yield os.path.join(entry or ".", name)
