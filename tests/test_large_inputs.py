"""Large inputs are read in linear time and without oversized buffers (measured in
bench/run.py; these tests check that the fast paths give the same answers)."""

from __future__ import annotations

import io
import json
import os

from emrlint.documents.plan import _address_lines
from emrlint.sources import Boundary, Sources, _read_limited

from conftest import FIXTURES


def _reference_lines(text):
    """The straightforward count: each match's line from the start of the text."""
    import re

    out = {}
    for m in re.finditer(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"', text):
        out.setdefault(json.loads(f'"{m.group(1)}"'), text.count("\n", 0, m.start()) + 1)
    return out


def test_plan_address_lines_match_a_line_by_line_count():
    plans = []
    for d, _, files in os.walk(FIXTURES):
        for f in files:
            if f.endswith(".json"):
                text = open(os.path.join(d, f), encoding="utf-8").read()
                if "planned_values" in text:
                    plans.append(text)
    assert len(plans) >= 10
    for text in plans:
        lines = _address_lines(text)
        assert lines and lines == _reference_lines(text)
    compact = json.dumps(json.loads(plans[0]))  # as `terraform show -json` writes it: one line
    assert set(_address_lines(compact).values()) == {1}


class _Growing(io.BytesIO):
    """A file whose size, as fstat reports it, is smaller than what it holds (it grew
    after the stat, or it is a special file that reports 0)."""

    def __init__(self, data, reported):
        super().__init__(data)
        self.reported = reported

    def fileno(self):
        return self._fd

    def __enter__(self):
        import tempfile

        self._tmp = tempfile.TemporaryFile()
        self._tmp.write(b"x" * self.reported)
        self._tmp.flush()
        self._fd = self._tmp.fileno()
        return self

    def __exit__(self, *exc):
        self._tmp.close()


def test_reading_is_bounded_by_the_limit_whatever_the_reported_size(tmp_path):
    with _Growing(b"a" * 5000, 10) as fh:
        assert _read_limited(fh, 10, 10_000) == b"a" * 5000
    with _Growing(b"a" * 5000, 0) as fh:
        assert len(_read_limited(fh, 0, 4096)) == 4097  # the caller sees it is over the limit
    big = tmp_path / "big.tf"
    big.write_bytes(b"#" * 1001)
    small = tmp_path / "small.tf"
    small.write_bytes(b"# one line\n")
    sources = Sources(Boundary([str(tmp_path)]), max_bytes=1000)
    assert sources.read_bytes(str(small)) == b"# one line\n"
    try:
        sources.read_bytes(str(big))
    except Exception as exc:
        assert "larger than" in str(exc)
    else:
        raise AssertionError("a file over the limit was read")


def _brute_referenced(value, candidates):
    """The definition: every candidate against every reference."""
    from emrlint.values import refs_of

    values = value if isinstance(value, list) else [value]
    exact, possible = [], []
    for v in values:
        refs = refs_of(v)
        for c in candidates:
            if any(c.address == r or c.address.startswith(r + "[") for r in refs) or (
                    isinstance(v, str) and v and c.field("name").value == v):
                if c not in exact:
                    exact.append(c)
            elif any(c.address.startswith(r + ".") for r in refs) and c not in possible:
                possible.append(c)
    return exact, [c for c in possible if c not in exact]


def test_indexed_reference_lookup_matches_its_definition():
    import random

    from emrlint.model import Candidates, referenced
    from emrlint.values import Unknown

    class Res:
        def __init__(self, address, name):
            self.address, self.name = address, name

        def field(self, key):
            class F:
                value = self.name
            return F

    rng = random.Random(3)
    parts = ["module.a", "module.a[0]", 'module.b["x"]', "aws_emr_cluster.c", "aws_emr_cluster.c[1]", "module.ab"]
    candidates = [Res(".".join(rng.sample(parts, rng.randint(1, 3))) + f".aws_emr_cluster.k{i % 4}",
                      rng.choice(["etl", "ml", None])) for i in range(60)]
    index = Candidates(candidates)
    for _ in range(300):
        refs = {rng.choice(parts + [c.address for c in candidates]) for _ in range(rng.randint(0, 3))}
        value = rng.choice([Unknown(refs), "etl", "", [Unknown(refs), "ml"], None])
        assert referenced(value, index) == _brute_referenced(value, candidates)
        assert referenced(value, candidates) == _brute_referenced(value, candidates)
