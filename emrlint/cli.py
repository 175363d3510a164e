"""The ``emrlint`` command line.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 a usage error or an internal error (one line on stderr; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional, Sequence, Tuple

from emrlint import __version__
from emrlint.discovery import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="emrlint", description="Lint Amazon EMR configuration: cost guardrails, "
                     "reproducibility, observability.")
    parser.add_argument("--version", action="version", version=f"emrlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan Terraform files and directories for EMR findings",
                          description="Scan files and directories (default: .) and report EMR findings.")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    scan.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    scan.add_argument("--select", metavar="CODES", help="only these rules: IDs, prefixes (EMR1) or names, comma-separated")
    scan.add_argument("--ignore", metavar="CODES", help="skip these rules (IDs, prefixes or names), comma-separated")
    scan.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                      help="skip paths matching this gitignore-style pattern (repeatable)")
    scan.add_argument("--fail-on", choices=["error", "warning", "info"], default=None,
                      help="exit 1 when a finding has at least this severity (default: warning)")
    scan.add_argument("--config", metavar="FILE", help="config file (default: nearest .emrlint.yaml or "
                      "pyproject.toml with [tool.emrlint])")
    scan.add_argument("--no-config", action="store_true", help="ignore config files")
    scan.add_argument("--var-file", metavar="FILE", action="append", default=[],
                      help="Terraform variable values for root modules (repeatable)")
    scan.add_argument("--var", metavar="NAME=VALUE", action="append", default=[],
                      help="a Terraform variable value for root modules (repeatable)")
    scan.add_argument("--no-color", action="store_true", help="no colours in the terminal report")
    scan.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")

    rules = sub.add_parser("rules", help="list every rule", description="List every rule.")
    rules.add_argument("--format", choices=["text", "json"], default="text")

    explain = sub.add_parser("explain", help="show a rule's documentation", description="Show a rule's documentation.")
    explain.add_argument("code", metavar="CODE", help="rule ID or name, e.g. EMR102 or no-spot-capacity")
    return parser


def _parse_vars(items: Sequence[str]) -> List[Tuple[str, str]]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r}: expected NAME=VALUE")
        out.append((name.strip(), value))
    return out


def _cmd_scan(args: argparse.Namespace) -> int:
    from emrlint.config import find_config, load_config, merge_cli, parse_codes, selected_rules
    from emrlint.engine import ScanOptions, failing, scan

    cfg = load_config(None if args.no_config else (args.config or find_config(os.getcwd())))
    select, ignore = merge_cli(cfg, parse_codes(args.select), parse_codes(args.ignore))
    options = ScanOptions(
        paths=args.paths,
        rules=selected_rules(select, ignore),
        excludes=[(cfg.exclude, cfg.base_dir), (args.exclude, os.getcwd())],
        severity=cfg.severity,
        params=cfg.params,
        var_files=list(cfg.var_files) + list(args.var_file),
        vars=_parse_vars(args.var),
    )
    for v in options.var_files:
        if not os.path.isfile(v):
            raise UsageError(f"--var-file {v}: no such file")
    result = scan(options)
    fail_on = args.fail_on or cfg.fail_on or "warning"
    if args.format == "json":
        from emrlint.report import json as json_report

        sys.stdout.write(json_report.render(result.findings, result.files, result.suppressed))
    else:
        from emrlint.report import terminal

        terminal.render(result.findings, result.files, result.suppressed, result.sources,
                        color=False if args.no_color else None)
    return EXIT_FINDINGS if failing(result.findings, fail_on) else EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    from emrlint.registry import all_rules

    rules = list(all_rules().values())
    if args.format == "json":
        import json

        doc = [{"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary,
                "params": {k: {"type": p.type, "default": p.default, "description": p.description}
                           for k, p in r.params.items()}} for r in rules]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    from rich.text import Text

    from emrlint.report.terminal import STYLE, make_console

    console = make_console(sys.stdout)
    name_w = max(len(r.name) for r in rules)
    for r in rules:
        line = Text()
        line.append(r.id, style="bold")
        line.append(f"  {r.name:<{name_w}}  ")
        line.append(f"{r.severity:<8}", style=STYLE[r.severity])
        line.append(f"  {r.summary}")
        console.print(line)
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from emrlint.docs import rule_markdown
    from emrlint.registry import by_id_or_name

    rule = by_id_or_name(args.code)
    if rule is None:
        raise UsageError(f"unknown rule {args.code!r} (see `emrlint rules`)")
    text = rule_markdown(rule)
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.markdown import Markdown

        from emrlint.report.terminal import make_console

        make_console(sys.stdout).print(Markdown(text))
    else:
        sys.stdout.write(text)
    return EXIT_OK


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_ERROR
        handler = {"scan": _cmd_scan, "rules": _cmd_rules, "explain": _cmd_explain}[args.command]
        return handler(args)
    except UsageError as exc:
        print(f"emrlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("emrlint: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_ERROR
    except Exception as exc:  # an emrlint bug: one line, no traceback unless --debug
        if debug:
            raise
        print(f"emrlint: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return EXIT_ERROR
