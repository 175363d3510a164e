"""A parallel scan's worker processes: forked children (``emrlint.forked``) where the OS
forks, a process pool elsewhere; both give the findings of a one-process scan, and a
worker that dies or fails does not lose a root module or hide its error."""

from __future__ import annotations

import os
import signal

import pytest

import emrlint.engine as engine
from emrlint import forked
from emrlint.config import selected_rules
from emrlint.engine import ScanOptions, scan

from conftest import write_tree

pytestmark = pytest.mark.skipif(not forked.available(), reason="the OS does not fork")

CLUSTER = '''resource "aws_emr_cluster" "c{i}" {{
  name          = "c{i}"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
}}
'''


def _tree(tmp_path, n=10):
    write_tree(str(tmp_path), {f"env{i}/main.tf": CLUSTER.format(i=i) for i in range(n)})
    return str(tmp_path)


def _options(root, **extra):
    return ScanOptions(paths=[root], rules=selected_rules(None, []), parallel_min_bytes=1, **extra)


def _findings(result):
    return sorted((f.rule, f.loc.path, f.loc.line, f.loc.column, f.message) for f in result.findings)


def _used_forked_children(monkeypatch):
    started = []
    real = forked.share
    monkeypatch.setattr(forked, "share", lambda n, *a, **k: started.append(n) or real(n, *a, **k))
    return started


def test_forked_workers_find_what_one_process_finds(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    serial = scan(_options(root, jobs=1))
    assert len(serial.findings) >= 10
    started = _used_forked_children(monkeypatch)
    for jobs in (2, 3):
        assert _findings(scan(_options(root, jobs=jobs))) == _findings(serial)
    assert started == [1, 2]


def test_the_process_pool_finds_what_one_process_finds(tmp_path, monkeypatch):
    """Where the OS does not fork (Windows), a process pool's workers read the files themselves."""
    root = _tree(tmp_path)
    serial = scan(_options(root, jobs=1))
    monkeypatch.setattr(forked, "available", lambda: False)
    pooled = []
    real = engine._pooled_roots
    monkeypatch.setattr(engine, "_pooled_roots", lambda *a: pooled.append(1) or real(*a))
    assert _findings(scan(_options(root, jobs=2))) == _findings(serial)
    assert pooled


def test_a_worker_that_dies_loses_no_root_module(tmp_path, monkeypatch):
    """A worker killed midway (the OOM killer, a signal) delivers nothing: this process
    checks the root modules it did not deliver, and the report is whole."""
    root = _tree(tmp_path)
    serial = scan(_options(root, jobs=1))
    parent = os.getpid()
    real = engine._root_parts

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_root_parts", dying)
    assert _findings(scan(_options(root, jobs=2))) == _findings(serial)


def test_an_error_in_a_worker_is_raised_in_the_scan(tmp_path, monkeypatch):
    root = _tree(tmp_path)
    parent = os.getpid()
    real = engine._root_parts

    def failing(*args, **kwargs):
        if os.getpid() != parent:
            raise ValueError("a bug in a worker")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "_root_parts", failing)
    with pytest.raises(ValueError, match="a bug in a worker"):
        scan(_options(root, jobs=2))


def test_share_reports_every_childs_result_and_finished_items():
    index = forked.SharedIndex(0)
    ticks = []
    try:
        def claim(done):
            got = []
            while True:
                with index.get_lock():
                    i = index.value
                    index.value = i + 1
                if i >= 200:
                    return got
                got.append(i)
                if done is not None:
                    done()

        mine, theirs = forked.share(3, claim, lambda drain: claim(None), ticks=ticks.append)
    finally:
        index.close()
    claimed = mine + [i for r in theirs for i in r]
    assert sorted(claimed) == list(range(200))  # each item went to exactly one process
    assert sum(ticks) == sum(len(r) for r in theirs)
    assert len(theirs) == 3


def test_a_child_whose_result_does_not_pickle_is_an_error():
    with pytest.raises(RuntimeError, match="could not be sent"):
        forked.share(1, lambda done: (lambda: None), lambda drain: None)


def test_a_parallel_scan_imports_neither_multiprocessing_nor_concurrent_futures(tmp_path):
    """They cost about 25 ms of a parallel scan's serial start (logging and the rest)."""
    from test_startup import _modules

    variables = "".join(f'variable "v{j}" {{\n  description = "{"x" * 80}"\n  default     = null\n}}\n'
                        for j in range(60))
    write_tree(str(tmp_path), {f"env{i}/main.tf": CLUSTER.format(i=i) + variables for i in range(40)})
    loaded = _modules("scan", "--no-config", "--no-cache", "--format", "json", "--jobs", "2", str(tmp_path))
    assert "emrlint.forked" in loaded
    assert not [m for m in loaded if m.startswith(("multiprocessing", "concurrent"))]
