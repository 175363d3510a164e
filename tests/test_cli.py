"""The installed ``emrlint`` console script: exit codes, formats, errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, write_tree

BIN = os.path.join(os.path.dirname(sys.executable), "emrlint")
EMRLINT = BIN if os.path.exists(BIN) else shutil.which("emrlint")
DESIGN_CARD = os.path.join(REPO, "fixtures", "examples", "design-card")
HEADLINE = "EMR001,EMR002,EMR101,EMR102,EMR201,EMR202,EMR301"  # the guardrail rules of the design card

pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")


CACHE_DIR = os.path.join(os.environ.get("PYTEST_TMPDIR", "/tmp"), f"emrlint-test-cache-{os.getpid()}")


def run(*args, cwd=None, env=None):
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.setdefault("EMRLINT_CACHE_DIR", CACHE_DIR)  # never the user's own cache
    full_env.update(env or {})
    return subprocess.run([EMRLINT, *args], cwd=cwd or REPO, env=full_env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_design_card_example_gives_exactly_emr102_and_emr301_on_the_cluster():
    proc = run("scan", "--select", HEADLINE, "--format", "json", "fixtures/examples/design-card")
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    got = [(f["rule"], f["path"], f["line"], f["resource"]) for f in doc["findings"]]
    assert got == [
        ("EMR102", "fixtures/examples/design-card/main.tf", 5, "aws_emr_cluster.spark"),
        ("EMR301", "fixtures/examples/design-card/main.tf", 5, "aws_emr_cluster.spark"),
    ]
    assert doc["summary"]["total"] == 2 and doc["summary"]["by_severity"]["warning"] == 2
    for f in doc["findings"]:
        assert {"rule", "name", "severity", "message", "path", "line", "column", "resource"} <= set(f)


def test_text_report_has_location_rule_code_frame_and_summary_without_colour():
    proc = run("scan", "--select", HEADLINE, "fixtures/examples/design-card")
    out = proc.stdout
    assert proc.returncode == 1
    assert "fixtures/examples/design-card/main.tf:5:1: warning EMR102 [no-spot-capacity] aws_emr_cluster.spark" in out
    assert '> 5 | resource "aws_emr_cluster" "spark" {' in out
    assert "Found 2 findings (2 warnings)" in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_forced_colour_is_switched_off_by_no_color(tmp_path):
    import pty

    if not hasattr(pty, "openpty"):
        pytest.skip("no pty")
    master, slave = pty.openpty()
    try:
        env = dict(os.environ, NO_COLOR="1", TERM="xterm-256color")
        proc = subprocess.run([EMRLINT, "scan", "--select", HEADLINE, DESIGN_CARD], stdout=slave, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, env=env, timeout=120)
        os.close(slave)
        data = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(master)
    assert proc.returncode == 1
    assert b"EMR102" in data and b"\x1b[3" not in data  # no colour codes


@pytest.mark.parametrize("args,code", [
    (("scan", "--fail-on", "error", "fixtures/examples/design-card"), 0),
    (("scan", "--fail-on", "warning", "fixtures/examples/design-card"), 1),
    (("scan", "--select", "EMR101", "fixtures/examples/design-card"), 0),
    (("scan", "--select", HEADLINE, "--ignore", "EMR1,EMR3", "fixtures/examples/design-card"), 0),
])
def test_exit_codes(args, code):
    assert run(*args).returncode == code


@pytest.mark.parametrize("args,needle", [
    (("scan", "no/such/dir"), "no such file or directory"),
    (("scan", "--select", "EMR999"), "unknown rule 'EMR999'"),
    (("scan", "--format", "xml"), "invalid choice"),
    (("explain", "EMR999"), "unknown rule"),
    (("scan", "--var", "novalue"), "expected NAME=VALUE"),
])
def test_usage_errors_exit_2_with_one_line(args, needle):
    proc = run(*args)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_bad_config_names_key_and_line(tmp_path):
    write_tree(str(tmp_path), {".emrlint.yaml": "select: [EMR1]\nignored: [EMR102]\n", "main.tf": ""})
    proc = run("scan", ".", cwd=str(tmp_path))
    assert proc.returncode == 2
    assert ".emrlint.yaml:2: unknown key 'ignored'" in proc.stderr


def test_rules_lists_every_rule_and_explain_shows_examples():
    from emrlint.registry import all_rules

    proc = run("rules")
    assert proc.returncode == 0
    for rule in all_rules().values():
        assert rule.id in proc.stdout and rule.name in proc.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert [r["id"] for r in listed] == sorted(all_rules())
    proc = run("explain", "no-spot-capacity")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# EMR102 no-spot-capacity")
    assert "## Failing example" in proc.stdout and "## Passing example" in proc.stdout
    assert "min_spot_share" in proc.stdout


def test_paths_are_relative_to_the_working_directory():
    proc = run("scan", "--select", HEADLINE, "--format", "json", "design-card",
               cwd=os.path.join(REPO, "fixtures", "examples"))
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    assert paths == {"design-card/main.tf"}


def test_readme_says_what_the_set_up_example_finds():
    import re

    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    m = re.search(r"It reports (\d+) findings \(([^)]*)\), so the scan exits with status 1", readme)
    assert m, "README's Set up must say what the example finds"
    proc = run("scan", "--format", "json", "fixtures/examples/design-card")
    assert proc.returncode == 1
    found = json.loads(proc.stdout)["findings"]
    assert len(found) == int(m.group(1))
    assert sorted({f["rule"] for f in found}) == [r.strip() for r in m.group(2).split(",")]


def _run_in_pty(command, env, timeout=120):
    """(bytes written to a terminal, exit status): the terminal is read while the command
    runs, so a long output never fills the pty's buffer and blocks it."""
    import pty
    import select
    import time

    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdout=slave, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the command closed the terminal
                    break
                if not chunk:
                    break
                data += chunk
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
    return data, proc.wait(timeout=max(1, deadline - time.monotonic()))


def test_explain_on_a_narrow_terminal_wraps_and_loses_no_word():
    import re

    env = dict(os.environ, COLUMNS="60", LINES="40", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    data, returncode = _run_in_pty([EMRLINT, "explain", "EMR202"], env)
    assert returncode == 0
    shown = data.decode("utf-8", "replace")
    shown = re.sub(r"\x1b\]8;[^\x1b]*\x1b\\", "", shown)  # hyperlinks (OSC 8)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)  # colours
    assert max(len(line) for line in shown.splitlines()) <= 60
    from emrlint.docs import rule_markdown
    from emrlint.registry import by_id_or_name

    markdown = re.sub(r"\(https?://[^)]*\)", "", rule_markdown(by_id_or_name("EMR202")))  # link targets are not shown
    words = {w for w in re.findall(r"[A-Za-z]{7,}", markdown)}
    missing = sorted(w for w in words if w not in shown)
    assert not missing, missing


def test_findings_at_one_place_share_one_code_frame_and_the_summary_counts_files_with_findings():
    proc = run("scan", "fixtures/examples/design-card")
    out = proc.stdout
    assert out.count('> 5 | resource "aws_emr_cluster" "spark" {') == 1  # six findings on the cluster, one frame
    assert "in 1 file (2 scanned)." in out
    assert out.count("Run `emrlint explain ") == 1
    assert "EMR301 cluster-log-uri-missing (warning)  " in out and "/docs/rules/EMR301.md" in out


def test_messages_wrap_to_the_terminal_with_a_hanging_indent():
    import re

    env = dict(os.environ, COLUMNS="72", LINES="40", TERM="xterm-256color", NO_COLOR="1", EMRLINT_NO_CACHE="1")
    data, returncode = _run_in_pty([EMRLINT, "scan", "--select", "EMR411", "fixtures/examples/design-card"], env)
    assert returncode == 0  # EMR411 is info
    lines = data.decode().replace("\r", "").splitlines()
    head = next(i for i, line in enumerate(lines) if "EMR411 [kerberos-not-configured]" in line)
    frame = next(i for i, line in enumerate(lines) if i > head and re.match(r"^\s+>?\s*\d+ \|", line))
    message = lines[head + 1:frame]
    assert len(message) > 2 and all(len(line) <= 72 for line in message)
    assert message[0].startswith("  Cluster has no Kerberos") and all(line.startswith("    ") for line in message[1:])
    from emrlint.registry import by_id_or_name  # noqa: F401 - the words of the message are all there
    joined = " ".join(line.strip() for line in message)
    assert "trust whatever user name a client claims" in joined


def test_rule_ids_are_links_on_a_colour_terminal():
    env = dict(os.environ, COLUMNS="120", TERM="xterm-256color", EMRLINT_NO_CACHE="1")
    env.pop("NO_COLOR", None)
    data, _ = _run_in_pty([EMRLINT, "scan", "--select", "EMR301", "fixtures/examples/design-card"], env)
    assert b"\x1b]8;" in data and b"/docs/rules/EMR301.md" in data
