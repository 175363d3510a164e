"""Rule documentation: rendered from each rule module's docstring and metadata."""

from __future__ import annotations

import re
from typing import List, Tuple

from emrlint.registry import Rule

_FENCE = re.compile(r"^## (Failing|Passing) example[^\n]*\n+```(\w+)\n(.*?)\n```", re.S | re.M)


def rule_markdown(rule: Rule) -> str:
    """The rule's documentation page: title, metadata, docstring body, parameters."""
    doc = rule.doc
    summary, _, body = doc.partition("\n")
    out = [f"# {rule.id} {rule.name}", "", f"*{summary.strip()}*", "",
           f"Severity: **{rule.severity}**" + (f" · Checks: {', '.join(k.replace('_', ' ') for k in rule.kinds)}" if rule.kinds else ""), ""]
    out.append(body.strip())
    if rule.params:
        out += ["", "## Parameters", "", "Set under `params:` in the config, for example:", "", "```yaml",
                "params:", f"  {rule.id}:"]
        out += [f"    {name}: {p.default!r}".replace("'", '"') for name, p in rule.params.items()]
        out += ["```", "", "| parameter | type | default | meaning |", "|---|---|---|---|"]
        out += [f"| `{name}` | {p.type} | `{p.default!r}` | {p.description} |" for name, p in rule.params.items()]
    return "\n".join(out).rstrip() + "\n"


def examples(rule: Rule) -> List[Tuple[str, str, str]]:
    """(kind "failing"/"passing", language, code) of the examples in a rule's docs."""
    return [(m.group(1).lower(), m.group(2), m.group(3) + "\n") for m in _FENCE.finditer(rule.doc)]
