"""Fuzzing in the test suite: mutated fixtures of every format emrlint reads never crash a
scan, never take the rest of it down, and never give a message that cannot be printed.

The mutations are ``tools/fuzz.py``'s (which runs them for as long as asked, watching for
hangs and memory too); here Hypothesis draws them derandomised, so every run checks the
same inputs."""

from __future__ import annotations

import importlib.util
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO

_spec = importlib.util.spec_from_file_location("emrlint_tools_fuzz", os.path.join(REPO, "tools", "fuzz.py"))
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)

SEEDS = fuzz.seeds()
FORMATS = {
    "terraform": lambda n: n.endswith(".tf"),
    "tfvars": lambda n: ".tfvars" in n,
    "terraform-json-and-plans": lambda n: n.endswith(".tf.json") or "plan" in n and n.endswith(".json"),
    "json-documents": lambda n: n.endswith(".json") and not n.endswith(".tf.json") and "plan" not in n,
    "yaml-documents": lambda n: n.endswith((".yaml", ".yml", ".template")),
    "scripts-and-templates": lambda n: n.endswith((".sh", ".tpl")),
}
EXAMPLES = {"terraform": 700, "tfvars": 200, "terraform-json-and-plans": 300, "json-documents": 500,
            "yaml-documents": 500, "scripts-and-templates": 150}


def test_every_format_has_seeds():
    for name, accepts in FORMATS.items():
        assert [s for s in SEEDS if accepts(s[0])], name


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_mutated_fixtures_never_break_a_scan(fmt):
    seeds = [s for s in SEEDS if FORMATS[fmt](s[0])]

    @settings(max_examples=EXAMPLES[fmt], derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(seed=st.sampled_from(seeds), rng=st.randoms(use_true_random=False))
    def check(seed, rng):
        name, data = seed
        mutated = fuzz.mutate(rng, data)
        assert fuzz.scan_one(name, mutated) == [], (name, mutated[:2000])

    check()
