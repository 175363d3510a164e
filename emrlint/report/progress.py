"""A progress display for long scans: rich, on stderr, only on a terminal, and only
once a scan has run for about a second (short scans never flicker)."""

from __future__ import annotations

import sys
import time
from typing import Optional, TextIO


class ProgressDisplay:
    def __init__(self, stream: Optional[TextIO] = None, delay: float = 1.0, enabled: Optional[bool] = None):
        stream = sys.stderr if stream is None else stream  # the current stderr, not the one at import time
        self.stream = stream
        self.delay = delay
        self.enabled = stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._bar = None
        self._task = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), transient=True, console=Console(file=self.stream))
            self._bar.start()
            self._task = self._bar.add_task(stage, total=total)
        self._bar.update(self._task, description=stage, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
