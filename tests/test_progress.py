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
