"""Inline suppressions: ``# emrlint:ignore EMR102 reason`` in HCL comments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from emrlint.findings import Finding, Loc

_MARK = re.compile(r"^(?:#|//)\s*emrlint\s*:\s*ignore\b(.*)$", re.I)
_CODE = re.compile(r"^[A-Za-z]{3}\d{3}$")
_SPLIT = re.compile(r"[\s,]+")


@dataclass
class Suppression:
    loc: Loc
    codes: Tuple[str, ...]  # rule IDs (resolved)
    unknown: Tuple[str, ...]  # codes that name no rule
    reason: str
    span: Tuple[int, int]  # lines it covers
    text: str = ""  # the comment as written


def parse_comment(text: str, resolve) -> Optional[Tuple[List[str], List[str], str]]:
    """(known IDs, unknown codes, reason) of a suppression comment, or None.

    ``resolve(code)`` returns the rule ID for an ID or name, or None."""
    m = _MARK.match(text.strip())
    if not m:
        return None
    rest = m.group(1).strip()
    known: List[str] = []
    unknown: List[str] = []
    while rest:
        head = _SPLIT.split(rest, maxsplit=1)
        token = head[0]
        tail = head[1] if len(head) > 1 else ""
        rule_id = resolve(token)
        if rule_id:
            known.append(rule_id)
        elif _CODE.match(token):
            unknown.append(token.upper())
        else:
            break
        rest = tail.strip()
    reason = rest.lstrip("-:—– ").strip()
    return known, unknown, reason


def _target_span(line: int, column: int, source_lines: List[str], spans: Dict[int, Tuple[int, int]]) -> Tuple[int, int]:
    own_line = line - 1 < len(source_lines) and source_lines[line - 1][: column - 1].strip() == ""
    if not own_line:
        return spans.get(line, (line, line))
    nxt = line + 1
    while nxt <= len(source_lines):
        stripped = source_lines[nxt - 1].strip()
        if stripped and not stripped.startswith(("#", "//")):
            break
        nxt += 1
    return spans.get(nxt, (nxt, nxt))


def collect(path: str, comments: Iterable[Tuple[int, int, str]], source_lines: List[str],
            spans: Dict[int, Tuple[int, int]], resolve) -> List[Suppression]:
    out = []
    for line, column, text in comments:
        parsed = parse_comment(text, resolve)
        if parsed is None:
            continue
        known, unknown, reason = parsed
        loc = Loc(path, line, column, line, column + len(text))
        out.append(Suppression(loc, tuple(known), tuple(unknown), reason,
                               _target_span(line, column, source_lines, spans), text.strip()))
    return out


class SuppressionIndex:
    def __init__(self, suppressions: Iterable[Suppression]):
        self.by_path: Dict[str, List[Suppression]] = {}
        for s in suppressions:
            self.by_path.setdefault(s.loc.path, []).append(s)

    def _covers(self, loc: Loc, rule: str) -> bool:
        for s in self.by_path.get(loc.path, ()):
            if rule in s.codes and s.span[0] <= loc.line <= s.span[1]:
                return True
        return False

    def suppressed(self, finding: Finding) -> bool:
        """Covered where it points, at its resource's block (findings about a resource may
        point at a variable default or a parameter), or at a module call it came through."""
        places = [finding.loc] + ([finding.subject] if finding.subject else []) + [cs.loc for cs in finding.call_sites]
        return any(self._covers(loc, finding.rule) for loc in places)

    def all(self) -> List[Suppression]:
        return [s for items in self.by_path.values() for s in items]


# ---------------------------------------------------------------------------
# YAML documents (CloudFormation, job requests): comments and indentation blocks
# ---------------------------------------------------------------------------


def yaml_comments(lines: List[str]) -> Iterable[Tuple[int, int, str]]:
    """(line, column, text) of ``#`` comments: at a line start or after whitespace, outside quotes."""
    for n, text in enumerate(lines, 1):
        quote = ""
        for i, ch in enumerate(text):
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "\"'" and (i == 0 or text[i - 1] in " \t:[{,-"):
                quote = ch
            elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
                yield n, i + 1, text[i:].rstrip()
                break


def yaml_spans(lines: List[str]) -> Dict[int, Tuple[int, int]]:
    """First line -> (first, last line) of each block: a line and the more indented lines after it."""
    def indent(text: str) -> int:
        stripped = text.lstrip(" -")
        return len(text) - len(stripped)

    spans: Dict[int, Tuple[int, int]] = {}
    content = [(n, indent(t)) for n, t in enumerate(lines, 1) if t.strip() and not t.strip().startswith("#")]
    for i, (n, level) in enumerate(content):
        last = n
        for m, other in content[i + 1:]:
            if other <= level:
                break
            last = m
        spans[n] = (n, last)
    return spans
