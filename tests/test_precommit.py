"""The pre-commit hook, run by the real ``pre-commit`` tool in a throwaway git repository.

The hook repository is a snapshot of this checkout (tracked and untracked,
non-ignored files) committed into a temporary git repository, referenced from
a ``.pre-commit-config.yaml`` exactly as the README shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, write_tree

PRE_COMMIT = shutil.which("pre-commit") or os.path.join(os.path.dirname(sys.executable), "pre-commit")
pytestmark = pytest.mark.skipif(not os.path.exists(PRE_COMMIT) or shutil.which("git") is None,
                                reason="needs git and pre-commit")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "emrlint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "emrlint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

EVERYTHING_RIGHT = os.path.join(REPO, "fixtures", "examples", "everything-right")


def platform(path_prefix: str = "emr/", log_uri: bool = True, release_label: str = "emr-7.2.0") -> dict:
    """The everything-right example (clean under every rule), optionally broken."""
    files = {}
    for dirpath, _, names in os.walk(EVERYTHING_RIGHT):
        for name in names:
            full = os.path.join(dirpath, name)
            with open(full) as fh:
                files[path_prefix + os.path.relpath(full, EVERYTHING_RIGHT)] = fh.read()
    emr = files[path_prefix + "emr.tf"]
    if not log_uri:
        emr = "\n".join(line for line in emr.splitlines() if not line.lstrip().startswith("log_uri")) + "\n"
    files[path_prefix + "emr.tf"] = emr.replace('"emr-7.2.0"', f'"{release_label}"', 1)
    return files


def git(*args, cwd):
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A committed snapshot of this checkout, usable as a pre-commit hook repository."""
    dest = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = os.path.join(REPO, rel)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(dest, rel)), exist_ok=True)
            shutil.copy2(src, os.path.join(dest, rel))
    git("init", "-q", cwd=dest)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "--no-gpg-sign", "-m", "snapshot", cwd=dest)
    sha = git("rev-parse", "HEAD", cwd=dest).stdout.strip()
    return str(dest), sha


def test_hook_fails_on_a_bad_file_and_passes_once_fixed(hook_repo, tmp_path):
    repo_path, sha = hook_repo
    work = tmp_path / "infra-repo"
    work.mkdir()
    git("init", "-q", cwd=work)
    write_tree(str(work), {
        ".pre-commit-config.yaml": f"repos:\n  - repo: {repo_path}\n    rev: {sha}\n    hooks:\n      - id: emrlint\n",
        **platform(log_uri=False),
        "emr/README.md": "not Terraform, never passed to the hook\n",
    })
    git("add", "-A", cwd=work)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), **GIT_ENV)
    env.pop("NO_COLOR", None)

    def run_hook():
        return subprocess.run([PRE_COMMIT, "run", "--all-files", "--color", "never"], cwd=work, env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)

    failed = run_hook()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "EMR301" in failed.stdout and "emr/emr.tf:8:1" in failed.stdout
    assert "Failed" in failed.stdout

    write_tree(str(work), platform())
    git("add", "-A", cwd=work)
    passed = run_hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_hook_on_staged_renames_and_deletions_with_args(hook_repo, tmp_path):
    """Commit-time use: only staged files are passed; a renamed file is checked under its new
    name, a deleted one is not passed at all, and ``args: [--fail-on, error]`` lets warnings through."""
    repo_path, sha = hook_repo
    work = tmp_path / "infra-repo"
    work.mkdir()
    git("init", "-q", cwd=work)
    config = (f"repos:\n  - repo: {repo_path}\n    rev: {sha}\n    hooks:\n      - id: emrlint\n"
              f"        args: [--fail-on, error]\n")
    write_tree(str(work), {
        ".pre-commit-config.yaml": config,
        **platform(),
        "emr/old_name.tf": 'locals {\n  team = "data"\n}\n',
        "emr/obsolete.tf": 'locals {\n  legacy = true\n}\n',
    })
    git("add", "-A", cwd=work)
    git("commit", "-q", "--no-gpg-sign", "--no-verify", "-m", "initial", cwd=work)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), **GIT_ENV)
    env.pop("NO_COLOR", None)

    git("mv", "emr/old_name.tf", "emr/locals.tf", cwd=work)
    git("rm", "-q", "emr/obsolete.tf", cwd=work)
    # a warning (no log_uri) in the renamed file's module: allowed by --fail-on error
    write_tree(str(work), platform(log_uri=False))
    git("add", "-A", cwd=work)
    proc = subprocess.run([PRE_COMMIT, "run", "--color", "never", "--verbose"], cwd=work, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "EMR301" in proc.stdout  # reported (verbose), but not failing
    assert "obsolete.tf" not in proc.stdout and "no such file" not in proc.stdout

    # an error-level finding fails the commit
    write_tree(str(work), platform(log_uri=False, release_label="emr-7.x"))
    git("add", "-A", cwd=work)
    proc = subprocess.run([PRE_COMMIT, "run", "--color", "never"], cwd=work, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    assert proc.returncode == 1 and "EMR201" in proc.stdout
