"""What loading documents produces (kept apart so that a scan without documents
imports none of the document loaders)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List


@dataclass
class LoadedDocuments:
    resources: list = field(default_factory=list)  # model resources
    errors: list = field(default_factory=list)  # FileError: files that look like EMR documents but do not parse
    parsed: List[str] = field(default_factory=list)  # YAML files read (for suppressions)
