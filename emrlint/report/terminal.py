"""The default terminal report: location, severity, rule, message and a short code
frame per finding, then a summary.

Lines are built as styled segments.  On a terminal (and without ``NO_COLOR``)
they are printed in colour with rich; otherwise they are written as plain text
and rich is not even imported, which keeps a pre-commit hook's start-up short.
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional, Sequence, Set, TextIO, Tuple

from emrlint.findings import Finding, ScanError
from emrlint.report import display_path, message, shown, summary
from emrlint.sources import Sources
from emrlint.text import printable
from emrlint.lazyre import lazy_re

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
FRAME_LINES = 3

Line = List[Tuple[str, Optional[str]]]  # (text, rich style)


def use_color(stream: TextIO, color: Optional[bool] = None) -> bool:
    """``color``: True/False from the command line (they win); None: NO_COLOR, then FORCE_COLOR,
    then whether ``stream`` is a terminal."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def make_console(stream: TextIO, color: Optional[bool] = None, soft_wrap: bool = True):
    """A rich console.  ``soft_wrap=False`` lets rich wrap to the terminal's width (explain's
    Markdown: with soft wrapping rich crops list items at the edge, and words are lost)."""
    from rich.console import Console

    return Console(file=stream, no_color=not use_color(stream, color), highlight=False, emoji=False,
                   force_terminal=True if color else None, soft_wrap=soft_wrap)


def terminal_width(stream: TextIO) -> Optional[int]:
    """The width to wrap messages to: the terminal's (or ``COLUMNS``) when ``stream`` is a
    terminal; None (no wrapping, one line per message for grep and CI logs) otherwise."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns)


class Writer:
    """Writes styled lines in colour (rich) or as plain text."""

    def __init__(self, stream: TextIO, color: Optional[bool] = None, width: Optional[int] = None):
        self.stream = stream
        self.console = make_console(stream, True) if use_color(stream, color) else None
        self.width = width

    def wrapped(self, text: str, style: Optional[str] = None, indent: str = "  ", hanging: str = "    ") -> None:
        """A paragraph wrapped to the width at word boundaries, continuation lines indented."""
        if not self.width or len(indent) + len(text) <= self.width:
            self.line((indent + text, style))
            return
        import textwrap

        for part in textwrap.wrap(text, width=self.width, initial_indent=indent, subsequent_indent=hanging,
                                  break_long_words=False, break_on_hyphens=False):
            self.line((part, style))

    def line(self, *segments: Tuple[str, Optional[str]]) -> None:
        if self.console is None:
            self.stream.write("".join(text for text, _ in segments) + "\n")
            return
        from rich.text import Text

        text = Text()
        for part, style in segments:
            text.append(part, style=style)
        self.console.print(text)


# a line that assigns a password or secret: code frames never show its value
_SECRET_KEY = lazy_re(r"(?i)(passw(or)?d|secret|private[_-]?key|token)[\w-]*[\"']?\s*[=:]")
_VALUE = lazy_re(r"^(\s*(?:\"[^\"]*\"|'[^']*'|[^=:\"']*?)\s*[=:]\s*)\S")
MASK = "********"


def mask_value(text: str) -> str:
    """A line with the value it assigns (after the first ``=`` or ``:``) replaced by asterisks;
    a line that assigns nothing is masked whole."""
    m = _VALUE.match(text)
    if m:
        return m.group(1) + MASK
    stripped = text.lstrip()
    return text[: len(text) - len(stripped)] + MASK if stripped else text


def _frame(f: Finding, sources: Sources, secret_lines: Set[Tuple[str, int]] = frozenset()) -> List[Line]:
    lines = sources.lines(f.loc.path)
    out: List[Line] = []
    if not lines:
        return out
    first = max(1, f.loc.line - 1)
    last = min(len(lines), f.loc.line + min(FRAME_LINES, f.loc.end_line - f.loc.line + 1) - 1)
    width = len(str(last))
    marked_end = f.loc.end_line if f.loc.end_line - f.loc.line < FRAME_LINES else f.loc.line
    for n in range(first, last + 1):
        text = lines[n - 1].rstrip()
        if n < f.loc.line and not text.strip():
            continue
        if (f.loc.path, n) in secret_lines or _SECRET_KEY.search(text):
            text = mask_value(text)
        marked = f.loc.line <= n <= marked_end
        out.append([(f"  {'>' if marked else ' '} {n:>{width}} | ", "bold" if marked else "dim"),
                    (printable(text[:200]), None if marked else "dim")])
    return out


def _head(f: Finding) -> Line:
    from emrlint.links import rule_url

    head: Line = [(f"{display_path(f.loc.path)}:{f.loc.line}:{f.loc.column}", "bold"), (": ", None),
                  (f.severity, STYLE[f.severity]), (" ", None), (f.rule, _link_style(rule_url(f.rule))),
                  (f" [{f.name}]", "dim")]
    if f.resource:
        head.append((f" {shown(f.resource)}", "magenta"))
    return head


def _link_style(url: str) -> str:
    return f"bold link {url}" if url else "bold"


def _same_place(findings: Sequence[Finding]) -> List[List[Finding]]:
    """Consecutive findings that point at the same line of the same file."""
    groups: List[List[Finding]] = []
    for f in findings:
        if groups and (groups[-1][0].loc.path, groups[-1][0].loc.line) == (f.loc.path, f.loc.line):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def _context(f: Finding) -> List[str]:
    return ([f"via {shown(cs.address)} at {display_path(cs.loc.path)}:{cs.loc.line}" for cs in f.call_sites] +
            [f"see {display_path(loc.path)}:{loc.line}: {message(text)}" for text, loc in f.related])


def _unique(items) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _error_line(e: ScanError) -> Line:
    where = f"{display_path(e.path)}: " if e.path else ""
    return [(f"{where}internal error: ", "bold red"), (message(e.message), None)]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def render(findings: List[Finding], files: int, suppressed: int, sources: Sources, stream: TextIO = sys.stdout,
           color: Optional[bool] = None, mode: str = "full", notes: Sequence[str] = (),
           errors: Sequence[ScanError] = ()) -> None:
    """``mode``: "full" (findings with code frames and a summary), "quiet" (one line per
    finding, nothing else), "summary" or "statistics" (only the summary with counts by rule)."""
    out = Writer(stream, color, terminal_width(stream))
    if mode == "quiet":
        for f in findings:
            out.line(*_head(f), (f": {message(f.message)}", None))
        for e in errors:
            out.line(*_error_line(e))
        return
    if mode == "full":
        secret_lines = {(f.loc.path, n) for f in findings if f.secret for n in range(f.loc.line, f.loc.end_line + 1)}
        for group in _same_place(findings):
            # findings at one place share one code frame (a resource block with six findings: one frame)
            for f in group:
                out.line(*_head(f))
                out.wrapped(message(f.message))
            for frame_line in _frame(group[0], sources, secret_lines):
                out.line(*frame_line)
            for text in _unique(line for f in group for line in _context(f)):
                out.wrapped(text, "dim")
            out.line()
    for e in errors:
        out.line(*_error_line(e))
    if errors:
        out.line((f"{_plural(len(errors), 'internal error')}: emrlint failed on part of the input, so this report "
                  "is incomplete (exit status 2). Please report it; --debug shows the tracebacks.", "bold red"))
    s = summary(findings, files, suppressed)
    if not findings:
        out.line((f"No findings in {_plural(files, 'file')}.", "green"))
    else:
        from emrlint.links import rule_url

        counts = ", ".join(_plural(n, sev) for sev, n in s["by_severity"].items() if n)
        with_findings = len({f.loc.path for f in findings})
        out.line((f"Found {_plural(s['total'], 'finding')} ({counts}) in {_plural(with_findings, 'file')} "
                  f"({files} scanned).", "bold"))
        names = {f.rule: (f.name, f.severity) for f in findings}
        for rule, n in s["by_rule"].items():
            name, sev = names[rule]
            url = rule_url(rule)
            out.line((f"  {n:>4}  ", None), (rule, _link_style(url)), (f" {name} ", None), (f"({sev})", STYLE[sev]),
                     (f"  {url}" if url else "", "dim"))
        if mode == "full":
            top = s["by_rule"] and max(s["by_rule"], key=lambda r: s["by_rule"][r])
            out.line((f"Run `emrlint explain {top}` for what a rule checks, why, and how to fix it.", "dim"))
    if suppressed:
        out.line((f"{_plural(suppressed, 'finding')} suppressed by inline comments.", "dim"))
    for note in notes:
        out.line((shown(note, 2000), "dim"))
