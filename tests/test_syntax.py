"""emrlint's own HCL syntax tree: tree-sitter's parse gives exactly what python-hcl2's
gives (structure, positions and comments) over every fixture and generated file, and a
scan finds the same with either parser behind it, byte for byte."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

from emrlint.sources import SourceError, decode
from emrlint.terraform import syntax_lark, syntax_ts
from emrlint.terraform.hcl import ParseError, parse_expression_tree, parse_tree

from conftest import FIXTURES, REPO

sys.path.insert(0, os.path.join(REPO, "bench"))

from generate import generate  # noqa: E402

EVERY_CONSTRUCT = '''
# a comment
locals {
  a = [for k, v in var.m : "${k}=${v}" if v != null] // another
  b = {for x in var.l : x.name => x...}
  c = var.x == null ? 1 : -2.5e3
  d = aws_instance.web[*].id
  e = var.list.*.name
  f = provider::aws::arn_parse("x")
  g = merge(var.a, var.b...)
  h = (1 + 2) * 3 % 4 && !true || false
  i = <<-EOT
    hi ${var.x} %{ if var.y }yes%{ else }no%{ endif }
    EOT
  j = "a\\n\\"b\\" $${no} %{ for s in var.s ~}${s}, %{~ endfor } caf\u00e9 ${var.z} end"
  k = { "quoted" = 1, bare = 2, (var.k) = 3, for = 4 }
  l = foo[0].bar["x"].baz.0
  m = var.a == "x" ||
    var.b == "y"

  /* a block comment */
  n = - 1
  o = [
    1,
    2, # trailing
  ]
}

resource "aws_emr_cluster" "x" {
  dynamic "bootstrap_action" {
    for_each = local.a
    content {
      name = bootstrap_action.value
    }
  }
}
'''


def _corpus(tmp_path_factory):
    files = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.tf"), recursive=True))
    out = tmp_path_factory.mktemp("generated")
    generate(str(out / "dense"), 40, 1.0)
    generate(str(out / "mono"), 40, 0.05)
    files += sorted(glob.glob(str(out / "**" / "*.tf"), recursive=True))
    (out / "every.tf").write_text(EVERY_CONSTRUCT, encoding="utf-8")
    return files + [str(out / "every.tf")]


def _both(text):
    try:
        lark = syntax_lark.convert_file(parse_tree(text))
    except ParseError as exc:
        lark = ("error", exc.line)
    try:
        ts = syntax_ts.parse(text.encode("utf-8"))
    except syntax_ts.SyntaxProblem as exc:
        ts = ("error", exc.line)
    return lark, ts


def test_tree_sitter_and_python_hcl2_give_the_same_syntax_tree(tmp_path_factory):
    compared = errors = 0
    for path in _corpus(tmp_path_factory):
        with open(path, "rb") as fh:
            try:
                text = decode(fh.read())
            except SourceError:
                continue  # not text: neither parser sees it
        lark, ts = _both(text)
        if isinstance(lark, tuple) or isinstance(ts, tuple):
            assert isinstance(lark, tuple) and isinstance(ts, tuple), (path, lark, ts)
            errors += 1
            continue
        assert ts.body.dump() == lark.body.dump(), path
        assert ts.comments == lark.comments, path
        assert ts.spans() == lark.spans(), path
        compared += 1
    assert compared > 500 and errors >= 2  # the EMR001 fixtures with HCL syntax errors


@pytest.mark.parametrize("text", ["var.x", "local.a[0].b", "format(\"%s-%d\", var.n, 2)", "a ? b : c",
                                  "[for s in var.l : upper(s)]", "{ a = 1 }", "x\n+ 1", "-1", "\"${var.q}\""])
def test_standalone_expressions_are_placed_alike(text):
    lark = parse_expression_tree(text)
    ts = syntax_ts.parse_expression(text)
    assert ts is not None and lark is not None
    assert ts.dump() == syntax_lark.convert(lark).dump()


def test_a_syntax_error_has_a_position():
    with pytest.raises(syntax_ts.SyntaxProblem) as exc:
        syntax_ts.parse(b'resource "aws_emr_cluster" "x" {\n  name = \n}\n')
    assert exc.value.line in (2, 3)
    assert syntax_ts.parse_expression("(((") is None


# --- the same findings from either parser -------------------------------------------------------


def _scan_json(paths, parser, cwd):
    emrlint = os.path.join(os.path.dirname(sys.executable), "emrlint")
    env = {k: v for k, v in os.environ.items() if k != "EMRLINT_PARSER"}
    env.update(EMRLINT_NO_CACHE="1", **({"EMRLINT_PARSER": parser} if parser else {}))
    proc = subprocess.run([emrlint, "scan", "--format", "json", "--jobs", "1", *paths], cwd=cwd, env=env,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    return proc.stdout


def test_both_parsers_give_the_same_findings_over_every_fixture(tmp_path_factory):
    """Every fixture, the generated trees and every construct, scanned through the installed
    command with tree-sitter reading the files and with python-hcl2 reading them: the same
    report, byte for byte (findings, messages, positions, suppressions)."""
    out = tmp_path_factory.mktemp("parsers")
    generate(str(out / "dense"), 30, 1.0)
    generate(str(out / "mono"), 30, 0.05)
    (out / "every").mkdir()
    (out / "every" / "main.tf").write_text(EVERY_CONSTRUCT + "# emrlint: disable-file=EMR999\n", encoding="utf-8")
    for paths, cwd in ((["fixtures"], REPO), (["dense", "mono", "every"], str(out))):
        from_tree_sitter = _scan_json(paths, None, cwd)
        assert from_tree_sitter.count(b'"rule"') > (1000 if cwd == REPO else 50)
        assert _scan_json(paths, "lark", cwd) == from_tree_sitter, paths


def test_files_tree_sitter_refuses_are_read_by_python_hcl2():
    """A syntax error is worded by python-hcl2 (what was expected where); what only python-hcl2
    accepts (an escaped quote inside a template directive) still parses; a \\u escape that names
    no character is refused."""
    from emrlint.terraform.hcl import parse_file

    with pytest.raises(ParseError) as exc:
        parse_file('resource "aws_emr_cluster" "x" {\n  name = \n}\n')
    assert exc.value.message.startswith("HCL syntax error: unexpected") and exc.value.line == 2
    with pytest.raises(syntax_ts.SyntaxProblem):
        syntax_ts.parse(b'x = "${var.a == \\"b\\" ? 1 : 2}"\n')
    parsed = parse_file('x = "${var.a == \\"b\\" ? 1 : 2}"\n')
    assert parsed.body.items[0].name == "x"
    with pytest.raises(ParseError) as exc:
        parse_file('x = "\\ud800"\n')
    assert "invalid escape sequence" in exc.value.message
    with pytest.raises(ParseError):  # tree-sitter's identifiers may hold "::"; HCL's (but a function's) not
        parse_file("x = a::b\n")
    assert parse_file('x = provider::aws::arn_parse("a")\n').body.items[0].expr.name == "provider::aws::arn_parse"
    assert parse_file("x = 1e5\n").body.items[0].expr.value == 100000.0  # an exponent tree-sitter refuses


def test_expressions_nested_beyond_reading_are_unknown_never_an_error():
    from emrlint.terraform.hcl import parse_file
    from emrlint.terraform.syntax import MAX_NESTING

    deep = "x = " + "[" * (MAX_NESTING * 3) + "1" + "]" * (MAX_NESTING * 3) + "\n"
    for parse in (lambda t: parse_file(t), lambda t: syntax_lark.convert_file(parse_tree(t))):
        expr = parse(deep).body.items[0].expr
        depth = 0
        while expr.kind == "tuple":
            expr, depth = expr.items[0], depth + 1
        assert expr.kind == "deep" and depth <= MAX_NESTING


# --- the parse tables emrlint ships ----------------------------------------------------------


def _dump(node):
    from lark import Token

    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)
    meta = node.meta
    pos = (meta.line, meta.column, meta.end_line, meta.end_column) if not meta.empty else None
    return (str(node.data), pos, tuple(_dump(c) for c in node.children))


def test_shipped_parse_tables_are_those_of_the_installed_grammar():
    """The package carries python-hcl2's LALR tables (``tools/build_hcl2_tables.py``), so no
    scan builds them; they are for the installed grammar and parse every fixture exactly as a
    parser Lark builds from it now (state numbers differ from build to build, the trees not)."""
    import lark

    from emrlint.terraform import hcl

    with open(hcl.SHIPPED_TABLES, "rb") as fh:
        built_for = fh.readline().split(b" ")[-1].strip().decode()
    if built_for != f"lark-{lark.__version__}":
        pytest.skip(f"the shipped tables are for {built_for}, lark {lark.__version__} is installed: "
                    "scans build their own once; rerun tools/build_hcl2_tables.py")
    grammar = hcl.hcl2_grammar()[0]
    assert hcl.load_shipped_tables(grammar) is not None, "python-hcl2's grammar changed: rerun tools/build_hcl2_tables.py"
    assert hcl.load_shipped_tables(grammar + "\n// another grammar\n") is None
    hcl._parser.cache_clear()
    shipped = hcl._parser()
    hcl._parser.cache_clear()
    built = lark.Lark(grammar, parser="lalr", propagate_positions=True, postlex=shipped.options.postlex)
    files = sorted(glob.glob(os.path.join(FIXTURES, "**", "*.tf"), recursive=True))
    assert len(files) > 100
    for path in files:
        with open(path, "rb") as fh:
            try:
                text = fh.read().decode("utf-8")
            except UnicodeDecodeError:  # the fixtures of EMR001
                continue
        try:
            expected = _dump(built.parse(text + "\n"))
        except lark.exceptions.UnexpectedInput:
            with pytest.raises(lark.exceptions.UnexpectedInput):
                shipped.parse(text + "\n")
            continue
        assert _dump(shipped.parse(text + "\n")) == expected, path


def test_no_grammar_is_built_at_run_time(tmp_path):
    """With the cache off (``EMRLINT_NO_CACHE=1``: nothing read or written there) and Lark's
    table builder made to fail, a scan of Terraform still parses: from the shipped tables."""
    import lark
    import subprocess

    from emrlint.terraform import hcl

    with open(hcl.SHIPPED_TABLES, "rb") as fh:
        if not fh.readline().rstrip().endswith(f"lark-{lark.__version__}".encode()):
            pytest.skip("the shipped tables are for another lark: rerun tools/build_hcl2_tables.py")
    (tmp_path / "main.tf").write_text('resource "aws_emr_cluster" "c" {\n  name = "c"\n  release_label = "emr-7"\n}\n')
    code = ("import sys, lark\n"
            "def refuse(*a, **k):\n    raise SystemExit('a grammar was built')\n"
            "lark.Lark.__init__ = refuse\n"
            "from emrlint.cli import main\n"
            "sys.exit(main(['scan', '--no-config', '--select', 'EMR201', '-q', sys.argv[1]]))\n")
    env = dict(os.environ, EMRLINT_NO_CACHE="1")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 1 and "EMR201" in proc.stdout, proc.stdout + proc.stderr


def test_the_wheel_carries_the_parse_tables(tmp_path):
    import subprocess
    import zipfile

    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), REPO], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("emrlint-*.whl")
    assert "emrlint/terraform/hcl2_tables.bin" in zipfile.ZipFile(wheel).namelist()
