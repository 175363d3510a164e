"""Fail closed: emrlint never reports a clean result for input it did not read, and a
configuration that cannot mean what it says is an error, never a silently disabled rule.

Each test runs the installed ``emrlint`` entry point, as a CI gate or a pre-commit hook
would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import write_tree

BIN = os.path.join(os.path.dirname(sys.executable), "emrlint")
EMRLINT = BIN if os.path.exists(BIN) else shutil.which("emrlint")
pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")

CLUSTER = """\
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/etl/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
    bid_price      = "0.30"
  }
}
"""


def run(cwd, *args):
    env = dict(os.environ, EMRLINT_NO_CACHE="1", NO_COLOR="1")
    return subprocess.run([EMRLINT, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def findings(proc):
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.mark.parametrize("select", [["--select", "EMR1,EMR2"], ["--ignore", "EMR001"], ["--ignore", "EMR0"],
                                    ["--select", "EMR301"]])
def test_emr001_cannot_be_turned_off(tmp_path, select):
    write_tree(str(tmp_path), {"ok/main.tf": CLUSTER, "broken/main.tf": 'resource "aws_emr_cluster" "x" {\n'})
    proc = run(tmp_path, "scan", ".", "--format", "json", *select)
    assert proc.returncode == 1
    assert [f for f in findings(proc) if f[:2] == ("EMR001", "broken/main.tf")]


def test_emr001_severity_cannot_be_lowered(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER, ".emrlint.yaml": "severity:\n  EMR001: info\n"})
    proc = run(tmp_path, "scan", ".")
    assert proc.returncode == 2
    assert ".emrlint.yaml:2: severity.EMR001" in proc.stderr


def _sparse(path, size):
    """A file of ``size`` bytes that costs no disk (its content is never read)."""
    with open(path, "wb") as fh:
        fh.truncate(size)


@pytest.mark.parametrize("name", ["main.tf", "plan.json", "template.yaml", "terraform.tfvars"])
def test_a_file_over_the_default_limit_is_emr001_with_both_sizes(tmp_path, name):
    write_tree(str(tmp_path), {"ok/main.tf": CLUSTER})
    os.makedirs(tmp_path / "big")
    _sparse(tmp_path / "big" / name, 65 * 1024 * 1024)
    proc = run(tmp_path, "scan", ".", "--format", "json")
    assert proc.returncode == 1
    [big] = [f for f in json.loads(proc.stdout)["findings"] if f["path"] == f"big/{name}"]
    assert big["rule"] == "EMR001"
    assert "65 MB, larger than the size limit of 64 MB (config max-file-size)" in big["message"]


def test_max_file_size_in_the_config(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER, ".emrlint.yaml": "max-file-size: 200 bytes\n"})
    proc = run(tmp_path, "scan", ".", "--format", "json")
    assert findings(proc) == [("EMR001", "main.tf", 1)]
    write_tree(str(tmp_path), {".emrlint.yaml": "max-file-size: 1KB\n"})
    proc = run(tmp_path, "scan", ".", "--format", "json")
    assert findings(proc) and "EMR001" not in {rule for rule, _, _ in findings(proc)}
    write_tree(str(tmp_path), {".emrlint.yaml": "max-file-size: huge\n"})
    proc = run(tmp_path, "scan", ".")
    assert proc.returncode == 2 and ".emrlint.yaml:1: max-file-size" in proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_is_emr001_and_never_blocks(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER})
    os.mkfifo(tmp_path / "pipe.tf")
    proc = run(tmp_path, "scan", ".", "--format", "json")
    assert ("EMR001", "pipe.tf", 1) in findings(proc)
    assert "not a regular file" in proc.stdout


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_emr001(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER, "secret/variables.tf": 'variable "x" {}\n'})
    os.chmod(tmp_path / "secret" / "variables.tf", 0)
    try:
        proc = run(tmp_path, "scan", ".", "--format", "json")
    finally:
        os.chmod(tmp_path / "secret" / "variables.tf", 0o644)
    assert ("EMR001", "secret/variables.tf", 1) in findings(proc)


@pytest.mark.parametrize("params,needle", [
    ("EMR203: {min_release_label: seven}", "params.EMR203.min_release_label: not a full release label"),
    ("EMR102: {min_spot_share: 5}", "params.EMR102.min_spot_share: out of range; accepted: 0 to 1"),
    ("EMR103: {max_idle_timeout_seconds: -5}", "params.EMR103.max_idle_timeout_seconds: out of range"),
    ("EMR203: {allowed_release_labels: [emr-7.1.0, banana]}", "params.EMR203.allowed_release_labels: 'banana' is not a full release label"),
    ("EMR107: {price_region: mars-1}", "params.EMR107.price_region: not a region of the price table (ap-northeast-1, "),
    ("EMR107: {max_vcpu: 0}", "params.EMR107.max_vcpu: out of range; accepted: a number above 0"),
    ("EMR109: {min_spot_instance_types: 0}", "params.EMR109.min_spot_instance_types: out of range"),
])
def test_parameters_that_cannot_mean_anything_are_config_errors_with_file_and_line(tmp_path, params, needle):
    write_tree(str(tmp_path), {"main.tf": CLUSTER, ".emrlint.yaml": f"fail-on: error\nparams:\n  {params}\n"})
    proc = run(tmp_path, "scan", ".")
    assert proc.returncode == 2
    assert f"{tmp_path}{os.sep}.emrlint.yaml:3: {needle}" in proc.stderr, proc.stderr


@pytest.mark.parametrize("files,args,reason", [
    ({"notes.txt": "hello\n"}, ["notes.txt"], "notes.txt: not a kind of file emrlint reads"),
    ({"empty/.keep": ""}, ["empty"], "looked in empty"),
    ({"main.tf": CLUSTER}, [".", "--exclude", "*.tf"], "looked in ."),
    ({"main.tf": CLUSTER}, ["main.tf", "--exclude", "main.tf"], "main.tf: excluded"),
])
def test_a_scan_that_checks_no_file_says_so(tmp_path, files, args, reason):
    write_tree(str(tmp_path), files)
    proc = run(tmp_path, "scan", *args)
    assert proc.returncode == 0
    assert f"emrlint: warning: no files were checked ({reason})" in proc.stderr


def test_a_scan_that_checks_files_says_nothing_on_stderr(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER})
    proc = run(tmp_path, "scan", ".")
    assert proc.returncode == 1 and proc.stdout and proc.stderr == ""


def test_a_dangling_symlink_is_emr001(tmp_path):
    write_tree(str(tmp_path), {"main.tf": CLUSTER})
    os.symlink(tmp_path / "gone.tf", tmp_path / "variables.tf")
    proc = run(tmp_path, "scan", ".", "--format", "json")
    assert ("EMR001", "variables.tf", 1) in findings(proc)
