"""The result cache and parallel parsing never change what a scan finds."""

from __future__ import annotations

import json
import os

import pytest

from emrlint.cache import ScanCache, finding_to_json
from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

from conftest import FIXTURES, write_tree


def findings(result):
    return [finding_to_json(f) for f in result.findings]


@pytest.fixture
def cache_dir(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("emrlint-cache")
    monkeypatch.setenv("EMRLINT_CACHE_DIR", str(d))
    monkeypatch.delenv("EMRLINT_NO_CACHE", raising=False)
    return d


def test_cache_and_processes_give_identical_findings_on_every_fixture(cache_dir, monkeypatch):
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    base = dict(paths=["fixtures"], rules=selected_rules(None, []))
    plain = findings(scan(ScanOptions(**base)))
    assert len(plain) > 100
    first = scan(ScanOptions(**base, cache=True))
    assert findings(first) == plain and list(cache_dir.iterdir())
    import emrlint.engine

    def no_scanning(*args, **kwargs):
        raise AssertionError("the second scan of an unchanged tree must come from the cache")

    monkeypatch.setattr(emrlint.engine, "_scan", no_scanning)
    second = scan(ScanOptions(**base, cache=True))
    monkeypatch.undo()
    monkeypatch.chdir(os.path.dirname(FIXTURES))
    assert findings(second) == plain
    assert second.files == first.files and second.suppressed == first.suppressed
    parallel = scan(ScanOptions(**base, jobs=2, parallel_min_bytes=1))
    assert findings(parallel) == plain


CLUSTER = '''
module "emr" {
  source  = "../shared/emr"
  log_uri = var.log_uri
}
variable "log_uri" {
  default = null
}
'''
MODULE = '''
variable "log_uri" {}
resource "aws_emr_cluster" "this" {
  name          = "c"
  release_label = "emr-7.1.0"
  log_uri       = var.log_uri
  configurations_json = file("${path.module}/conf.json")
}
'''


def test_any_changed_input_is_a_miss(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), {"infra/main.tf": CLUSTER, "shared/emr/main.tf": MODULE,
                               "shared/emr/conf.json": "[]"})
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["infra"], rules=["EMR301", "EMR201"], cache=True)

    def rules():
        return [(f["rule"], f["loc"][1]) for f in findings(scan(options))]

    assert rules() == [("EMR301", 6)]
    import emrlint.engine

    real_scan = emrlint.engine._scan
    calls = []
    monkeypatch.setattr(emrlint.engine, "_scan", lambda *a: calls.append(1) or real_scan(*a))
    assert rules() == [("EMR301", 6)] and calls == []  # from the cache
    # a module outside the scanned directory, read through its source
    (tmp_path / "shared/emr/main.tf").write_text(MODULE.replace('"emr-7.1.0"', '"emr-7"'))
    assert rules() == [("EMR201", 5), ("EMR301", 6)] and len(calls) == 1
    # a new file in the root module's directory (terraform.tfvars) changes the inputs
    (tmp_path / "infra/terraform.tfvars").write_text('log_uri = "s3://logs/"\n')
    assert rules() == [("EMR201", 5)] and len(calls) == 2
    assert rules() == [("EMR201", 5)] and len(calls) == 2  # and that result is cached in turn


def test_a_corrupt_entry_is_a_miss(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), {"main.tf": MODULE.replace("var.log_uri", "null").replace(
        '  configurations_json = file("${path.module}/conf.json")\n', "")})
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["."], rules=["EMR301"], cache=True)
    expected = findings(scan(options))
    (entry,) = list(cache_dir.glob("*.json"))
    entry.write_text(entry.read_text()[:40])  # a concurrent writer's torn file, say
    assert findings(scan(options)) == expected
    json.loads(entry.read_text())  # rewritten whole


def test_no_cache_environment_variable(cache_dir, tmp_path, monkeypatch):
    write_tree(str(tmp_path), {"main.tf": MODULE})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EMRLINT_NO_CACHE", "1")
    scan(ScanOptions(paths=["."], rules=["EMR301"], cache=True))
    assert not list(cache_dir.iterdir())


def test_cache_key_depends_on_options(cache_dir):
    a = ScanCache({"rules": ["EMR301"]}, ["/x/main.tf"])
    b = ScanCache({"rules": ["EMR201"]}, ["/x/main.tf"])
    c = ScanCache({"rules": ["EMR301"]}, ["/x/main.tf", "/x/other.tf"])
    assert len({a.key, b.key, c.key}) == 3
