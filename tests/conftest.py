"""Shared helpers: write Terraform trees into a temporary directory and scan them."""

from __future__ import annotations

import os
import textwrap
from typing import Dict, List, Optional

import pytest

from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan
from emrlint.findings import Finding

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# scans in the test process keep their cache (results, parse tables) out of the user's own
os.environ.setdefault("EMRLINT_CACHE_DIR", os.path.join(os.environ.get("PYTEST_TMPDIR", "/tmp"),
                                                        f"emrlint-test-cache-{os.getpid()}"))
FIXTURES = os.path.join(REPO, "fixtures")


@pytest.fixture(autouse=True)
def _own_rules_only():
    """A test that loads a config's policies or plugins leaves the next test emrlint's own rules."""
    from emrlint import registry

    saved = dict(registry._CUSTOM)
    yield
    registry._CUSTOM.clear()
    registry._CUSTOM.update(saved)


def write_tree(root: str, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(path, mode) as fh:
            fh.write(text if isinstance(text, bytes) else textwrap.dedent(text))


def run_scan(paths: List[str], select: Optional[List[str]] = None, **kw) -> List[Finding]:
    options = ScanOptions(paths=paths, rules=selected_rules(select, []), **kw)
    return scan(options).findings


# The issue-2 guardrail rules plus emrlint's own: most engine tests are about these, and
# scanning with them alone keeps the tests independent of the rest of the catalogue.
HEADLINE = ["EMR001", "EMR002", "EMR101", "EMR102", "EMR201", "EMR202", "EMR301"]


@pytest.fixture
def tf(tmp_path, monkeypatch):
    """``tf({"main.tf": "..."}, select=[...])`` -> findings as (rule, relpath, line) tuples
    (``select`` defaults to the headline rules; ``select=["ALL"]`` for every rule)."""
    monkeypatch.chdir(tmp_path)

    def _scan(files: Dict[str, str], select: Optional[List[str]] = HEADLINE, paths=(".",), full=False, **kw):
        write_tree(str(tmp_path), files)
        findings = run_scan(list(paths), select, **kw)
        if full:
            return findings
        return [(f.rule, os.path.relpath(f.loc.path, str(tmp_path)), f.loc.line) for f in findings]

    return _scan
