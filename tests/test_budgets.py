"""Evaluation budgets: every hostile configuration of ``bench/budgets.py`` (which measures
their time and memory) gives an unknown value instead of running away, the scan meets no
internal error, and the healthy cluster beside it is still reported."""

from __future__ import annotations

import importlib.util
import os

import pytest

from conftest import REPO
from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

_spec = importlib.util.spec_from_file_location("emrlint_bench_budgets", os.path.join(REPO, "bench", "budgets.py"))
budgets = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(budgets)

# cases whose bomb is the cluster's log_uri: unknown, so EMR301 (log_uri missing) stays silent
LOG_URI_BOMBS = [n for n, files in budgets.HOSTILE.items() if isinstance(files, str) and "log_uri       = " in files
                 and "count" not in n and n != "for_each"]


def _scan(tmp_path, name):
    budgets.write(str(tmp_path), budgets.HOSTILE[name])
    result = scan(ScanOptions(paths=[str(tmp_path)], rules=selected_rules(["ALL"], [])))
    assert not result.errors, [e.message for e in result.errors]
    rel = [(f.rule, os.path.relpath(f.loc.path, str(tmp_path)), f.resource) for f in result.findings]
    assert ("EMR301", "healthy/main.tf", "aws_emr_cluster.healthy") in rel
    return rel


@pytest.mark.parametrize("name", LOG_URI_BOMBS)
def test_budget_makes_the_value_unknown(tmp_path, name):
    rel = _scan(tmp_path, name)
    assert ("EMR301", "main.tf", "aws_emr_cluster.x") not in rel  # unknown, never "missing"
    assert not [r for r in rel if r[0] == "EMR001"]


@pytest.mark.parametrize("name", ["count", "count-infinite", "for_each"])
def test_too_many_instances_is_an_unknown_count(tmp_path, name):
    rel = _scan(tmp_path, name)
    assert [r for r in rel if r[1] == "main.tf" and r[0] == "EMR201"] == []
    assert sum(1 for r in rel if r[0] == "EMR301" and r[1] == "main.tf") == 1  # one instance that may exist


def test_module_fan_out_stops_at_the_budget_with_one_emr001(tmp_path):
    rel = _scan(tmp_path, "module-fanout")
    assert len([r for r in rel if r[0] == "EMR001"]) == 1
    # about 10**14 instances were asked for; the budget stops far below
    assert len(rel) < 50_000


def test_cloudformation_sub_doubling(tmp_path):
    rel = _scan(tmp_path, "cfn-sub-doubling")
    assert not [r for r in rel if r[0] in ("EMR001", "EMR301") and r[1] == "template.yaml"]


def test_every_hostile_case_is_tested():
    tested = set(LOG_URI_BOMBS) | {"count", "count-infinite", "for_each", "module-fanout", "cfn-sub-doubling"}
    assert tested == set(budgets.HOSTILE)


@pytest.mark.parametrize("text", [
    "--conf spark.a=1 --jars 's3://b/x y.jar' \"a\\\"b\" c\\ d", "a'b'c \"\" '' x", "--packages a:b:1.0,c:d:2",
    "'" + "w" * 100_000 + "' tail", "w" * 100_000, "a\\\nb 'c\nd'",
])
def test_shell_words_are_shlex_words(text):
    import shlex

    from emrlint.shellwords import split

    assert split(text) == shlex.split(text)


def test_bootstrap_script_with_one_huge_quoted_word_is_tokenised():
    from emrlint.bootstrap import _shell_tokens

    word = "a" * 1_000_000
    tokens = [t for t in _shell_tokens(f"pip install '{word}' x\n") if t.kind == "word"]
    assert [t.value for t in tokens] == ["pip", "install", word, "x"]
    assert tokens[2].end - tokens[2].start == len(word) + 2
