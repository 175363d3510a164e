"""Command-line behaviour users of ruff and tflint expect, through the installed entry point:
repeated options add up, -V, colour switches, stdin buffers, --var provenance, baselines
created on first use, report files that honour the umask."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import write_tree

BIN = os.path.join(os.path.dirname(sys.executable), "emrlint")
EMRLINT = BIN if os.path.exists(BIN) else shutil.which("emrlint")
pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")

MAIN = """\
variable "release_label" {
  type    = string
  default = "emr-7.1.0"
}

resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = var.release_label
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 2
  }
}
"""


def run(cwd, *args, env=None, stdin=None):
    full = dict(os.environ, EMRLINT_NO_CACHE="1")
    full.pop("NO_COLOR", None)
    full.pop("FORCE_COLOR", None)
    full.update(env or {})
    return subprocess.run([EMRLINT, *args], cwd=cwd, env=full, capture_output=True, timeout=120,
                          input=stdin if stdin is not None else b"")


def rules_of(proc):
    return sorted({f["rule"] for f in json.loads(proc.stdout)["findings"]})


@pytest.fixture
def tree(tmp_path):
    write_tree(str(tmp_path), {"infra/main.tf": MAIN})
    return tmp_path


def test_repeated_select_and_ignore_accumulate(tree):
    proc = run(tree, "scan", "infra", "--format", "json", "--select", "EMR1", "--select", "EMR3", "--ignore", "EMR103",
               "--ignore", "EMR108")
    assert rules_of(proc) == ["EMR102", "EMR301"]


def test_short_version_flag(tree):
    proc = run(tree, "-V")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("emrlint ")


@pytest.mark.parametrize("args,env,coloured", [
    (["--force-color"], {}, True),
    ([], {"FORCE_COLOR": "1"}, True),
    ([], {}, False),
    (["--force-color", "--no-color"], {}, False),
    ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
])
def test_colour_in_ci_logs(tree, args, env, coloured):
    proc = run(tree, "scan", "infra", "--select", "EMR301", *args, env=env)
    assert (b"\x1b[" in proc.stdout) is coloured


def test_stdin_buffer_is_scanned_as_the_named_file_with_its_module_directory(tree):
    write_tree(str(tree), {"infra/variables.tf": 'variable "log_uri" {\n  default = null\n}\n'})
    buffer = MAIN.replace('service_role  = "EMR_DefaultRole"', 'service_role  = "EMR_DefaultRole"\n  log_uri = var.log_uri')
    proc = run(tree, "scan", "-", "--stdin-filename", "infra/main.tf", "--format", "json", "--select", "EMR301",
               stdin=buffer.encode())
    [finding] = json.loads(proc.stdout)["findings"]
    assert (finding["path"], finding["line"]) == ("infra/main.tf", 10)  # the unsaved line, not the file on disk
    assert "evaluates to null" in finding["message"]  # the variable came from variables.tf beside it


def test_stdin_buffer_that_does_not_parse_is_emr001(tree):
    proc = run(tree, "scan", "-", "--stdin-filename", "infra/new.tf", "--format", "json",
               stdin=b'resource "aws_emr_cluster" "x" {\n')
    assert [f["path"] for f in json.loads(proc.stdout)["findings"] if f["rule"] == "EMR001"] == ["infra/new.tf"]


@pytest.mark.parametrize("args,needle", [
    (["scan", "-"], "needs --stdin-filename"),
    (["scan", "infra", "--stdin-filename", "x.tf"], "--stdin-filename needs -"),
    (["scan", "-", "infra", "--stdin-filename", "x.tf"], "cannot be combined"),
    (["scan", "-", "--stdin-filename", "notes.txt"], "not a kind of file"),
    (["scan", "infra", "--statistics", "--format", "json"], "--statistics is a text report"),
])
def test_usage_errors(tree, args, needle):
    proc = run(tree, *args)
    assert proc.returncode == 2 and needle in proc.stderr.decode()


def test_var_for_an_undeclared_variable_warns(tree):
    proc = run(tree, "scan", "infra", "--select", "EMR201", "--var", "relase_label=emr-7")
    assert "--var relase_label: no scanned root module declares a variable 'relase_label'" in proc.stderr.decode()


def test_a_finding_caused_by_a_var_value_says_so(tree):
    proc = run(tree, "scan", "infra", "--select", "EMR201", "--format", "json", "--var", "release_label=emr-7")
    [finding] = json.loads(proc.stdout)["findings"]
    assert finding["line"] == 1
    assert "The value comes from the command line: --var release_label=emr-7." in finding["message"]
    assert proc.stderr == b""


def test_baseline_and_write_baseline_on_the_same_missing_file_create_it(tree):
    proc = run(tree, "scan", "infra", "--baseline", "baseline.json", "--write-baseline", "baseline.json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tree / "baseline.json").read_text())["findings"]
    proc = run(tree, "scan", "infra", "--baseline", "other.json")
    assert proc.returncode == 2  # a baseline that is not there is still an error when only read


def test_report_files_honour_the_umask(tree):
    code = ("import os, sys; os.umask(0o022); from emrlint.cli import main; "
            "sys.exit(main(['scan', 'infra', '--format', 'json', '--output', 'report.json']))")
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=dict(os.environ, EMRLINT_NO_CACHE="1"),
                   capture_output=True, timeout=120)
    assert stat.S_IMODE(os.stat(tree / "report.json").st_mode) == 0o644
    code = code.replace("'--format', 'json', '--output', 'report.json'", "'--write-baseline', 'b.json'")
    subprocess.run([sys.executable, "-c", code], cwd=tree, env=dict(os.environ, EMRLINT_NO_CACHE="1"),
                   capture_output=True, timeout=120)
    assert stat.S_IMODE(os.stat(tree / "b.json").st_mode) == 0o644
