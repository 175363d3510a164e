"""What loading documents produces (kept apart so that a scan without documents
imports none of the document loaders)."""

from __future__ import annotations

from typing import Any, List, Tuple

from emrlint.record import dataclass, field


@dataclass
class LoadedDocuments:
    resources: list = field(default_factory=list)  # model resources
    errors: list = field(default_factory=list)  # FileError: files that look like EMR documents but do not parse
    # documents that mention emrlint, for suppressions: (path, parsed root, is YAML, is CloudFormation)
    parsed: List[Tuple[str, Any, bool, bool]] = field(default_factory=list)
