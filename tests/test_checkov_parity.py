"""Parity with checkov's EMR checks, resource by resource, over the security fixtures.

checkov (pinned to CHECKOV_VERSION) runs in a virtualenv of its own: it depends on
``bc-python-hcl2``, which installs the same ``hcl2`` import package as emrlint's
python-hcl2, so the two cannot share one. The virtualenv is created on first use under
``~/.cache/emrlint-tests/checkov-<version>`` (``EMRLINT_CHECKOV_VENV`` overrides the
place) and reused while it works. Creating it needs PyPI: without network the test fails
and says so; ``EMRLINT_SKIP_CHECKOV=1`` skips it deliberately.

checkov runs once over a copy of the Terraform cases of ``fixtures/EMR4*/`` with its
eight EMR checks; emrlint runs its EMR4xx rules over the same fixtures. Every resource
checkov FAILS must be flagged by the emrlint rule(s) that MAPPING gives for that check,
unless EXPECTED_DIFFERENCES records it as a checkov false positive (and the fixture says
why in a comment). The comparison table, including what emrlint flags and checkov
misses, is printed: run ``pytest tests/test_checkov_parity.py -s`` (or ``-rA``) to see it.

What each check really tests (checkov 3.3.30 source, checkov/terraform/checks/):

* CKV_AWS_114 (resource/aws/EMRClusterKerberosAttributes.py): an ``aws_emr_cluster``
  with ``kerberos_attributes`` fails when the block has no ``realm`` key -> EMR409.
* CKV_AWS_171 (EMRClusterIsEncryptedKMS.py): an ``aws_emr_security_configuration`` fails
  unless the text ``SSE-KMS`` occurs anywhere in ``str(configuration)``. It fails
  SSE-S3 (EMR405), but also configurations without S3 encryption at all (EMR402),
  ``CSE-KMS`` and configurations it cannot evaluate (false positives) -> EMR405 or EMR402.
* CKV_AWS_349 (EMRClusterConfEncryptsLocalDisk.py): fails unless
  ``EncryptionConfiguration.EnableAtRestEncryption is True`` and
  ``AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration`` is truthy -> EMR403
  (local disks), or EMR402 when at-rest encryption is off.
* CKV_AWS_350 (EMRClusterConfEncryptsEBS.py): the same with ``...EnableEbsEncryption``
  truthy -> EMR403 or EMR402.
* CKV_AWS_351 (EMRClusterConfEncryptsInTransit.py): fails unless
  ``EncryptionConfiguration.EnableInTransitEncryption`` is truthy -> EMR404.
* CKV_AWS_390 (EMRPubliclyAccessible.py): ``aws_emr_block_public_access_configuration``
  fails unless ``block_public_security_group_rules`` is true -> EMR406.
* CKV2_AWS_7 (graph_checks/aws/AMRClustersNotOpenToInternet.json): an ``aws_emr_cluster``
  fails unless it is connected to an ``aws_security_group`` and no connected group's
  inline ``ingress.*.cidr_blocks`` contains ``0.0.0.0/0`` -> EMR407 (clusters connected
  to no group at all are checkov false positives).
* CKV2_AWS_55 (graph_checks/aws/EMRClusterHasSecurityConfiguration.json): an
  ``aws_emr_cluster`` fails unless the attribute ``security_configuration`` exists ->
  EMR401.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

from conftest import FIXTURES, REPO, run_scan

CHECKOV_VERSION = "3.3.30"
CHECKS = ("CKV_AWS_114", "CKV_AWS_171", "CKV_AWS_349", "CKV_AWS_350", "CKV_AWS_351", "CKV_AWS_390",
          "CKV2_AWS_7", "CKV2_AWS_55")
EMRLINT_RULES = [f"EMR4{n:02d}" for n in range(1, 13)]

# checkov check -> the emrlint rules that report what its failure means
MAPPING: Dict[str, Tuple[str, ...]] = {
    "CKV_AWS_114": ("EMR409",),
    "CKV_AWS_171": ("EMR405", "EMR402"),
    "CKV_AWS_349": ("EMR403", "EMR402"),
    "CKV_AWS_350": ("EMR403", "EMR402"),
    "CKV_AWS_351": ("EMR404",),
    "CKV_AWS_390": ("EMR406",),
    "CKV2_AWS_7": ("EMR407",),
    "CKV2_AWS_55": ("EMR401",),
}

# (file of the resource, relative to the repository; check; why checkov is wrong there).
# Each fixture listed here says the same in a comment.
EXPECTED_DIFFERENCES: List[Tuple[str, str, str]] = [
    ("fixtures/EMR401/pass/remote-module-output/main.tf", "CKV2_AWS_7",
     "the security groups come from a remote module; checkov fails clusters it cannot connect to an "
     "aws_security_group, emrlint cannot see their rules"),
    ("fixtures/EMR402/pass/at-rest-flag-unknown/main.tf", "CKV_AWS_349",
     "EnableAtRestEncryption is a variable without default; checkov compares the unevaluated reference with true"),
    ("fixtures/EMR402/pass/at-rest-flag-unknown/main.tf", "CKV_AWS_350",
     "EnableAtRestEncryption is a variable without default; checkov compares the unevaluated reference with true"),
    ("fixtures/EMR402/pass/configuration-from-variable-without-default/main.tf", "CKV_AWS_171",
     "the configuration is a variable without default; checkov searches its unevaluated text for SSE-KMS"),
    ("fixtures/EMR402/pass/file-security-configuration/main.tf", "CKV_AWS_171",
     "the configuration is file(...) of an SSE-KMS document; checkov does not read the file and searches the "
     "call's text for SSE-KMS"),
    ("fixtures/EMR403/pass/local-disk-from-unknown-variable/main.tf", "CKV_AWS_350",
     "LocalDiskEncryptionConfiguration is a variable without default; checkov looks for EnableEbsEncryption in "
     "the unevaluated reference"),
    ("fixtures/EMR405/pass/heredoc-cse-kms/main.tf", "CKV_AWS_171",
     "CSE-KMS is KMS encryption (client-side); checkov only accepts the text SSE-KMS"),
    ("fixtures/EMR405/pass/encryption-mode-unknown-variable/main.tf", "CKV_AWS_171",
     "the encryption mode is a variable without default; checkov fails the unevaluated text"),
    ("fixtures/EMR407/pass/dynamic-ingress-unknown-for-each/main.tf", "CKV2_AWS_7",
     "the open ingress rules come from a dynamic block over a variable without default; checkov assumes they "
     "exist, emrlint does not fire on rules that may not exist"),
    ("fixtures/EMR407/pass/remote-module-security-groups/main.tf", "CKV2_AWS_7",
     "the security groups come from a remote module; checkov fails clusters it cannot connect to an "
     "aws_security_group, emrlint cannot see their rules"),
    ("fixtures/EMR408/fail/no-ec2-attributes/main.tf", "CKV2_AWS_7",
     "the cluster names no security group at all; checkov fails clusters it cannot connect to an "
     "aws_security_group although nothing is open to the world"),
]

SKIP_ENV = "EMRLINT_SKIP_CHECKOV"
VENV_ENV = "EMRLINT_CHECKOV_VENV"


# ---------------------------------------------------------------------------
# checkov's own virtualenv
# ---------------------------------------------------------------------------


def _venv_dir() -> Path:
    configured = os.environ.get(VENV_ENV)
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "emrlint-tests" / f"checkov-{CHECKOV_VERSION}"


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def _checkov_env() -> Dict[str, str]:
    """The environment checkov runs in: no platform credentials or settings from the caller, no
    update check against PyPI, no download of guidelines (``--skip-download`` does that too)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_", "CHECKOV_"))}
    env.update({"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "LOG_LEVEL": "ERROR"})
    return env


def _working(checkov: Path) -> bool:
    if not checkov.exists():
        return False
    try:
        proc = subprocess.run([str(checkov), "--version"], capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL, env=_checkov_env())
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and proc.stdout.strip().splitlines()[-1:] == [CHECKOV_VERSION]


class _Lock:
    """An exclusive lock on a file next to the virtualenv (POSIX), so that parallel test
    runs do not build the same virtualenv at once."""

    def __init__(self, path: Path):
        self.path = path
        self.fh = None

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "w")
        try:
            import fcntl

            fcntl.flock(self.fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: no locking
            pass
        return self

    def __exit__(self, *exc):
        self.fh.close()


def _run_setup(cmd: List[str], what: str) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.fail(f"could not {what}: {exc}. The checkov parity test needs PyPI to install checkov "
                    f"{CHECKOV_VERSION} once; set {SKIP_ENV}=1 to skip it.", pytrace=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        pytest.fail(f"could not {what} (exit {proc.returncode}); is PyPI reachable? Set {SKIP_ENV}=1 to skip "
                    f"the checkov parity test.\n{tail}", pytrace=False)


@pytest.fixture(scope="module")
def checkov() -> Path:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: checkov parity not checked")
    venv = _venv_dir()
    exe = _bin(venv, "checkov")
    if _working(exe):
        return exe
    with _Lock(venv.parent / f"{venv.name}.lock"):
        if _working(exe):  # built by a concurrent run while we waited
            return exe
        if venv.exists():
            shutil.rmtree(venv)
        _run_setup([sys.executable, "-m", "venv", str(venv)], f"create a virtualenv for checkov at {venv}")
        _run_setup([str(_bin(venv, "python")), "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
                    f"checkov=={CHECKOV_VERSION}"], f"install checkov=={CHECKOV_VERSION} into {venv}")
        if not _working(exe):
            pytest.fail(f"checkov {CHECKOV_VERSION} was installed into {venv} but `checkov --version` does not "
                        "report it", pytrace=False)
    return exe


# ---------------------------------------------------------------------------
# the two scans
# ---------------------------------------------------------------------------


def _security_fixture_dirs() -> List[str]:
    return sorted(d for d in os.listdir(FIXTURES) if re.fullmatch(r"EMR4\d\d", d)
                  and os.path.isdir(os.path.join(FIXTURES, d)))


def _case_of(rel: str) -> str:
    """``fixtures/EMR407/fail/x/modules/emr/main.tf`` -> ``fixtures/EMR407/fail/x``."""
    return "/".join(rel.split("/")[:4])


_INDEX = re.compile(r"\[[^\]]*\]")


def _address(address: str) -> str:
    """A resource address without count/for_each keys (checkov and emrlint spell them differently)."""
    return _INDEX.sub("", address)


def _run_checkov(checkov: Path, tmp_path: Path) -> List[dict]:
    """checkov's verdicts: dicts with check, result, file (relative to the repository), case, address."""
    tree = tmp_path / "tree"
    for d in _security_fixture_dirs():
        shutil.copytree(os.path.join(FIXTURES, d), tree / "fixtures" / d,
                        ignore=shutil.ignore_patterns("snapshot.json"))
    env = _checkov_env()
    cmd = [str(checkov), "--directory", str(tree / "fixtures"), "--framework", "terraform",
           "--check", ",".join(CHECKS), "--output", "json", "--compact", "--skip-download", "--soft-fail"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, cwd=str(tmp_path), env=env,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"checkov failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov did not print one JSON report:\n{proc.stdout[:2000]}\n{proc.stderr[-2000:]}")
    reports = report if isinstance(report, list) else [report]
    verdicts = []
    for rep in reports:
        results = rep.get("results") if isinstance(rep, dict) else None
        if not results:
            continue
        for key, result in (("passed_checks", "PASSED"), ("failed_checks", "FAILED")):
            for item in results.get(key) or []:
                rel = os.path.relpath(item["file_abs_path"], tree).replace(os.sep, "/")
                verdicts.append({"check": item["check_id"], "result": result, "file": rel, "case": _case_of(rel),
                                 "address": _address(item["resource"])})
    assert verdicts, "checkov reported no result at all: did it find the fixtures?"
    verdicts.sort(key=lambda v: (v["case"], v["address"], v["check"], v["file"]))
    return verdicts


def _run_emrlint(monkeypatch) -> Dict[Tuple[str, str], Set[str]]:
    """(case, resource address) -> the EMR4xx rules that flag the Terraform resource (checkov runs
    with its Terraform framework only)."""
    monkeypatch.chdir(REPO)
    findings = run_scan([os.path.join("fixtures", d) for d in _security_fixture_dirs()], select=EMRLINT_RULES)
    flagged: Dict[Tuple[str, str], Set[str]] = defaultdict(set)
    for f in findings:
        if f.source_format != "terraform":
            continue
        where = f.subject.path if f.subject is not None else f.loc.path
        rel = os.path.relpath(where, REPO).replace(os.sep, "/")
        flagged[(_case_of(rel), _address(f.resource))].add(f.rule)
    return flagged


# ---------------------------------------------------------------------------
# the comparison
# ---------------------------------------------------------------------------


def _table(rows: List[Tuple[str, ...]], header: Tuple[str, ...]) -> List[str]:
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [line(header), line(tuple("-" * w for w in widths))] + [line(r) for r in rows]


def test_every_resource_checkov_fails_is_flagged_by_emrlint(checkov, tmp_path, monkeypatch):
    verdicts = _run_checkov(checkov, tmp_path)
    flagged = _run_emrlint(monkeypatch)
    expected = {(f, c): reason for f, c, reason in EXPECTED_DIFFERENCES}
    used: Set[Tuple[str, str]] = set()

    rows = []
    missed = []
    for v in verdicts:
        rules = sorted(flagged.get((v["case"], v["address"]), set()) & set(MAPPING[v["check"]]))
        if v["result"] == "FAILED":
            if rules:
                verdict = "both flag"
            elif (v["file"], v["check"]) in expected:
                used.add((v["file"], v["check"]))
                verdict = "checkov false positive (expected)"
            else:
                verdict = "MISSED BY EMRLINT"
                missed.append(v)
        else:
            verdict = "emrlint only" if rules else "both pass"
        rows.append((v["case"].replace("fixtures/", ""), v["address"], v["check"], v["result"],
                     ",".join(rules) or "-", verdict))

    # what emrlint flags where checkov's corresponding check passes or does not apply
    reverse: Dict[str, Set[str]] = defaultdict(set)
    for check, rules in MAPPING.items():
        for rule in rules:
            reverse[rule].add(check)
    status = {(v["case"], v["address"], v["check"]): v["result"] for v in verdicts}
    extra = []
    for (case, address), rules in sorted(flagged.items()):
        for rule in sorted(rules):
            checks = sorted(reverse.get(rule, ()))
            if any(status.get((case, address, c)) == "FAILED" for c in checks):
                continue
            if checks:
                why = ", ".join(f"{c} {status.get((case, address, c), 'not evaluated').lower()}" for c in checks)
            else:
                why = "no checkov check"
            extra.append((case.replace("fixtures/", ""), address, rule, why))

    lines = ["", f"checkov {CHECKOV_VERSION} vs emrlint EMR4xx over fixtures/EMR4*/ (Terraform cases)", ""]
    lines += _table(rows, ("case", "resource", "check", "checkov", "emrlint", "verdict"))
    lines += ["", "emrlint flags what checkov misses (or has no check for):", ""]
    lines += _table(extra, ("case", "resource", "emrlint", "checkov")) if extra else ["(none)"]
    lines += ["", "expected differences (checkov false positives):", ""]
    lines += _table([(f, c, r) for f, c, r in EXPECTED_DIFFERENCES], ("file", "check", "reason"))
    counts = defaultdict(int)
    for row in rows:
        counts[row[5]] += 1
    lines += ["", "summary: " + ", ".join(f"{k}: {counts[k]}" for k in sorted(counts)) +
              f"; emrlint-only findings: {len(extra)}", ""]
    print("\n".join(lines))

    assert not missed, "resources checkov fails that emrlint does not flag:\n" + "\n".join(
        f"  {m['file']} {m['address']} {m['check']} (expected one of {', '.join(MAPPING[m['check']])})" for m in missed)
    stale = sorted(set(expected) - used)
    assert not stale, "EXPECTED_DIFFERENCES entries that checkov no longer reports (remove them):\n" + "\n".join(
        f"  {f} {c}" for f, c in stale)
