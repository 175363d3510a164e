"""Rule documentation: rendered from each rule module's docstring and metadata."""

from __future__ import annotations

import json
import re
from typing import List, Tuple

from emrlint.registry import Rule

# "## Failing example" / "## Passing example" headings (optionally "... (CloudFormation)"), each
# followed by one fenced block; several of each are allowed
_FENCE = re.compile(r"^##+ (Failing|Passing) example[^\n]*\n+```(\w+)\n(.*?)\n```", re.S | re.M)


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
        out += [f"    {name}: {json.dumps(p.default)}" for name, p in rule.params.items()]
        out += ["```", "", "| parameter | type | default | accepted | meaning |", "|---|---|---|---|---|"]
        out += [f"| `{name}` | {p.type} | {'not set' if p.default is None else '`' + json.dumps(p.default) + '`'} "
                f"| {p.accepts() or 'any ' + p.type} | {p.description} |" for name, p in rule.params.items()]
    return "\n".join(out).rstrip() + "\n"


def examples(rule: Rule) -> List[Tuple[str, str, str]]:
    """(kind "failing"/"passing", language, code) of the examples in a rule's docs."""
    return [(m.group(1).lower(), m.group(2), m.group(3) + "\n") for m in _FENCE.finditer(rule.doc)]


def index_markdown(rules) -> str:
    lines = ["# emrlint rules", "",
             "Generated from the rule modules in `rules/` by `python -m emrlint.docs`; do not edit by hand.", "",
             "| ID | name | severity | summary |", "|---|---|---|---|"]
    lines += [f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity} | {r.summary} |" for r in rules]
    return "\n".join(lines) + "\n"


def pages() -> dict:
    """File name -> content of every generated page."""
    from emrlint.registry import all_rules

    rules = list(all_rules().values())
    out = {f"{r.id}.md": rule_markdown(r) for r in rules}
    out["README.md"] = index_markdown(rules)
    return out


def main(argv=None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m emrlint.docs", description="Generate docs/rules/ from the rules.")
    parser.add_argument("--out", default=os.path.join("docs", "rules"))
    parser.add_argument("--check", action="store_true", help="exit 1 if the pages are out of date")
    args = parser.parse_args(argv)
    wanted = pages()
    stale = []
    for name, text in wanted.items():
        path = os.path.join(args.out, name)
        try:
            with open(path, encoding="utf-8") as fh:
                current = fh.read()
        except OSError:
            current = None
        if current != text:
            stale.append(path)
            if not args.check:
                os.makedirs(args.out, exist_ok=True)
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text)
    extra = [n for n in (os.listdir(args.out) if os.path.isdir(args.out) else []) if n.endswith(".md") and n not in wanted]
    for name in extra:
        stale.append(os.path.join(args.out, name))
        if not args.check:
            os.remove(os.path.join(args.out, name))
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + " (run python -m emrlint.docs)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
