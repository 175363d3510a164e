"""The default terminal report (rich): location, severity, rule, message and a
short code frame per finding, then a summary.  Colour only on a terminal;
``NO_COLOR`` is respected."""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence, TextIO

from rich.console import Console
from rich.text import Text

from emrlint.findings import Finding
from emrlint.report import relpath, summary
from emrlint.sources import Sources

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
FRAME_LINES = 3


def make_console(stream: TextIO, color: Optional[bool] = None) -> Console:
    no_color = color is False or bool(os.environ.get("NO_COLOR"))
    return Console(file=stream, no_color=no_color, highlight=False, emoji=False,
                   force_terminal=True if color else None, soft_wrap=True)


def _frame(f: Finding, sources: Sources) -> Text:
    lines = sources.lines(f.loc.path)
    out = Text()
    if not lines:
        return out
    first = max(1, f.loc.line - 1)
    last = min(len(lines), f.loc.line + min(FRAME_LINES, f.loc.end_line - f.loc.line + 1) - 1)
    width = len(str(last))
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip()
        if n < f.loc.line and not text.strip():
            continue
        marked_end = f.loc.end_line if f.loc.end_line - f.loc.line < FRAME_LINES else f.loc.line
        marker = ">" if f.loc.line <= n <= marked_end else " "
        out.append(f"  {marker} {n:>{width}} | ", style="dim" if marker == " " else "bold")
        out.append(text[:200] + "\n", style=None if marker == ">" else "dim")
    return out


def _head(f: Finding) -> Text:
    head = Text()
    head.append(f"{relpath(f.loc.path)}:{f.loc.line}:{f.loc.column}", style="bold")
    head.append(": ")
    head.append(f.severity, style=STYLE[f.severity])
    head.append(f" {f.rule}", style="bold")
    head.append(f" [{f.name}]", style="dim")
    if f.resource:
        head.append(f" {f.resource}", style="magenta")
    return head


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def render(findings: List[Finding], files: int, suppressed: int, sources: Sources, stream: TextIO = sys.stdout,
           color: Optional[bool] = None, mode: str = "full", notes: Sequence[str] = ()) -> None:
    """``mode``: "full" (findings with code frames and a summary), "quiet" (one line
    per finding, nothing else) or "statistics" (counts by rule)."""
    console = make_console(stream, color)
    if mode == "quiet":
        for f in findings:
            console.print(_head(f).append(f": {f.message}"))
        return
    if mode == "full":  # "summary" and "statistics" print only what follows
        for f in findings:
            console.print(_head(f))
            console.print(Text("  " + f.message))
            frame = _frame(f, sources)
            if frame:
                console.print(frame, end="")
            for cs in f.call_sites:
                console.print(Text(f"  via {cs.address} at {relpath(cs.loc.path)}:{cs.loc.line}", style="dim"))
            for message, loc in f.related:
                console.print(Text(f"  see {relpath(loc.path)}:{loc.line}: {message}", style="dim"))
            console.print()
    s = summary(findings, files, suppressed)
    if not findings:
        console.print(Text(f"No findings in {_plural(files, 'file')}.", style="green"))
    else:
        counts = ", ".join(_plural(n, sev) for sev, n in s["by_severity"].items() if n)
        console.print(Text(f"Found {_plural(s['total'], 'finding')} ({counts}) in {_plural(files, 'file')}.",
                           style="bold"))
        names = {f.rule: (f.name, f.severity) for f in findings}
        for rule, n in s["by_rule"].items():
            name, sev = names[rule]
            line = Text(f"  {n:>4}  ")
            line.append(rule, style="bold")
            line.append(f" {name} ")
            line.append(f"({sev})", style=STYLE[sev])
            console.print(line)
    if suppressed:
        console.print(Text(f"{_plural(suppressed, 'finding')} suppressed by inline comments.", style="dim"))
    for note in notes:
        console.print(Text(note, style="dim"))
