"""What a run does not pay for: the start-up of a pre-commit hook on one small module is
mostly imports, so the modules a scan needs no part of stay unimported (timed by
``bench/run.py``, not here)."""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys

import pytest

from emrlint import registry
from emrlint.digest import sha256_hex
from emrlint.text import cleandoc

from conftest import FIXTURES

NOT_IMPORTED = ("dataclasses", "inspect", "ast", "dis", "tokenize", "datetime")

PROBE = """
import io, json, sys
import emrlint.cli
out = sys.stdout
sys.stdout = io.StringIO()
code = emrlint.cli.main(sys.argv[1:])
sys.stdout = out
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _modules(*args):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, EMRLINT_NO_CACHE="1"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["code"] in (0, 1)
    return set(result["modules"])


def test_a_scan_of_one_module_imports_no_module_it_does_not_use():
    module = os.path.join(FIXTURES, "examples", "design-card")
    files = sorted(os.path.join(module, f) for f in os.listdir(module) if f.endswith(".tf"))
    for fmt in ("text", "json"):
        loaded = _modules("scan", "--no-config", "--no-cache", "--format", fmt, *files)
        assert "emrlint.engine" in loaded
        assert not loaded & set(NOT_IMPORTED), f"--format {fmt}: {sorted(loaded & set(NOT_IMPORTED))}"


def test_report_fingerprints_leave_openssl_unloaded():
    if not (importlib.util.find_spec("_sha2") or importlib.util.find_spec("_sha256")):
        pytest.skip("an interpreter without CPython's own SHA-256: hashlib is the fallback")
    module = os.path.join(FIXTURES, "examples", "design-card")
    for fmt in ("json", "sarif", "gitlab"):
        loaded = _modules("scan", "--no-config", "--no-cache", "--format", fmt, module)
        assert "emrlint.digest" in loaded, fmt
        assert "_hashlib" not in loaded and "hashlib" not in loaded, fmt


def test_the_digest_is_hashlibs_sha256():
    for data in (b"", b"EMR301|aws_emr_cluster.etl|log_uri", "\u00e9\udc80".encode("utf-8", "surrogatepass")):
        assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


def test_a_scan_imports_only_the_rules_that_apply_to_the_resources_it_found(tmp_path, monkeypatch):
    """A serverless-only module loads the rules of serverless applications (and none of a
    cluster's); the same scan with every rule imported finds the same."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_emrserverless_application" "spark" {\n  name          = "spark"\n'
        '  release_label = "emr-7.1.0"\n  type          = "spark"\n}\n')
    loaded = _modules("scan", "--no-config", "--no-cache", "--format", "json", str(tmp_path / "main.tf"))
    rules = {m.rsplit(".", 1)[1] for m in loaded if m.startswith("emrlint.rules.emr")}
    serverless = {registry._module_name(r.id, r.name) for r in registry.builtin_rules().values()
                  if "serverless_application" in r.kinds}
    assert rules == serverless
    assert "emrlint.rules.emr301_cluster_log_uri_missing" not in loaded and "emrlint.bootstrap" not in loaded

    from emrlint.config import selected_rules
    from emrlint.engine import ScanOptions, scan

    options = ScanOptions(paths=[str(tmp_path)], rules=selected_rules(None, []))
    lazy = [(f.rule, f.loc.line, f.message) for f in scan(options).findings]
    monkeypatch.setattr(registry, "_kinds_index", lambda: {})  # no index: every rule is imported
    assert [(f.rule, f.loc.line, f.message) for f in scan(options).findings] == lazy
    assert {rule for rule, _, _ in lazy} == {"EMR101", "EMR113", "EMR302"}


def test_the_registry_knows_every_rules_kinds_without_importing_it():
    """``known_kinds`` answers from the generated index (whose freshness test_docs checks)
    what each built-in rule's own module says."""
    rules = registry.builtin_rules().values()
    assert rules and all(registry.known_kinds(r.id) == tuple(r.kinds) for r in rules)


def test_cleandoc_is_inspects():
    """A rule's documentation is cleaned without importing inspect, as inspect would."""
    samples = [r.module.__doc__ for r in registry.builtin_rules().values()]
    samples += ["", "\n", "one", "  one\n    two\n      three\n\n", "\tx\n\ty\n\t\tz", "a\n\n  b\n \n  c\n\n\n",
                "\n\n  lead\n  blank lines\n", "x\n\u3000y\n\u3000\u3000z", "a\n \u2003b\n  c", "a\n  \n  b"]
    for doc in samples:
        assert cleandoc(doc) == inspect.cleandoc(doc), repr(doc)
