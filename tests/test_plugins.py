"""Python rules of an organisation: a directory named by a config, and a package installed
through the ``emrlint.rules`` entry point (in a virtualenv of its own)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

from emrlint.cli import main
from emrlint.config import PLUGINS_ENV, ConfigError, load_config

from conftest import REPO, write_tree

AGENT_RULE = '''\
"""A cluster does not run ACME's monitoring agent bootstrap action.

Every cluster runs the platform's monitoring agent, installed by a bootstrap action from
`s3://acme-emr-bootstrap/agent/`: without it the cluster has no host metrics and no log
shipping, and the on-call team cannot see it.

## What fires

* a cluster without a bootstrap action from `s3://acme-emr-bootstrap/agent/`.

## What does not fire

* a bootstrap action whose path cannot be evaluated: it may be the agent.

## How to fix

Add the agent's bootstrap action.

## Failing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"

  bootstrap_action {
    name = "monitoring-agent"
    path = "s3://acme-emr-bootstrap/agent/v3.2.1/install.sh"
  }
}
```
"""

from emrlint.rulekit import Param, Problem

from . import _paths

ID = "ACME201"
NAME = "monitoring-agent-missing"
SEVERITY = "error"
KIND = "cluster"
PARAMS = {"agent_prefix": Param("string", "s3://acme-emr-bootstrap/agent/", "Where the agent's installer lives")}


def check(cluster, ctx):
    states = [_paths.starts_with(a.section.field("path").value, ctx.params["agent_prefix"])
              for a in cluster.bootstrap_actions]
    if True in states or None in states:
        return
    yield Problem(cluster.loc, "The cluster has no bootstrap action of ACME's monitoring agent, so it has no host "
                  "metrics or log shipping; add the agent's bootstrap action.", key="bootstrap_action")
'''

PATHS_HELPER = '''\
from emrlint.rulekit import is_unknown
from emrlint.values import leading_text


def starts_with(value, prefix):
    """True, False, or None when it cannot be known."""
    if is_unknown(value):
        lead = leading_text(value)
        return True if lead.startswith(prefix) else (None if prefix.startswith(lead) else False)
    return isinstance(value, str) and value.startswith(prefix)
'''

CLUSTERS = """
variable "agent_version" {}

resource "aws_emr_cluster" "without" {
  name          = "without"
  release_label = "emr-7.1.0"
}

resource "aws_emr_cluster" "versioned" {
  name          = "versioned"
  release_label = "emr-7.1.0"

  bootstrap_action {
    name = "monitoring-agent"
    path = "s3://acme-emr-bootstrap/agent/${var.agent_version}/install.sh"
  }
}
"""


@pytest.fixture
def trusted(monkeypatch):
    """The person running emrlint trusts the scanned repository's rule modules."""
    monkeypatch.setenv(PLUGINS_ENV, "1")


def _scan(capsys, *args):
    code = main(["scan", "--no-cache", "--format", "json", *args])
    out = capsys.readouterr()
    assert code in (0, 1), out.err
    return [(f["rule"], f["path"], f["line"]) for f in json.loads(out.out)["findings"]]


def test_a_local_rule_directory_named_by_the_config(tmp_path, capsys, monkeypatch, trusted):
    write_tree(str(tmp_path), {
        ".emrlint.yaml": "select: [ACME]\nplugins: [ci/emrlint_rules]\nseverity: {monitoring-agent-missing: warning}\n",
        "ci/emrlint_rules/acme201_monitoring_agent.py": AGENT_RULE,
        "ci/emrlint_rules/_paths.py": PATHS_HELPER,
        "main.tf": CLUSTERS,
    })
    monkeypatch.chdir(tmp_path)
    assert _scan(capsys, ".") == [("ACME201", "main.tf", 4)]
    assert main(["rules"]) == 0
    assert "(ci/emrlint_rules/acme201_monitoring_agent.py)" in capsys.readouterr().out
    assert main(["test-policies"]) == 0
    assert "ok      ACME201 monitoring-agent-missing: 2 examples" in capsys.readouterr().out


@pytest.mark.parametrize("module,needle", [
    (AGENT_RULE.replace('ID = "ACME201"', 'ID = "EMR201"'), "the EMR prefix is emrlint's"),
    (AGENT_RULE.replace('KIND = "cluster"', 'KIND = "clusters"'), "unknown KIND 'clusters'"),
    (AGENT_RULE.replace("from . import _paths", "from . import _missing"), "cannot be imported: ImportError"),
    (AGENT_RULE.replace('NAME = "monitoring-agent-missing"', 'NAME = "cluster-log-uri-missing"'),
     "rule name cluster-log-uri-missing is already used by EMR301"),
])
def test_a_broken_rule_module_is_a_config_error(tmp_path, module, needle, trusted):
    write_tree(str(tmp_path), {
        ".emrlint.yaml": "select: [EMR1]\nplugins: [rules]\n",
        "rules/acme201_monitoring_agent.py": module,
        "rules/_paths.py": PATHS_HELPER,
    })
    with pytest.raises(ConfigError) as err:
        load_config(str(tmp_path / ".emrlint.yaml"))
    assert ".emrlint.yaml:2: plugins: " in str(err.value) and needle in str(err.value), str(err.value)


SIDE_EFFECT = AGENT_RULE.replace("from . import _paths", "from . import _paths\nimport pathlib\n"
                                  "pathlib.Path(__file__).with_name('IMPORTED').write_text('ran')")


def test_rule_modules_of_the_scanned_repository_never_run_without_the_opt_in(tmp_path, capsys, monkeypatch):
    """A pull request that adds ``plugins:`` to the config cannot run its Python in CI: without
    --load-plugins the module is never imported, and the scan fails closed (a config error,
    exit 2) instead of passing without the rules the config asks for."""
    monkeypatch.delenv(PLUGINS_ENV, raising=False)
    write_tree(str(tmp_path), {
        ".emrlint.yaml": "select: [EMR3, ACME]\nplugins: [ci/emrlint_rules]\n",
        "ci/emrlint_rules/acme201_monitoring_agent.py": SIDE_EFFECT,
        "ci/emrlint_rules/_paths.py": PATHS_HELPER,
        "main.tf": CLUSTERS,
    })
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "ci" / "emrlint_rules" / "IMPORTED"
    for command in (["scan", "--no-cache", "."], ["cost", "."], ["rules"], ["explain", "ACME201"],
                    ["test-policies"]):
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert ".emrlint.yaml:2: plugins: " in err and "--load-plugins" in err, (command, err)
        assert not marker.exists(), command
    # the person running emrlint opts in: the rule runs (and the variable is not left set)
    assert main(["scan", "--no-cache", "--load-plugins", "--format", "json", "--select", "ACME", "."]) == 1
    found = [(f["rule"], f["path"], f["line"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert found == [("ACME201", "main.tf", 4)] and marker.read_text() == "ran"
    assert PLUGINS_ENV not in os.environ
    marker.unlink()
    monkeypatch.setenv(PLUGINS_ENV, "1")
    assert main(["rules"]) == 0 and "ACME201" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# the worked example's plugin package, installed through its entry point
# ---------------------------------------------------------------------------

PACKAGE = os.path.join(REPO, "examples", "policies", "python")
EXAMPLE = os.path.join(REPO, "examples", "policies")


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory):
    """A virtualenv with the example plugin package pip-installed, which sees this virtualenv's
    packages (emrlint itself, its dependencies, setuptools) through a .pth file."""
    root = tmp_path_factory.mktemp("plugin-venv")
    venv = root / "venv"
    # no pip of its own: this virtualenv's pip and setuptools build and install the package into it
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    site = subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                   text=True).strip()
    with open(os.path.join(site, "emrlint_test_parent.pth"), "w") as fh:
        fh.write(f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    source = root / "acme-emrlint-rules"
    shutil.copytree(PACKAGE, str(source))  # pip builds in the source tree: not in the repository's
    proc = subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                           "--disable-pip-version-check", "--quiet", str(source)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return python


def _run(python, *args):
    env = dict(os.environ, EMRLINT_NO_CACHE="1")
    return subprocess.run([python, "-m", "emrlint", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_installed_plugin_rules_are_listed_and_documented(plugin_python):
    proc = _run(plugin_python, "rules", "--no-config")
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("ACME005"))
    assert "serverless-application-outside-private-subnets" in line and "acme005_serverless_private_subnets.py" in line
    proc = _run(plugin_python, "explain", "--no-config", "ACME005")
    assert proc.returncode == 0 and "Python twin of the YAML policy" in proc.stdout
    assert "private_subnet_ids" in proc.stdout  # its parameters, as for emrlint's own rules
    proc = _run(plugin_python, "test-policies", "--no-config")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok      ACME005 serverless-application-outside-private-subnets: 2 examples" in proc.stdout


def test_installed_plugin_finds_what_the_yaml_policy_finds(plugin_python):
    """The Python twin of ACME005 fires on the YAML policy's failing cases exactly where the policy does
    (rule, file, line, column, resource, key), and on none of its passing cases."""
    cases = os.path.join(EXAMPLE, "acme005_serverless_private_subnets")
    with open(os.path.join(cases, "snapshot.json")) as fh:
        expected = json.load(fh)
    got = []
    for kind in ("fail", "pass"):
        for case in sorted(os.listdir(os.path.join(cases, kind))):
            if case == "snapshot.json":
                continue
            proc = _run(plugin_python, "scan", "--no-config", "--select", "ACME005", "--format", "json",
                        os.path.join(cases, kind, case))
            assert proc.returncode == (1 if kind == "fail" else 0), proc.stdout + proc.stderr
            for f in json.loads(proc.stdout)["findings"]:
                got.append({"rule": f["rule"], "path": os.path.relpath(os.path.join(REPO, f["path"]), EXAMPLE),
                            "line": f["line"], "column": f["column"], "resource": f["resource"], "key": None})
    for e in expected:
        e["key"] = None  # the JSON report carries no key
    assert sorted(got, key=str) == sorted(expected, key=str)


def test_an_installed_rule_and_a_policy_with_its_id_clash(plugin_python):
    proc = _run(plugin_python, "scan", "--config", os.path.join(EXAMPLE, ".emrlint.yaml"), "examples/policies")
    assert proc.returncode == 2
    assert "acme005_serverless_private_subnets.yaml:" in proc.stderr
    assert "rule ID ACME005 is already used by ACME005" in proc.stderr and "acme005_serverless_private_subnets.py" in proc.stderr
