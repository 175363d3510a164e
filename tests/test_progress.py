"""The progress display: only on a terminal, only for scans longer than its delay."""

from __future__ import annotations

import io

from emrlint.report.progress import ProgressDisplay


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_not_a_terminal_shows_nothing():
    stream = io.StringIO()
    progress = ProgressDisplay(stream=stream, delay=0)
    for i in range(3):
        progress("evaluating Terraform modules", i, 3)
    progress.close()
    assert stream.getvalue() == ""


def test_short_scan_shows_nothing_even_on_a_terminal():
    stream = FakeTTY()
    progress = ProgressDisplay(stream=stream, delay=3600)
    progress("checking rules", 1, 7)
    progress.close()
    assert stream.getvalue() == ""


def test_long_scan_on_a_terminal_shows_a_transient_bar():
    stream = FakeTTY()
    progress = ProgressDisplay(stream=stream, delay=0)
    progress("evaluating Terraform modules", 1, 4)
    progress("checking rules", 3, 7)
    progress.close()
    out = stream.getvalue()
    assert "checking rules" in out or "evaluating Terraform modules" in out


def test_worker_processes_report_progress(tmp_path, monkeypatch):
    """With root modules checked in parallel processes, every root module a worker finishes
    moves the display (before, only a one-process scan did)."""
    import emrlint.engine as engine
    from emrlint.config import selected_rules
    from emrlint.engine import ScanOptions, scan

    from conftest import write_tree

    cluster = 'resource "aws_emr_cluster" "c" {\n  name = "c"\n  release_label = "emr-7.1.0"\n}\n'
    write_tree(str(tmp_path), {f"env{i}/main.tf": cluster for i in range(8)})
    monkeypatch.chdir(tmp_path)
    parallel = []
    original = engine._parallel_roots
    monkeypatch.setattr(engine, "_parallel_roots", lambda *a, **k: parallel.append(1) or original(*a, **k))
    seen = []
    options = ScanOptions(paths=["."], rules=selected_rules(["EMR301"], []), jobs=2, parallel_min_bytes=1,
                          progress=lambda stage, done, total: seen.append((stage, done, total)))
    result = scan(options)
    assert parallel and len(result.findings) == 8
    evaluating = [(done, total) for stage, done, total in seen if stage == "evaluating Terraform modules"]
    assert evaluating and evaluating[-1] == (8, 8)
    assert [d for d, _ in evaluating] == sorted(d for d, _ in evaluating)
