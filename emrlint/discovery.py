"""Finding the files a scan looks at."""

from __future__ import annotations

import os
from typing import Iterable, List, Optional, Sequence, Tuple

from emrlint.record import dataclass, field

SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".terraform", ".terragrunt-cache", "__pycache__", "node_modules",
                       ".venv", ".tox", "cdk.out"})


def file_kind(name: str) -> Optional[str]:
    """The loader for a file name, or None."""
    lower = name.lower()
    if lower.endswith(".tf"):
        return "tf"
    if lower.endswith(".tf.json"):
        return "tfjson"
    if lower.endswith(".tfvars"):
        return "tfvars"
    if lower.endswith(".tfvars.json"):
        return "tfvarsjson"
    if lower.endswith((".json", ".jsonc", ".yaml", ".yml", ".template")):
        return "document"  # CloudFormation, job requests, Step Functions, plans... recognised by content
    return None


class UsageError(Exception):
    """A problem with how emrlint was invoked (exit code 2)."""


@dataclass
class Discovered:
    files: List[str] = field(default_factory=list)  # absolute paths
    explicit: Optional[List[str]] = None  # files named on the command line (report only these)
    skipped: List[Tuple[str, str]] = field(default_factory=list)  # (path as given, why) named but not read


class Excluder:
    """gitignore-style exclude patterns; each group is relative to its own base
    directory (the config file's directory, or the working directory for
    command-line patterns)."""

    def __init__(self, groups: Sequence[Tuple[Sequence[str], str]] = ()):
        self.groups = []
        if any(patterns for patterns, _ in groups):
            import pathspec

            self.groups = [(pathspec.GitIgnoreSpec.from_lines(list(p)), os.path.abspath(base)) for p, base in groups if p]

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        for spec, base in self.groups:
            prefix = base if base.endswith(os.sep) else base + os.sep
            if not path.startswith(prefix):  # not below the patterns' directory (cheaper than relpath)
                continue
            rel = path[len(prefix):].replace(os.sep, "/")
            if spec.match_file(rel + "/" if is_dir else rel):
                return True
        return False


def discover(paths: Iterable[str], excluder: Excluder, virtual: Iterable[str] = ()) -> Discovered:
    """The files to scan below ``paths``.  ``virtual`` are absolute paths of files whose content
    is not (only) on disk (stdin, an editor's buffer): named in ``paths``, they are scanned like
    a file named on the command line even when they do not exist on disk."""
    virtual = set(virtual)
    result = Discovered()
    explicit: List[str] = []
    seen = set()

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            result.files.append(path)

    for raw in paths:
        path = os.path.abspath(raw)
        if path in virtual:
            if not file_kind(os.path.basename(path)):
                raise UsageError(f"{raw}: not a kind of file emrlint reads")
            if not excluder.excluded(path):
                add(path)
                explicit.append(path)
            else:
                result.skipped.append((raw, "excluded"))
        elif os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(
                    d for d in dirnames
                    if d not in SKIP_DIRS and not excluder.excluded(os.path.join(dirpath, d), is_dir=True)
                )
                for name in sorted(filenames):
                    full = os.path.join(dirpath, name)
                    if file_kind(name) and not excluder.excluded(full):
                        add(full)
        elif os.path.exists(path) or os.path.islink(path):
            if not file_kind(os.path.basename(path)):
                result.skipped.append((raw, "not a kind of file emrlint reads"))
            elif excluder.excluded(path):
                result.skipped.append((raw, "excluded"))
            else:
                add(path)
                explicit.append(path)
        else:
            raise UsageError(f"{raw}: no such file or directory")
    if explicit and len(explicit) == len(result.files):
        result.explicit = explicit
    elif explicit:
        # a mix of files and directories: report on the directories' files and the named files
        result.explicit = None
    return result
