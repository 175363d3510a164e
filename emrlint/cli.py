"""The ``emrlint`` command line.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 a usage error or an internal error (one line on stderr; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from typing import Any, List, Optional, Sequence, Tuple

from emrlint import __version__
from emrlint.discovery import UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ["text", "json", "sarif", "junit", "github", "gitlab", "checkstyle"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, with the terminal's width read once: argparse makes a
    formatter for every option it adds (to check its metavar), and each asked the
    terminal for its size."""

    def __init__(self, prog: str, **kwargs: Any):
        kwargs.setdefault("width", _help_width())
        super().__init__(prog, **kwargs)


_WIDTH: List[int] = []


def _help_width() -> int:
    """The help's width as argparse has it: ``shutil.get_terminal_size()``'s columns less 2
    (``COLUMNS``, else the terminal's, else 80), read without importing shutil, which
    brings bz2, lzma and zlib into every run."""
    if not _WIDTH:
        try:
            columns = int(os.environ["COLUMNS"])
        except (KeyError, ValueError):
            columns = 0
        if columns <= 0:
            try:
                columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
            except (AttributeError, ValueError, OSError):
                columns = 0
        _WIDTH.append((columns or 80) - 2)
    return _WIDTH[0]


def build_parser(command: Optional[str] = None) -> argparse.ArgumentParser:
    """The command line; only ``command``'s options when it is given (a subcommand's options
    are what a run reads, and building every one of them is a share of a pre-commit run)."""
    _WIDTH.clear()  # the terminal's width now
    parser = _Parser(prog="emrlint", description="Lint Amazon EMR configuration: cost guardrails, "
                     "reproducibility, observability.", formatter_class=_Formatter)
    parser.add_argument("--version", "-V", action="version", version=f"emrlint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, add in _COMMANDS.items():
        if command is None or command == name:
            add(sub)
    return parser


def _sub(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    return sub.add_parser(name, formatter_class=_Formatter, **kwargs)


def _scan_parser(sub: Any) -> None:
    scan = _sub(sub, "scan", help="scan Terraform files and directories for EMR findings",
                description="Scan files and directories (default: .) and report EMR findings.")
    scan.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                      help="files and directories to scan (default: .); - reads one file from stdin "
                      "(with --stdin-filename)")
    scan.add_argument("--stdin-filename", metavar="PATH",
                      help="the path of the file read from stdin (`-`): its kind, its module directory, and where "
                      "findings point")
    scan.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    scan.add_argument("--output", "-o", metavar="FILE",
                      help="write the report to FILE (atomically) and print the text summary")
    scan.add_argument("--select", metavar="CODES", action="append",
                      help="only these rules: IDs, prefixes (EMR1) or names, comma-separated (repeatable)")
    scan.add_argument("--ignore", metavar="CODES", action="append",
                      help="skip these rules (IDs, prefixes or names), comma-separated (repeatable)")
    _tree_options(scan)
    scan.add_argument("--fail-on", choices=["error", "warning", "info"], default=None,
                      help="exit 1 when a finding has at least this severity (default: warning)")
    scan.add_argument("--github-annotations", action="store_true",
                      help="with --output: also print the findings as GitHub workflow commands (annotations)")
    scan.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    scan.add_argument("--baseline", metavar="FILE", help="report and fail only on findings not recorded in FILE")
    scan.add_argument("--write-baseline", metavar="FILE", help="record today's findings in FILE and exit 0")
    scan.add_argument("--quiet", "-q", action="store_true", help="text: one line per finding, nothing else")
    scan.add_argument("--statistics", action="store_true", help="text: counts by rule instead of findings")
    _run_options(scan)


def _cost_parser(sub: Any) -> None:
    cost = _sub(sub, "cost", help="what every EMR cluster and serverless application can cost per hour",
                description="Estimate the worst-case and floor hourly cost (and the worst case per month) "
                "of every EMR cluster and EMR Serverless application in files and directories "
                "(default: .), at On-Demand rates, with how each figure was reached.")
    cost.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files and directories (default: .)")
    cost.add_argument("--format", choices=COST_FORMATS, default="text", help="output format (default: text)")
    cost.add_argument("--output", "-o", metavar="FILE",
                      help="write the report to FILE (atomically) and print the text summary")
    cost.add_argument("--compare", metavar="BASE.json",
                      help="show what changed against an earlier `emrlint cost --format json` report")
    _tree_options(cost)
    _run_options(cost, cache=False)


def _rules_parser(sub: Any) -> None:
    rules = _sub(sub, "rules", help="list every rule", description="List every rule: emrlint's, installed "
                 "packages', and the policies and plugins of the config here.")
    rules.add_argument("--format", choices=["text", "json"], default="text")
    rules.add_argument("--data", action="store_true",
                       help="list emrlint's shipped data tables instead: date, age in days, sources")
    _config_options(rules)


def _test_policies_parser(sub: Any) -> None:
    tests = _sub(sub, "test-policies", help="run each policy against its own examples",
                 description="Run every policy (and Python rule) of the config here against its "
                 "examples: failing cases must make it fire, passing cases must keep it silent.")
    tests.add_argument("paths", nargs="*", metavar="POLICY",
                       help="policy files or directories of them (default: the config's policies and plugins)")
    tests.add_argument("--update", action="store_true", help="write each policy's snapshot.json of its findings")
    _config_options(tests)


def _prices_parser(sub: Any) -> None:
    prices = _sub(sub, "prices", help="build or check a price file",
                  description="Build a price file from AWS Price List offer files, or check one.")
    psub = prices.add_subparsers(dest="prices_command", metavar="build|check")
    build = _sub(psub, "build", help="build a price file from AWS Price List bulk offer files",
                 description="Build a price file (the format of emrlint's shipped price table) from "
                 "the AmazonEC2 and ElasticMapReduce offer files of the AWS Price List.")
    build.add_argument("--ec2", metavar="OFFER.json", help="AmazonEC2 offer file (one region's or all regions')")
    build.add_argument("--emr", metavar="OFFER.json", help="ElasticMapReduce offer file")
    build.add_argument("--region", action="append", default=None, metavar="REGION",
                       help="keep only this region (repeatable; default: every region in the offers)")
    build.add_argument("--emr-types-only", action="store_true",
                       help="keep only instance types EMR offers (per emrlint's instance table)")
    build.add_argument("--date", default=None, help="the price file's date (default: today)")
    build.add_argument("-o", "--output", metavar="FILE", help="write here (default: standard output)")
    check = _sub(psub, "check", help="validate a price file and summarise it",
                 description="Validate a user price file and print what it sets.")
    check.add_argument("file", metavar="FILE")


def _server_parser(sub: Any) -> None:
    _sub(sub, "server", help="run the language server (LSP over stdio) for editors",
         description="Run emrlint's language server on stdin/stdout: diagnostics for Terraform, "
         "CloudFormation and job documents as you edit, and quick fixes that add suppressions. "
         "Needs pygls: pip install 'emrlint[server]'.")


def _explain_parser(sub: Any) -> None:
    explain = _sub(sub, "explain", help="show a rule's documentation", description="Show a rule's documentation.")
    explain.add_argument("code", metavar="CODE", help="rule ID or name, e.g. EMR102 or no-spot-capacity")
    _config_options(explain)


# subcommands in the order ``emrlint --help`` lists them
_COMMANDS = {"scan": _scan_parser, "cost": _cost_parser, "rules": _rules_parser,
             "test-policies": _test_policies_parser, "prices": _prices_parser, "server": _server_parser,
             "explain": _explain_parser}


COST_FORMATS = ["text", "json", "csv", "markdown"]


def _tree_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--exclude", metavar="GLOB", action="append", default=[],
                        help="skip paths matching this gitignore-style pattern (repeatable)")


def _run_options(parser: argparse.ArgumentParser, cache: bool = True) -> None:
    """What ``scan`` and ``cost`` share: config, variables, prices, the cache, processes, colours."""
    parser.add_argument("--config", metavar="FILE", help="config file (default: nearest .emrlint.yaml or "
                        "pyproject.toml with [tool.emrlint])")
    parser.add_argument("--no-config", action="store_true", help="ignore config files")
    _plugins_option(parser)
    parser.add_argument("--var-file", metavar="FILE", action="append", default=[],
                        help="Terraform variable values for root modules (repeatable)")
    parser.add_argument("--var", metavar="NAME=VALUE", action="append", default=[],
                        help="a Terraform variable value for root modules (repeatable)")
    if cache:
        parser.add_argument("--no-cache", action="store_true",
                            help="do not reuse (or store) results of previous scans of unchanged files")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="processes for parsing large trees (default: the number of CPUs)")
    parser.add_argument("--no-color", action="store_true", help="no colours in the terminal report (also: NO_COLOR)")
    parser.add_argument("--force-color", action="store_true",
                        help="colours even when the output is not a terminal, e.g. a CI log (also: FORCE_COLOR)")
    _price_options(parser)
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def _price_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", metavar="REGION",
                        help="price resources in this region (default: the config's region, else the root module's "
                        "provider region, else us-east-1)")
    parser.add_argument("--prices", metavar="FILE",
                        help="a price file with your own rates, replacing or extending the shipped table "
                        "(default: the config's prices)")


def _price_settings(args: argparse.Namespace, cfg) -> Any:
    """The region and price file: the command line's, else the config's (a region the price
    table lacks is an error listing its regions)."""
    from emrlint.cost.pricing import PriceSettings, checked_region
    from emrlint.report import relpath

    settings = PriceSettings()
    path = args.prices or cfg.prices
    if path:
        from emrlint.data.userprices import load_price_file

        if not os.path.isfile(path):
            where = "--prices" if args.prices else f"{relpath(cfg.prices_where)}: prices"
            raise UsageError(f"{where}: {path}: no such file")
        settings.price_file = load_price_file(path)
    if args.region:
        settings.region = checked_region(args.region, "--region", settings.price_file)
        settings.region_source = "--region"
    elif cfg.region:
        where = relpath(cfg.region_where)
        settings.region = checked_region(cfg.region, f"{where}: region", settings.price_file)
        settings.region_source = where
    return settings


def _config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="config file whose policies and plugins to include "
                        "(default: the nearest .emrlint.yaml or pyproject.toml upward from here)")
    parser.add_argument("--no-config", action="store_true", help="only emrlint's and installed packages' rules")
    _plugins_option(parser)


def _plugins_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--load-plugins", action="store_true",
                        help="import the rule modules a config names under plugins: (Python code from the "
                        "scanned repository: only for repositories you trust; also: EMRLINT_LOAD_PLUGINS=1)")


def _config_here(args: argparse.Namespace):
    """The config of the working directory (or --config), with its policies and plugins loaded."""
    from emrlint.config import Config, load_config
    from emrlint.layers import Layers

    if args.no_config:
        return Config(base_dir=os.getcwd())
    if args.config:
        return load_config(args.config, cache=True)
    return Layers(cache=True).config_for(os.getcwd())


def _codes(values: Optional[Sequence[str]], parse) -> Optional[List[str]]:
    """Repeated --select/--ignore options add up (--select EMR1 --select EMR3)."""
    if values is None:
        return None
    return [code for value in values for code in parse(value)]


def _read_stdin(args: argparse.Namespace) -> Optional[Tuple[str, bytes]]:
    """(path, content) when the file comes from stdin (`scan - --stdin-filename PATH`)."""
    if "-" not in args.paths:
        if args.stdin_filename:
            raise UsageError("--stdin-filename needs - as the path to scan")
        return None
    if args.paths != ["-"]:
        raise UsageError("- (stdin) cannot be combined with other paths")
    if not args.stdin_filename:
        raise UsageError("scanning stdin (-) needs --stdin-filename PATH: its kind and module directory come from it")
    from emrlint.sources import MAX_FILE_BYTES

    data = sys.stdin.buffer.read(4 * MAX_FILE_BYTES + 1)  # the size limit itself is checked like a file's
    return os.path.abspath(args.stdin_filename), data


def _layers(args: argparse.Namespace, paths: Sequence[str], select, ignore):
    """Which configuration applies where, and the one that decides the scan's own settings
    (fail-on, max-file-size): ``--config FILE`` for everything, ``--no-config`` none, else
    each file's nearest configuration, and for the scan the first scanned path's."""
    from emrlint.config import load_config
    from emrlint.layers import Layers

    cache = not getattr(args, "no_cache", False)
    if args.no_config:
        layers = Layers(select, ignore, discover=False)
    elif args.config:
        layers = Layers(select, ignore, config=load_config(args.config, cache=cache))
    else:
        layers = Layers(select, ignore, cache=cache)
    first = os.path.abspath(paths[0]) if paths else os.getcwd()
    return layers, layers.config_for(first if os.path.isdir(first) else os.path.dirname(first))


def _parse_vars(items: Sequence[str]) -> List[Tuple[str, str]]:
    out = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--var {item!r}: expected NAME=VALUE")
        out.append((name.strip(), value))
    return out


def _cmd_scan(args: argparse.Namespace) -> int:
    if args.baseline or args.write_baseline:
        from emrlint import baseline
    from emrlint.config import merge_cli, selected_rules, split_codes
    from emrlint.engine import ScanOptions, failing
    from emrlint.report.progress import ProgressDisplay

    if args.github_annotations and not args.output:
        raise UsageError("--github-annotations goes with --output FILE (or use --format github)")
    if args.statistics and args.format != "text":
        raise UsageError("--statistics is a text report; it cannot be combined with --format " + args.format)
    stdin = _read_stdin(args)
    cli_select, cli_ignore = _codes(args.select, split_codes), _codes(args.ignore, split_codes)
    paths = [stdin[0]] if stdin else args.paths
    layers, cfg = _layers(args, paths, cli_select, cli_ignore)
    select, ignore = merge_cli(cfg, cli_select, cli_ignore)
    var_files = _var_files(args, cfg, layers)
    baseline_entries = None
    if args.baseline:
        same = args.write_baseline and os.path.abspath(args.write_baseline) == os.path.abspath(args.baseline)
        # --baseline X --write-baseline X on the first run: X is created
        baseline_entries = [] if same and not os.path.exists(args.baseline) else baseline.load(args.baseline)
    output = _reserve(args.output) if args.output else None
    progress = ProgressDisplay(enabled=None if args.format == "text" and not args.quiet else False)
    options = ScanOptions(
        paths=paths,
        overlay=dict([stdin]) if stdin else {},
        rules=selected_rules(select, ignore, cfg.rules),
        excludes=list(cfg.exclude_groups) + [(args.exclude, os.getcwd())],
        severity=cfg.severity,
        params=cfg.params,
        layers=layers,
        var_files=var_files,
        vars=_parse_vars(args.var),
        progress=progress,
        cache=not args.no_cache,
        jobs=max(1, args.jobs if args.jobs is not None else min(os.cpu_count() or 1, 8)),
        prices=_price_settings(args, cfg),
    )
    result = _run_scan(options, cfg, args, progress)
    if args.write_baseline:
        if result.errors:  # a baseline of an incomplete scan would hide what was not checked
            _report_internal_errors(result.errors, args, in_report=False)
            print(f"emrlint: {args.write_baseline} not written", file=sys.stderr)
            return EXIT_ERROR
        n = baseline.write(args.write_baseline, result.findings)
        print(f"emrlint: recorded {n} finding{'s' if n != 1 else ''} in {args.write_baseline}", file=sys.stderr)
        return EXIT_OK

    findings = result.findings
    notes: List[str] = []
    baseline_info = None
    if baseline_entries is not None:
        applied = baseline.apply(findings, baseline_entries)
        findings = applied.new
        baseline_info = {"baselined": applied.baselined, "fixed": len(applied.fixed)}
        notes.append(f"Baseline {args.baseline}: {applied.baselined} known finding"
                     f"{'s' if applied.baselined != 1 else ''} not reported; {len(applied.fixed)} baseline "
                     f"entr{'ies' if len(applied.fixed) != 1 else 'y'} now fixed.")
        notes += [f"  fixed: {e['rule']} {e.get('resource') or e.get('path')}" for e in applied.fixed[:20]]

    mode = "statistics" if args.statistics else ("quiet" if args.quiet else "full")
    if output is not None:
        try:
            output.commit(_render(args.format, findings, result, baseline_info, mode))
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        if args.github_annotations:
            sys.stdout.write(_render("github", findings, result, baseline_info, mode))
        if not args.quiet:
            _terminal(findings, result, "statistics" if args.statistics else "summary", notes, args)
    elif args.format == "text":
        _terminal(findings, result, mode, notes if not args.quiet else (), args)
    else:
        sys.stdout.write(_render(args.format, findings, result, baseline_info, mode))
        for note in notes:
            print(f"emrlint: {_shown(note.strip())}", file=sys.stderr)
    if result.errors:
        _report_internal_errors(result.errors, args, in_report=args.format == "text" and not args.output)
        return EXIT_ERROR
    fail_on = args.fail_on or cfg.fail_on or "warning"
    return EXIT_FINDINGS if failing(findings, fail_on) and not args.exit_zero else EXIT_OK


def _var_files(args: argparse.Namespace, cfg, layers) -> List[str]:
    """--var-file, after the config's var-files when one configuration applies to everything
    (otherwise each configuration's apply to the root modules it governs)."""
    var_files = (list(cfg.var_files) if layers.fixed is not None else []) + list(args.var_file)
    for v in var_files:
        if not os.path.isfile(v):
            raise UsageError(f"--var-file {v}: no such file")
    return var_files


def _run_scan(options, cfg, args: argparse.Namespace, progress):
    """Run the scan engine with the config's size limit; warn about an empty scan and unused --var."""
    from emrlint.engine import scan

    if cfg.max_file_size:
        options.max_file_size = cfg.max_file_size
    try:
        result = scan(options)
    finally:
        progress.close()
    if not result.files:
        _no_files_warning(args.paths, result.skipped)
    for name in result.unused_vars:
        print(f"emrlint: warning: --var {name}: no scanned root module declares a variable {name!r}; "
              "the value is not used", file=sys.stderr)
    return result


FILE_KINDS = "*.tf, *.tf.json, *.tfvars, *.tfvars.json, *.json, *.yaml, *.yml, *.template"


def _no_files_warning(paths: Sequence[str], skipped: Sequence[Tuple[str, str]]) -> None:
    """A scan that checked nothing says so: a clean result must not come from an empty scan."""
    reasons = "; ".join(f"{p}: {why}" for p, why in skipped)
    detail = reasons or "looked in " + ", ".join(paths)
    print(_shown(f"emrlint: warning: no files were checked ({detail}); emrlint reads {FILE_KINDS}, "
                 "except excluded paths (--exclude, the config's exclude)."), file=sys.stderr)


def _report_internal_errors(errors, args: argparse.Namespace, in_report: bool) -> None:
    """Internal errors are in every report; on stderr too unless the report is the terminal,
    and with --debug their tracebacks."""
    from emrlint.report import display_path
    from emrlint.text import printable

    for e in errors:
        if not in_report:
            where = f" in {display_path(e.path)}" if e.path else ""
            print(f"emrlint: internal error{where}: {_shown(e.message)}", file=sys.stderr)
        if args.debug and e.detail:
            sys.stderr.write("".join(printable(line) + "\n" for line in e.detail.splitlines()))
    if not in_report:
        print(f"emrlint: {len(errors)} internal error{'s' if len(errors) != 1 else ''}: the report is incomplete "
              "(exit status 2); rerun with --debug for tracebacks", file=sys.stderr)


def _reserve(path: str):
    """The ``--output`` file, reserved before the scan (a temporary file beside it): an
    unwritable destination fails at once, and nothing is left behind if the scan stops."""
    from emrlint.baseline import AtomicFile

    try:
        return AtomicFile(path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _terminal(findings, result, mode, notes, args, stream=None) -> None:
    from emrlint.report import terminal

    terminal.render(findings, len(result.files), result.suppressed, result.sources, stream=stream or sys.stdout,
                    color=_color(args) if stream is None else False, mode=mode, notes=notes,
                    errors=result.errors)


def _color(args: argparse.Namespace) -> Optional[bool]:
    """--no-color, then --force-color, then the environment (NO_COLOR, FORCE_COLOR), then: a terminal."""
    if args.no_color:
        return False
    if args.force_color:
        return True
    return None


def _render(fmt: str, findings, result, baseline_info, mode: str) -> str:
    if fmt == "json":
        from emrlint.report import json as json_report

        return json_report.render(findings, len(result.files), result.suppressed, baseline_info, result.errors)
    if fmt == "sarif":
        from emrlint.report import sarif

        return sarif.render(findings, result.errors, result.rules or None)
    if fmt == "junit":
        from emrlint.report import junit

        return junit.render(findings, result.files, result.errors)
    if fmt == "github":
        from emrlint.report import github

        return github.render(findings, result.errors)
    if fmt in ("gitlab", "checkstyle"):
        import importlib

        return importlib.import_module(f"emrlint.report.{fmt}").render(findings, result.errors)
    import io

    from emrlint.report import terminal

    buf = io.StringIO()
    terminal.render(findings, len(result.files), result.suppressed, result.sources, stream=buf, color=False, mode=mode,
                    errors=result.errors)
    return buf.getvalue()


def _cmd_cost(args: argparse.Namespace) -> int:
    """``emrlint cost``: the scan engine with no rule enabled, estimating every cluster and
    serverless application; files it could not read are reported (exit 1: the totals lack them)."""
    from emrlint.cost import report
    from emrlint.engine import ScanOptions
    from emrlint.report.progress import ProgressDisplay

    layers, cfg = _layers(args, args.paths, None, ["ALL"])  # every configuration's, with no rule enabled
    var_files = _var_files(args, cfg, layers)
    base = None
    if args.compare:
        from emrlint.cost.compare import load_base

        base = load_base(args.compare)
    progress = ProgressDisplay(enabled=None if args.format == "text" and not args.output else False)
    options = ScanOptions(
        paths=args.paths, rules=(), excludes=list(cfg.exclude_groups) + [(args.exclude, os.getcwd())],
        layers=layers, var_files=var_files, vars=_parse_vars(args.var), progress=progress, cache=False,
        jobs=max(1, args.jobs if args.jobs is not None else min(os.cpu_count() or 1, 8)),
        prices=_price_settings(args, cfg), cost=True)
    result = _run_scan(options, cfg, args, progress)
    not_read = [f for f in result.findings if f.rule == "EMR001"]
    doc = report.document(result.estimates, args.paths, not_read, result.errors)
    if base is not None:
        from emrlint.cost.compare import compare

        doc["compare"] = compare(doc, base, args.compare)
    renderers = {"json": report.render_json, "csv": report.render_csv, "markdown": report.render_markdown}
    if args.output:
        from emrlint.baseline import write_atomic

        if args.format == "text":
            import io

            buf = io.StringIO()
            report.render_text(doc, buf, color=False)
            text = buf.getvalue()
        else:
            text = renderers[args.format](doc)
        try:
            write_atomic(args.output, text)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        t = doc["totals"]["scan"]
        print(f"emrlint: {args.output}: {t['resources']} resource{'s' if t['resources'] != 1 else ''}, worst case "
              f"{report.shown(t['worst_hourly'])}, floor {report.shown(t['floor_hourly'])}", file=sys.stderr)
    elif args.format == "text":
        report.render_text(doc, sys.stdout, color=_color(args))
    else:
        sys.stdout.write(renderers[args.format](doc))
    if result.errors:
        _report_internal_errors(result.errors, args, in_report=False)
        return EXIT_ERROR
    if not_read:
        print(f"emrlint: {len(not_read)} file{'s' if len(not_read) != 1 else ''} could not be read; the figures "
              "lack their resources (exit status 1)", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def _cmd_data(args: argparse.Namespace) -> int:
    from emrlint.data import tables

    infos = tables()
    if args.format == "json":
        import json
        from emrlint.record import asdict

        doc = [dict(asdict(t), age_days=t.age_days()) for t in infos]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    from emrlint.report.terminal import Writer

    out = Writer(sys.stdout)
    for t in infos:
        regions = f", regions {', '.join(t.regions)}" if t.regions else ""
        out.line((t.name, "bold"), (f"  {t.date} ({t.age_days()} days old), {t.rows} rows{regions}", None))
        for s in t.sources:
            retrieved = f" (retrieved {s.retrieved})" if s.retrieved else ""
            out.line((f"  - {s.title}: {s.url}{retrieved}", None))
            if s.note:
                out.line((f"    {s.note}", None))
        if t.missing:
            out.line((f"  missing: {t.missing}", None))
    return EXIT_OK


def _cmd_rules(args: argparse.Namespace) -> int:
    if args.data:
        return _cmd_data(args)
    from emrlint.registry import resolve

    cfg = _config_here(args)
    rules = resolve("ALL", cfg.rules)
    if args.format == "json":
        import json

        doc = [{"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary,
                "params": {k: {"type": p.type, "default": p.default, "description": p.description}
                           for k, p in r.params.items()},
                **({"defined_in": _origin(r)} if r.origin else {})} for r in rules]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    from emrlint.report.terminal import STYLE, Writer

    out = Writer(sys.stdout)
    name_w = max(len(r.name) for r in rules)
    for r in rules:
        out.line((r.id, "bold"), (f"  {r.name:<{name_w}}  ", None), (f"{r.severity:<8}", STYLE[r.severity]),
                 (f"  {r.summary}", None), (f"  ({_origin(r)})" if r.origin else "", None))
    return EXIT_OK


def _origin(rule) -> str:
    """Where an organisation's rule is defined, relative to here when below it."""
    path, sep, line = rule.origin.rpartition(":")
    if not sep or not line.isdigit():
        path, line = rule.origin, ""
    from emrlint.report import relpath

    shown = relpath(path) if not relpath(path).startswith("..") else path
    return f"{shown}:{line}" if line else shown


def _cmd_test_policies(args: argparse.Namespace) -> int:
    from emrlint.policies import PolicyError, load_policy
    from emrlint.policies.testing import policies_in, run
    from emrlint.registry import RuleDefinitionError, register, resolve

    if args.paths:
        rules = []
        for path in policies_in(args.paths):
            try:
                rule = load_policy(path)
                register([rule])
            except PolicyError as exc:
                raise UsageError(str(exc)) from None
            except RuleDefinitionError as exc:
                raise UsageError(f"{path}: {exc}") from None
            rules.append(rule)
    else:
        from emrlint.registry import installed_rules

        cfg = _config_here(args)
        rules = [r for r in resolve("ALL", cfg.rules) if r.id in cfg.rules or r.id in installed_rules()]
        if not rules:
            raise UsageError("no policies to test: name policy files, or run this where a config names "
                             "policies (policies:, .emrlint/policies/) or plugins")
    return EXIT_FINDINGS if run(rules, update=args.update, report=lambda line: print(line, flush=True)) else EXIT_OK


def _cmd_prices(args: argparse.Namespace) -> int:
    import datetime

    if args.prices_command == "check":
        from emrlint.data.userprices import load_price_file

        user = load_price_file(args.file)
        sys.stdout.write(f"{args.file}: valid price file, mode {user.mode}"
                         + (f", discounts {', '.join(f'{k} {v:g}' for k, v in user.discounts.items())}"
                            if user.discounts else "") + "\n")
        for region, row in user.regions.items():
            parts = [f"{len(row[k])} {label}" for k, label in
                     (("instances", "instance types"), ("ebs_gb_month", "EBS volume types"),
                      ("ebs_provisioned", "EBS IOPS/throughput rates"),
                      ("serverless", "serverless architectures")) if row[k]]
            sys.stdout.write(f"  {region}: {', '.join(parts) or 'no rates'}\n")
        return EXIT_OK
    if args.prices_command != "build":
        raise UsageError("expected `emrlint prices build` or `emrlint prices check FILE`")
    if not args.ec2 and not args.emr:
        raise UsageError("prices build needs --ec2 OFFER.json and/or --emr OFFER.json")
    from emrlint.data import _format, instance_type_names, instance_type
    from emrlint.data.build_prices import OfferError, build_from_offers

    types = None
    if args.emr_types_only:
        types = [n for n in instance_type_names() if instance_type(n).emr_supported]
    try:
        table = build_from_offers(args.ec2, args.emr, date=args.date or datetime.date.today().isoformat(),
                                  regions=args.region, instance_types=types)
    except OfferError as exc:
        raise UsageError(str(exc)) from None
    text = _format.dumps(table)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        count = sum(len(r.get("instances", {})) for r in table["regions"].values())
        print(f"{args.output}: {len(table['regions'])} regions, {count} instance rows", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _cmd_server(args: argparse.Namespace) -> int:
    from emrlint.server import main as serve

    return serve()


def _cmd_explain(args: argparse.Namespace) -> int:
    from emrlint.docs import rule_markdown
    from emrlint.registry import by_id_or_name

    rule = by_id_or_name(args.code, _config_here(args).rules)
    if rule is None:
        raise UsageError(f"unknown rule {args.code!r} (see `emrlint rules`)")
    text = rule_markdown(rule)
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.markdown import Markdown

        from emrlint.report.terminal import make_console

        make_console(sys.stdout, soft_wrap=False).print(Markdown(text))
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _shown(text: str) -> str:
    from emrlint.text import clip, printable

    return printable(clip(text))


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)  # unwinds like Ctrl-C: temporary files are removed on the way out


def main(argv: Optional[Sequence[str]] = None) -> int:
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        try:
            if signum is not None:
                previous[signum] = signal.signal(signum, _terminated)
        except ValueError:  # not the main thread: signals stay as they are
            pass
    from emrlint.config import PLUGINS_ENV

    plugins_env = os.environ.get(PLUGINS_ENV)  # --load-plugins sets it for this run only
    try:
        return _main(argv)
    finally:
        if plugins_env is None:
            os.environ.pop(PLUGINS_ENV, None)
        else:
            os.environ[PLUGINS_ENV] = plugins_env
        written = sys.modules.get("emrlint.baseline")
        if written is not None:
            written.discard_pending()
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)


def _main(argv: Optional[Sequence[str]] = None) -> int:
    words = list(argv if argv is not None else sys.argv[1:])
    parser = build_parser(words[0] if words and words[0] in _COMMANDS else None)
    debug = "--debug" in words
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_ERROR
        if getattr(args, "load_plugins", False):
            from emrlint.config import PLUGINS_ENV

            os.environ[PLUGINS_ENV] = "1"  # worker processes inherit it
        handler = {"scan": _cmd_scan, "cost": _cmd_cost, "rules": _cmd_rules, "prices": _cmd_prices,
                   "explain": _cmd_explain, "server": _cmd_server, "test-policies": _cmd_test_policies}[args.command]
        return handler(args)
    except UsageError as exc:
        print(f"emrlint: error: {_shown(str(exc))}", file=sys.stderr)
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
        print(f"emrlint: internal error: {type(exc).__name__}: {_shown(str(exc))} (rerun with --debug for details)",
              file=sys.stderr)
        return EXIT_ERROR


def run() -> None:
    """The console script: :func:`main`, then leave without tearing down the heap of a
    large scan object by object (output is flushed first; emrlint registers no exit
    handlers), which saves a noticeable share of a pre-commit hook's time.

    The cyclic garbage collector stays off for the whole command: a scan makes little
    cyclic garbage and keeps what it parses until it ends, so a collection would only
    re-walk the retained trees (a scan turns it off while it runs; turned back on, the
    first collection after it walked the whole heap, about a tenth of a large scan)."""
    gc.disable()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass
    os._exit(code)
