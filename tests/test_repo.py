"""The repository's promises: README set-up commands, CI, the hook manifest, the rule table."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from emrlint.registry import all_rules

from conftest import REPO


def _readme() -> str:
    with open(os.path.join(REPO, "README.md")) as fh:
        return fh.read()


def test_readme_gives_exactly_two_setup_commands_and_ci_runs_the_second():
    setup = _readme().split("## Set up", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, re.S)
    assert len(commands) == 2 and all("\n" not in c for c in commands)
    assert "emrlint scan fixtures/" in commands[0]
    example = commands[0].split("emrlint scan ", 1)[1].split()[0]
    assert os.path.isdir(os.path.join(REPO, example))
    with open(os.path.join(REPO, ".ci", "run")) as fh:
        ci = fh.read()
    assert commands[1] in ci
    assert os.access(os.path.join(REPO, ".ci", "run"), os.X_OK)


def test_readme_lists_every_rule():
    readme = _readme()
    for rule in all_rules().values():
        assert f"| [{rule.id}](docs/rules/{rule.id}.md) | {rule.name} | {rule.severity} |" in readme


def test_hook_manifest_is_valid():
    pre_commit = shutil.which("pre-commit") or os.path.join(os.path.dirname(sys.executable), "pre-commit")
    proc = subprocess.run([pre_commit, "validate-manifest", os.path.join(REPO, ".pre-commit-hooks.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_package_is_listed_for_the_wheel():
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        import tomli as tomllib

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as fh:
        listed = set(tomllib.load(fh)["tool"]["setuptools"]["packages"])
    found = {"emrlint.rules"}
    for dirpath, _, files in os.walk(os.path.join(REPO, "emrlint")):
        if "__init__.py" in files:
            found.add(os.path.relpath(dirpath, REPO).replace(os.sep, "."))
    assert listed == found


def _markdown_files():
    out = [os.path.join(REPO, n) for n in ("README.md", "CONTRIBUTING.md") if os.path.exists(os.path.join(REPO, n))]
    for directory, dirs, files in os.walk(os.path.join(REPO, "docs")):
        out += [os.path.join(directory, f) for f in files if f.endswith(".md")]
    return out


def test_the_projects_docs_stand_on_their_own():
    """Every relative link in the project's Markdown resolves to a file in the repository,
    and no document points outside it."""
    import re

    for path in _markdown_files():
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = os.path.normpath(os.path.join(os.path.dirname(path), target.split("#")[0]))
            assert resolved.startswith(REPO + os.sep), f"{path}: {target} points outside the repository"
            assert os.path.exists(resolved), f"{path}: {target} does not exist"
        assert "../shared" not in text and "RULES.md" not in text, f"{path} refers to a file outside the repository"


def test_version_changelog_and_the_readmes_release_pins_agree():
    """One version everywhere: the package, its metadata, the newest CHANGELOG section, and the
    tag the README's install, pre-commit ``rev:`` and Action ``uses:`` lines pin."""
    import emrlint

    with open(os.path.join(REPO, "pyproject.toml")) as fh:
        declared = re.search(r'^version = "([^"]+)"', fh.read(), re.M).group(1)
    with open(os.path.join(REPO, "CHANGELOG.md")) as fh:
        newest = re.search(r"^## (\S+)", fh.read(), re.M).group(1)
    assert emrlint.__version__ == declared == newest
    readme = _readme()
    pins = set(re.findall(r"@(v\d+\.\d+\.\d+)", readme)) | set(re.findall(r"rev: (v\d+\.\d+\.\d+)", readme))
    assert pins == {f"v{declared}"}, pins
    assert f'"version": "{declared}"' in readme  # the JSON report example


def test_every_promise_names_tests_that_exist():
    """The README's Promises section: each promise names the tests that check it, and each of
    those is a test function of the suite (a renamed or deleted test breaks this, not the promise)."""
    import ast

    section = _readme().split("\n## Promises\n", 1)[1].split("\n## ", 1)[0]
    promises = [p for p in re.split(r"\n(?=- \*\*)", section) if p.startswith("- **")]
    assert len(promises) >= 7
    defined = {}
    for promise in promises:
        named = re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", promise)
        assert named, f"a promise names no test: {promise[:80]}"
        for path, name in named:
            if path not in defined:
                with open(os.path.join(REPO, path)) as fh:
                    tree = ast.parse(fh.read())
                defined[path] = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
            assert name in defined[path], f"{path}::{name} named by the README does not exist"
