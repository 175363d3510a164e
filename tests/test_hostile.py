"""Hostile trees: a repository under review that tries to make emrlint read, and print,
what is not its own (credentials beside the checkout, files of the machine), to reprint
the secrets it flags, to drive the reviewer's terminal with escape sequences, or to
write a report too large to store.  Every scan runs through the installed ``emrlint``
entry point, in every output format, and the secrets' text must appear in none of them.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from xml.etree import ElementTree as ET

import pytest

from conftest import write_tree
from test_cli import EMRLINT, run

pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")

FORMATS = ["text", "json", "sarif", "junit", "github", "gitlab", "checkstyle"]

# Files of the machine and of the user, beside the checkout: never read, never shown.
OUTSIDE = {
    ".aws/credentials": "[default]\naws_access_key_id = AKIAHOSTILE0CRED0ID\n"
                        "aws_secret_access_key = hostile-secret-credentials-line\n",
    "hostname": "hostile-secret-hostname\n",
    "emr-release": "emr-hostile-secret-release\n",
    "passwd.tfvars": 'release_label = "hostile-secret-tfvars"\n',
    "bootstrap.sh.tpl": "#!/bin/bash\nsudo pip install hostile-secret-template-package\n",
    "shared-module/main.tf": '''
        variable "name" {}
        resource "aws_emr_cluster" "this" {
          name          = var.name
          release_label = "emr-hostile-secret-module"
          log_uri       = "s3://logs/"
        }
    ''',
}
SECRETS = [
    "AKIAHOSTILE0CRED0ID", "hostile-secret-credentials-line", "hostile-secret-hostname",
    "hostile-secret-release", "hostile-secret-tfvars", "hostile-secret-template-package",
    "hostile-secret-module",
]
KDC_PASSWORD = "Kdc-Hostile-Passw0rd!"

CLUSTER = '''
locals {
  # absolute and relative paths out of the tree, through file(), fileexists() and fileset()
  release    = trimspace(file("{outside}/emr-release"))
  hostname   = file("../../outside/hostname")
  has_creds  = fileexists("{outside}/.aws/credentials")
  aws_files  = fileset("{outside}/.aws", "*")
}

resource "aws_s3_object" "install" {
  bucket = "acme-bootstrap"
  key    = "install.sh"
  source = "${path.module}/install.sh"
}

resource "aws_s3_object" "templated" {
  bucket  = "acme-bootstrap"
  key     = "templated.sh"
  content = templatefile("${path.module}/templates/bootstrap.sh.tpl", {})
}

resource "aws_emr_cluster" "etl" {
  name          = "etl-${local.hostname}"
  release_label = local.release
  log_uri       = local.has_creds ? "s3://logs/" : null
  service_role  = join(",", local.aws_files)

  bootstrap_action {
    name = "libs"
    path = "s3://acme-bootstrap/install.sh"
  }

  bootstrap_action {
    name = "templated"
    path = "s3://acme-bootstrap/templated.sh"
  }

  kerberos_attributes {
    realm              = "EC2.INTERNAL"
    kdc_admin_password = "{password}"
  }
}

module "shared" {
  source = "../../outside/shared-module"
  name   = "shared"
}

resource "aws_emr_cluster" "escapes" {
  name          = "escapes"
  # raw bytes in a comment the code frame shows: \x1b]0;owned\x07\x1b[2J
  release_label = "emr-\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m"
  log_uri       = "s3://logs/"

  bootstrap_action {
    name = "tools\\u001b[8m"
    path = "http://example.com/install.sh"
  }
}
'''


@pytest.fixture
def hostile(tmp_path):
    """``tmp/outside/...`` (the machine's files) and ``tmp/work/infra`` (the tree under review)."""
    outside = tmp_path / "outside"
    write_tree(str(outside), OUTSIDE)
    infra = tmp_path / "work" / "infra"
    write_tree(str(infra), {
        "main.tf": CLUSTER.replace("{outside}", str(outside)).replace("{password}", KDC_PASSWORD),
        "install.sh": "#!/bin/bash\nset -euo pipefail\nsudo pip install -r ../../outside/.aws/credentials\n",
    })
    (infra / "templates").mkdir()
    os.symlink(str(outside / "bootstrap.sh.tpl"), str(infra / "templates" / "bootstrap.sh.tpl"))
    os.symlink(str(outside / "hostname"), str(infra / "creds.tf"))  # a .tf file that is the machine's
    os.symlink(str(outside / "passwd.tfvars"), str(infra / "prod.auto.tfvars"))
    (infra / "docs").mkdir()
    os.symlink(str(outside / "hostname"), str(infra / "docs" / "notes.tf"))  # in a directory without EMR code
    os.symlink(str(outside / ".aws" / "credentials"), str(infra / "docs" / "job.json"))
    return tmp_path


def _outputs(hostile, fmt, cwd="/"):
    """Everything a scan writes, for one format: stdout, stderr and the --output file."""
    infra = str(hostile / "work" / "infra")
    shown = run("scan", "--no-config", "--format", fmt, infra, cwd=cwd)
    report = hostile / f"report.{fmt}"
    written = run("scan", "--no-config", "--format", fmt, "--output", str(report), infra, cwd=cwd)
    assert shown.returncode == 1 and written.returncode == 1, shown.stderr + written.stderr
    return shown.stdout, shown.stderr + written.stdout + written.stderr, report.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_outside_the_tree_and_no_secret_reaches_any_format(hostile, fmt):
    """Scanning from ``/`` (the working directory used to be the boundary), in every format:
    no line of a file outside the scanned directory and not the flagged password."""
    stdout, other, report = _outputs(hostile, fmt)
    everything = stdout + other + report
    for secret in SECRETS + [KDC_PASSWORD]:
        assert secret not in everything, (fmt, secret)
    # the scan did look: the password is flagged, the link to a machine file is an EMR001
    for out in (stdout, report):
        assert "EMR410" in out and "EMR001" in out and "EMR201" in out
    if fmt == "json":
        unread = {os.path.basename(f["path"]): f["message"] for f in json.loads(report)["findings"]
                  if f["rule"] == "EMR001"}
        assert sorted(unread) == ["creds.tf", "job.json", "notes.tf", "prod.auto.tfvars"]
        assert all(m.startswith("its real path is outside the scanned directories") for m in unread.values())
    if fmt == "text":
        assert "creds.tf:1:1" in stdout and "outside the scanned directories" in stdout
        assert "kdc_admin_password = ********" in stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_never_reach_the_terminal_or_a_report(hostile, fmt):
    stdout, other, report = _outputs(hostile, fmt)
    for out in (stdout, other, report):
        assert not any(c in out for c in ("\x1b", "\x07", "\x9b")), fmt
    unescaped = stdout.replace("\\\\", "\\")
    assert "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m" in unescaped and "tools\\x1b[8m" in unescaped


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "gitlab", "checkstyle"])
def test_machine_readable_reports_parse_whatever_the_input(hostile, fmt):
    _, _, report = _outputs(hostile, fmt)
    if fmt == "checkstyle":
        assert ET.fromstring(report).tag == "checkstyle"
    elif fmt == "junit":
        root = ET.fromstring(report)
        assert root.tag == "testsuites" and root.iter("failure")
    else:
        json.loads(report)


def test_junit_stays_valid_xml_with_every_control_character_and_odd_file_names(tmp_path):
    """Every C0 and C1 control character and the two code points XML forbids, in a value a
    message quotes, and a file name that is not valid UTF-8: JUnit and Checkstyle parse."""
    chars = "".join(f"\\u{c:04x}" for c in list(range(1, 32)) + list(range(0x7f, 0xa0)) + [0xfffe, 0xffff])
    cluster = f'''
resource "aws_emr_cluster" "odd" {{
  name          = "odd"
  release_label = "emr-{chars}"
}}
'''
    write_tree(str(tmp_path), {"ok.tf": cluster})
    os.rename(str(tmp_path / "ok.tf"), os.path.join(os.fsencode(str(tmp_path)), b"odd-\xff\x1b.tf"))
    for fmt in FORMATS:
        proc = subprocess.run([EMRLINT, "scan", "--no-config", "--no-cache", "--format", fmt, "."], cwd=str(tmp_path),
                              capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
                              env=dict(os.environ, EMRLINT_CACHE_DIR=str(tmp_path.parent / "cache")))
        assert proc.returncode == 1, proc.stderr
        out = proc.stdout.decode("utf-8")  # valid UTF-8, whatever the file name's bytes
        assert "EMR201" in out and "\x1b" not in out and "\x07" not in out, fmt
        if fmt in ("junit", "checkstyle"):
            ET.fromstring(proc.stdout)
        elif fmt in ("json", "sarif", "gitlab"):
            json.loads(out)


def test_var_files_and_extend_outside_the_repository_are_a_config_error(hostile):
    work = hostile / "work"
    os.symlink(str(hostile / "outside" / "passwd.tfvars"), str(work / "linked.tfvars"))
    for entry in ("../outside/passwd.tfvars", str(hostile / "outside" / "passwd.tfvars"), "linked.tfvars"):
        (work / ".emrlint.yaml").write_text(f"select: [EMR201]\nvar-files:\n  - {entry}\n")
        proc = run("scan", "infra", cwd=str(work))
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert ".emrlint.yaml:2: var-files:" in proc.stderr and "outside the repository of this config" in proc.stderr
        assert "hostile-secret-tfvars" not in proc.stdout + proc.stderr
    (hostile / "outside" / "policy.yaml").write_text("hostile-secret-policy: [EMR201]\n")
    (work / ".emrlint.yaml").write_text("extend: ../outside/policy.yaml\n")
    proc = run("scan", "infra", cwd=str(work))
    assert proc.returncode == 2 and ".emrlint.yaml:1: extend:" in proc.stderr, proc.stderr
    assert "outside the repository of this config" in proc.stderr and "hostile-secret-policy" not in proc.stderr


def test_a_module_outside_the_scanned_directory_is_unknown_but_one_inside_is_read(hostile):
    """The boundary is the scanned directory's real path: scanning ``work`` (which holds
    ``infra`` and a module beside it) reads the module; scanning ``infra`` does not."""
    work = hostile / "work"
    write_tree(str(work), {"modules/emr/main.tf": OUTSIDE["shared-module/main.tf"].replace("hostile-secret-module", "7"),
                           "live/main.tf": 'module "emr" {\n  source = "../modules/emr"\n  name   = "x"\n}\n'})
    def scan(path):
        proc = run("scan", "--no-config", "--select", "EMR201", "--format", "json", str(path), cwd=str(hostile))
        return json.loads(proc.stdout)["findings"]

    assert any(f["rule"] == "EMR201" and f["path"].endswith("modules/emr/main.tf") for f in scan(work))
    assert scan(work / "live") == []  # even with the module below the working directory


def test_messages_quote_values_clipped_and_reports_stay_small(tmp_path):
    """A 5,000-character value in a message is quoted by its first 100 characters; a
    generated script with thousands of unpinned installs gives a report of bounded size."""
    lines = "".join(f"sudo pip install generated-package-{i}\n" for i in range(1000))
    write_tree(str(tmp_path), {
        "main.tf": '''
resource "aws_s3_object" "install" {
  bucket = "acme-bootstrap"
  key    = "install.sh"
  source = "${path.module}/install.sh"
}
resource "aws_emr_cluster" "big" {
  name          = "big"
  release_label = format("emr-%05000d", 7)
  log_uri       = "s3://logs/"
  bootstrap_action {
    name = "libs"
    path = "s3://acme-bootstrap/install.sh"
  }
}
''',
        "install.sh": "#!/bin/bash\n" + lines,
    })
    for fmt in FORMATS:
        proc = run("scan", "--no-config", "--select", "EMR201,EMR202", "--format", fmt, str(tmp_path), cwd=str(tmp_path))
        assert proc.returncode == 1, proc.stderr
        # SARIF carries every rule's documentation (about 500 KB) whatever it finds
        assert len(proc.stdout) < (900_000 if fmt == "sarif" else 300_000), (fmt, len(proc.stdout))
        assert "0" * 101 not in proc.stdout and "emr-" + "0" * 90 in proc.stdout
        assert "generated-package-99" in proc.stdout and "generated-package-999" not in proc.stdout
    doc = json.loads(run("scan", "--no-config", "--select", "EMR202", "--format", "json", str(tmp_path)).stdout)
    script = [f for f in doc["findings"] if f["path"].endswith("install.sh")]
    assert len(script) == 101 and script[-1]["message"].startswith("900 more EMR202 findings in this file")


def test_sigterm_removes_the_temporary_report(tmp_path):
    """``--output`` is reserved as a temporary file beside it before the scan; a scan
    stopped by SIGTERM (a CI job cancelled) leaves neither it nor a partial report."""
    lines = "".join(f"sudo pip install slow-package-{i}\n" for i in range(20000))
    write_tree(str(tmp_path / "tree"), {
        "main.tf": 'resource "aws_s3_object" "i" {\n  bucket = "b"\n  key = "i.sh"\n  source = "${path.module}/i.sh"\n}\n'
                   'resource "aws_emr_cluster" "c" {\n  name = "c"\n  release_label = "emr-7.1.0"\n'
                   '  bootstrap_action {\n    name = "i"\n    path = "s3://b/i.sh"\n  }\n}\n',
        "i.sh": "#!/bin/bash\n" + lines,
    })
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    proc = subprocess.Popen([EMRLINT, "scan", "--no-config", "--no-cache", "--format", "json", "--output",
                             str(out_dir / "emrlint.json"), str(tmp_path / "tree")], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, EMRLINT_CACHE_DIR=str(tmp_path / "cache")))
    deadline = time.monotonic() + 60
    while not os.listdir(out_dir) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    assert [n for n in os.listdir(out_dir) if n.startswith(".emrlint-")], "the report is reserved before the scan"
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert os.listdir(out_dir) == []


def test_grammar_tables_go_to_the_cache_directory_never_into_the_package(tmp_path):
    """python-hcl2's LALR tables, for a grammar emrlint ships none for, are cached in
    emrlint's cache directory: a read-only installation (its files unchanged, nothing
    added) still parses, and a forged or torn tables file is rebuilt, never trusted."""
    import hcl2

    site = tmp_path / "site"
    shutil.copytree(os.path.dirname(hcl2.__file__), str(site / "hcl2"),
                    ignore=shutil.ignore_patterns("__pycache__", ".lark_cache*"))
    with open(site / "hcl2" / "hcl2.lark", "a", encoding="utf-8") as fh:
        fh.write("\n// a grammar emrlint ships no parse tables for: they are built, once, into the cache\n")
    before = sorted(os.path.join(d, n) for d, _, names in os.walk(site) for n in names)
    for dirpath, dirnames, names in os.walk(site):
        for name in names + dirnames:
            os.chmod(os.path.join(dirpath, name), 0o555 if name in dirnames else 0o444)
    os.chmod(str(site), 0o555)
    write_tree(str(tmp_path / "tree"), {"main.tf": 'resource "aws_emr_cluster" "c" {\n  name = "c"\n'
                                                   '  release_label = "emr-7"\n}\n'})
    cache = tmp_path / "cache"
    env = dict(os.environ, EMRLINT_CACHE_DIR=str(cache), PYTHONPATH=str(site), PYTHONDONTWRITEBYTECODE="1",
               EMRLINT_PARSER="lark")  # python-hcl2 reads every file, as it does where tree-sitter is missing
    code = "import hcl2, sys; from emrlint.cli import main; assert hcl2.__file__.startswith(sys.argv[1]); " \
           "sys.exit(main(['scan', '--no-config', '--no-cache', '--select', 'EMR201', '-q', sys.argv[2]]))"

    def scan():
        proc = subprocess.run([sys.executable, "-c", code, str(site), str(tmp_path / "tree")], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
        assert proc.returncode == 1 and "EMR201" in proc.stdout, proc.stdout + proc.stderr
        return proc.stdout

    try:
        first = scan()
        (tables,) = [p for p in cache.iterdir() if p.name.startswith("hcl2-tables-")]
        assert sorted(os.path.join(d, n) for d, _, names in os.walk(site) for n in names) == before
        assert scan() == first  # from the cached tables
        tables.write_bytes(tables.read_bytes()[:1000])  # torn
        assert scan() == first
        header = tables.read_bytes().split(b"\n", 1)[0]
        import pickle

        forged = pickle.dumps(os.system, protocol=4)  # a class reference: would run code if trusted
        import hashlib

        parts = header.split(b" ")
        tables.write_bytes(b" ".join(parts[:3] + [hashlib.sha256(forged).hexdigest().encode()]) + b"\n" + forged)
        assert scan() == first
    finally:
        for dirpath, dirnames, _ in os.walk(site):
            os.chmod(dirpath, 0o755)


NETWORK_GUARD = '''
import socket, sys

def _refuse(*args, **kwargs):
    with open(LOG, "a") as fh:
        fh.write(f"{args!r}\\n")
    raise OSError("network use during an emrlint scan")

socket.socket.connect = socket.socket.connect_ex = _refuse
socket.getaddrinfo = socket.create_connection = socket.gethostbyname = _refuse
'''


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_a_scan_opens_no_network_connection(tmp_path, fmt):
    """Remote module sources, registry modules, URLs in bootstrap scripts and job documents,
    ``data "http"``: the installed command (with every rule, cost and the result cache) asks
    no name server and opens no connection; each attempt would be logged by a sitecustomize
    module loaded before emrlint."""
    guard = tmp_path / "guard"
    guard.mkdir()
    log = tmp_path / "network.log"
    (guard / "sitecustomize.py").write_text(f"LOG = {str(log)!r}\n" + NETWORK_GUARD)
    tree = tmp_path / "infra"
    write_tree(str(tree), {
        "main.tf": '''
module "emr" {
  source  = "terraform-aws-modules/emr/aws"
  version = "~> 2.0"
  name    = "analytics"
}
module "git" {
  source = "git::https://github.com/example/emr-module.git?ref=v1.2.0"
}
module "s3" {
  source = "s3::https://s3-eu-west-1.amazonaws.com/modules/emr.zip"
}
data "http" "release" {
  url = "https://example.com/emr-release.txt"
}
resource "aws_emr_cluster" "c" {
  name          = "c"
  release_label = data.http.release.response_body
  bootstrap_action {
    name = "deps"
    path = "https://example.com/bootstrap.sh"
  }
  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
''',
        "bootstrap.sh": "#!/bin/bash\ncurl -sSL https://example.com/get-pip.py | python3\n"
                        "pip install -r https://example.com/requirements.txt\n",
        "job.json": '{"Name": "j", "ReleaseLabel": "emr-7.1.0", "LogUri": "s3://logs/",'
                    ' "Instances": {"MasterInstanceType": "m6g.xlarge", "InstanceCount": 1},'
                    ' "BootstrapActions": [{"Name": "b", "ScriptBootstrapAction":'
                    ' {"Path": "https://example.com/b.sh"}}]}\n',
    })
    env = {"PYTHONPATH": str(guard), "EMRLINT_CACHE_DIR": str(tmp_path / "cache")}
    scanned = run("scan", "--select", "ALL", "--format", fmt, str(tree), env=env)
    cost = run("cost", str(tree), env=env)
    again = run("scan", "--select", "ALL", str(tree), env=env)  # from the cache
    assert scanned.returncode == 1 and again.returncode == 1, scanned.stderr + again.stderr
    assert cost.returncode in (0, 1), cost.stderr
    assert "EMR" in scanned.stdout
    assert not log.exists(), log.read_text()
