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
    """File name -> content of every generated page of emrlint's own rules."""
    from emrlint.registry import builtin_rules

    rules = list(builtin_rules().values())
    out = {f"{r.id}.md": rule_markdown(r) for r in rules}
    out["README.md"] = index_markdown(rules)
    return out


def kinds_module() -> str:
    """``rules/_kinds.py``: every built-in rule's resource kinds, so that a scan imports only
    the rules that apply to the resources it found (see :func:`emrlint.registry.known_kinds`)."""
    from emrlint.registry import builtin_rules

    lines = ['"""Each built-in rule\'s resource kinds (its ``KIND``), read by a scan without importing', "the rules.",
             "", "Generated from the rule modules by ``python -m emrlint.docs``; do not edit by hand.",
             '"""', "", "KINDS = {"]
    lines += [f"    {r.id!r}: {tuple(r.kinds)!r}," for r in builtin_rules().values()]
    return "\n".join(lines + ["}"]) + "\n"


# ---------------------------------------------------------------------------
# docs/model.md: the model's kinds, fields and sections, and the helpers rules use
# ---------------------------------------------------------------------------

HELPER_MODULES = ("emrlint.model", "emrlint.values", "emrlint.rulekit")


def _members_md(schema, depth: int, out: List[str], prefix: str = "") -> None:
    pad = "  " * depth
    for name, f in schema.fields.items():
        notes = []
        if f.formats:
            notes.append("read from " + ", ".join(f.formats) + " only")
        if f.open:
            notes.append(f"keys readable as `{prefix}{name}.KEY`")
        note = f" ({'; '.join(notes)})" if notes else ""
        out.append(f"{pad}- `{prefix}{name}` ({f.type}): {f.description}{note}")
    for name, sec in schema.sections.items():
        shape = "list assembled by emrlint" if sec.collection else ("repeated section" if sec.repeated else "section")
        out.append(f"{pad}- `{prefix}{name}` ({shape}): {sec.description}")
        _members_md(sec, depth + 1, out, "" if (sec.repeated or sec.collection) else f"{prefix}{name}.")


def _first_line(obj) -> str:
    import inspect

    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _signature(fn) -> str:
    import inspect

    return str(inspect.signature(fn)).replace("'", "")


def _helpers_md() -> List[str]:
    import importlib
    import inspect

    out: List[str] = []
    for module_name in HELPER_MODULES:
        module = importlib.import_module(module_name)
        entries = []
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or getattr(obj, "__module__", None) != module_name:
                continue
            summary = _first_line(obj)
            if summary.startswith(name + "("):  # a dataclass's generated docstring: nothing said
                summary = ""
            if inspect.isfunction(obj) and summary:
                entries.append(f"- `{name}{_signature(obj)}`: {summary}")
            elif inspect.isclass(obj):
                entries.append(f"- `{name}`" + (f": {summary}" if summary else ""))
                for attr, member in sorted(vars(obj).items()):
                    target = member.fget if isinstance(member, property) else member
                    if attr.startswith("_") or not (inspect.isfunction(target)) or not _first_line(target):
                        continue
                    call = "" if isinstance(member, property) else _signature(target).replace("(self, ", "(").replace(
                        "(self)", "()")
                    out_name = f"{name}.{attr}{call}"
                    entries.append(f"  - `{out_name}`: {_first_line(target)}")
        if entries:
            out += ["", f"### `{module_name}`", ""] + entries
    return out


def model_markdown() -> str:
    from emrlint.policies.conditions import OPERATORS
    from emrlint.schema import KINDS

    out = ["# The emrlint model", "",
           "Generated from `emrlint/schema.py` and the model's code by `python -m emrlint.docs`; do not edit by hand.",
           "",
           "Rules (`emrlint/rulekit.py`) and policies (`policies:` in the config) read this model, never a file "
           "format: every loader maps Terraform, plans, CloudFormation, RunJobFlow/StartJobRun documents and Step "
           "Functions onto these kinds and these names (Terraform's, snake_case: `LogUri` is `log_uri`). A value "
           "emrlint cannot evaluate is unknown, and unknown never makes a rule or a policy fire.",
           "",
           "In a policy, a field is named by its path from the resource (`ec2_attributes.subnet_id`, "
           "`tags.CostCenter`); a repeated section is quantified with `all`, `any` or `none` and its fields are "
           "named from it (`all: instance_groups` with `require: {field: instance_type, ...}`). Policy operators: "
           + ", ".join(f"`{o}`" for o in OPERATORS) + ".",
           "", "## Kinds", ""]
    out += [f"- [`{name}`](#{name}): {k.description}" for name, k in KINDS.items()]
    for name, k in KINDS.items():
        out += ["", f"## {name}", "", f"{k.description}. From: {', '.join(k.sources)}.", ""]
        _members_md(k, 0, out)
    out += ["", "## Helpers", "",
            "What Python rules (`emrlint.rulekit`, plugins) can ask the model besides its fields."]
    out += _helpers_md()
    return "\n".join(out).rstrip() + "\n"


def _refresh(path: str, text: str, check: bool, stale: List[str]) -> None:
    """Note ``path`` in ``stale`` when it does not hold ``text``, and (unless ``check``) write it."""
    import os

    try:
        with open(path, encoding="utf-8") as fh:
            current = fh.read()
    except OSError:
        current = None
    if current != text:
        stale.append(path)
        if not check:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)


def main(argv=None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(prog="python -m emrlint.docs", description="Generate docs/rules/ from the rules.")
    parser.add_argument("--out", default=os.path.join("docs", "rules"))
    parser.add_argument("--kinds", default=os.path.join("rules", "_kinds.py"), help="the rules' kinds index to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    args = parser.parse_args(argv)
    wanted = pages()
    stale = []
    for path, text in [(args.kinds, kinds_module()),
                       (os.path.join(os.path.dirname(os.path.normpath(args.out)), "model.md"), model_markdown())]:
        _refresh(path, text, args.check, stale)
    for name, text in wanted.items():
        _refresh(os.path.join(args.out, name), text, args.check, stale)
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
