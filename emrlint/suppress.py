"""Inline suppressions.

* Comments: ``# emrlint:ignore EMR102 reason`` (or ``//``) in Terraform and YAML, on the
  line above the block or attribute it silences or at the end of the offending line.
* JSON documents, which have no comments: a ``"//"`` key whose value is the same text
  (``"//": "emrlint:ignore EMR301 reason"``) silences the object that holds it.
* CloudFormation (YAML or JSON): a resource's
  ``Metadata: {emrlint: {ignore: [{id: EMR301, reason: ...}]}}`` silences that resource.

Comments that look like a suppression but are not one (``emrlint: ignore``,
``emrlint:ignore=EMR102``, ``emrlint-ignore``, ``emrlint:ignore-file``...) are *near
misses*: they silence nothing, so EMR002 reports them.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from emrlint.findings import Finding, Loc
from emrlint.lazyre import lazy_re
from emrlint.record import dataclass

_MARK = lazy_re(r"^(?:#|//)\s*emrlint:ignore(?=\s|$)(.*)$", re.I | re.S)
# what a user may have meant as a suppression: "emrlint" then a separator, or an ignore-like word
_NEAR = lazy_re(r"^(?:#|//)\s*emrlint(?:\s*[:=_-]|\s+(?:ignore|disable|noqa|skip|suppress|nolint)\b)", re.I)
_CODE = lazy_re(r"^[A-Za-z]{2,10}\d{3}$")  # EMR102, and organisations' ACME001
_SPLIT = lazy_re(r"[\s,]+")


@dataclass
class Suppression:
    loc: Loc
    codes: Tuple[str, ...]  # rule IDs (resolved)
    unknown: Tuple[str, ...]  # codes that name no rule
    reason: str
    span: Tuple[int, int]  # lines it covers
    text: str = ""  # the comment as written
    near_miss: bool = False  # looks like a suppression but is not one: silences nothing
    form: str = "comment"  # "comment", "json" ("//" key) or "metadata" (CloudFormation Metadata.emrlint)


def parse_comment(text: str, resolve) -> Optional[Tuple[List[str], List[str], str]]:
    """(known IDs, unknown codes, reason) of a suppression comment, or None.

    ``resolve(code)`` returns the rule ID for an ID or name, or None."""
    m = _MARK.match(text.strip())
    if not m:
        return None
    return _codes_and_reason(m.group(1), resolve)


def is_near_miss(text: str) -> bool:
    """A comment that looks meant as a suppression but does not have its syntax."""
    text = text.strip()
    return _MARK.match(text) is None and _NEAR.match(text) is not None


def _codes_and_reason(rest: str, resolve) -> Tuple[List[str], List[str], str]:
    rest = rest.strip()
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
        loc = Loc(path, line, column, line, column + len(text))
        parsed = parse_comment(text, resolve)
        if parsed is None:
            if is_near_miss(text):
                out.append(Suppression(loc, (), (), "", (line, line), text.strip(), near_miss=True))
            continue
        known, unknown, reason = parsed
        out.append(Suppression(loc, tuple(known), tuple(unknown), reason,
                               _target_span(line, column, source_lines, spans), text.strip()))
    return out


class SuppressionIndex:
    """Suppressions by file; remembers which rule of which suppression silenced a finding
    (for EMR003).  The same comment collected twice (a module read for two root modules
    in separate processes) counts once."""

    def __init__(self, suppressions: Iterable[Suppression]):
        self.by_path: Dict[str, List[Suppression]] = {}
        seen = set()
        for s in suppressions:
            where = (s.loc.path, s.loc.line, s.loc.column)
            if where in seen:
                continue
            seen.add(where)
            self.by_path.setdefault(s.loc.path, []).append(s)
        self.used: set = set()  # (path, line, column, rule)

    def _covers(self, loc: Loc, rule: str) -> bool:
        covered = False
        for s in self.by_path.get(loc.path, ()):
            if rule in s.codes and s.span[0] <= loc.line <= s.span[1]:
                self.used.add((s.loc.path, s.loc.line, s.loc.column, rule))
                covered = True
        return covered

    def suppressed(self, finding: Finding) -> bool:
        """Covered where it points, at its resource's block (findings about a resource may
        point at a variable default or a parameter), or at a module call it came through."""
        places = [finding.loc] + ([finding.subject] if finding.subject else []) + [cs.loc for cs in finding.call_sites]
        return any([self._covers(loc, finding.rule) for loc in places])  # every covering one is used

    def unused(self, s: Suppression, rule: str) -> bool:
        return (s.loc.path, s.loc.line, s.loc.column, rule) not in self.used

    def all(self) -> List[Suppression]:
        return [s for items in self.by_path.values() for s in items]


# ---------------------------------------------------------------------------
# JSON and YAML documents: "//" keys and CloudFormation Metadata
# ---------------------------------------------------------------------------


def document_suppressions(path: str, root: Any, resolve, cloudformation: bool) -> List[Suppression]:
    """Suppressions written as data: ``"//": "emrlint:ignore ..."`` keys (a string or a list
    of strings) silence the object holding them; in a CloudFormation template,
    ``Metadata.emrlint.ignore`` entries (``{id, reason}`` or ``"ID reason"``) silence their resource."""
    out: List[Suppression] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "//":
                    for i, text in enumerate(value if isinstance(value, list) else [value]):
                        if isinstance(text, str):
                            loc = _item_loc(path, node, key, value, i)
                            out += collect_one(loc, "// " + text, _span(node), resolve, "json")
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    if cloudformation and isinstance(root, dict) and isinstance(root.get("Resources"), dict):
        for logical_id, resource in root["Resources"].items():
            if not isinstance(resource, dict):
                continue
            meta = resource.get("Metadata")
            entries = meta.get("emrlint", {}).get("ignore") if isinstance(meta, dict) and isinstance(
                meta.get("emrlint"), dict) else None
            if not isinstance(entries, list):
                continue
            span = _span(resource, _line(root["Resources"], logical_id))
            for i, entry in enumerate(entries):
                loc = _item_loc(path, meta["emrlint"], "ignore", entries, i)
                if isinstance(entry, dict):
                    text = f"{entry.get('id', '')} {entry.get('reason') or ''}"
                elif isinstance(entry, str):
                    text = entry
                else:
                    continue
                got = collect_one(loc, "# emrlint:ignore " + text.strip(), span, resolve, "metadata")
                for sup in got:
                    sup.text = text.strip()
                out += got
    return out


def collect_one(loc: Loc, text: str, span: Tuple[int, int], resolve, form: str) -> List[Suppression]:
    parsed = parse_comment(text, resolve)
    if parsed is None:
        return [Suppression(loc, (), (), "", span, text[3:].strip(), near_miss=True, form=form)] if is_near_miss(text) else []
    known, unknown, reason = parsed
    return [Suppression(loc, tuple(known), tuple(unknown), reason, span, text[3:].strip(), form=form)]


def _line(container: Any, key: Any) -> Optional[int]:
    from emrlint.jsonpos import key_position

    pos = key_position(container, key)
    return pos[0] if pos else None


def _item_loc(path: str, container: Any, key: Any, value: Any, index: int) -> Loc:
    from emrlint.jsonpos import key_position

    pos = key_position(value, index) if isinstance(value, list) else None
    pos = pos or key_position(container, key) or (1, 1)
    return Loc(path, pos[0], pos[1])


def _span(node: Any, first: Optional[int] = None) -> Tuple[int, int]:
    """(first, last line) of a mapping: its key's line (``first``) or its own, to its deepest line."""
    lines = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            lines += [_line(n, k) for k in n]
            stack += list(n.values())
        elif isinstance(n, list):
            from emrlint.jsonpos import key_position

            lines += [(key_position(n, i) or (None,))[0] for i in range(len(n))]
            stack += n
    lines = [ln for ln in lines if ln]
    own = getattr(getattr(node, "lc", None), "line", None)
    start = first or (own + 1 if isinstance(own, int) else min(lines, default=1))
    return (start, max(lines + [start]))


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
