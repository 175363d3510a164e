"""HCL files: parsing into emrlint's syntax tree (:mod:`emrlint.terraform.syntax`) and a
small structural view of bodies, attributes and blocks.

Two parsers stand behind the syntax tree.  tree-sitter's HCL grammar (compiled C: it
parses several times faster than a pure-Python parser and loads in milliseconds) reads
every file it accepts.  python-hcl2's grammar (run by Lark) reads what tree-sitter
refuses: its error messages say what was expected where, so an ``EMR001`` stays precise,
and a construct only python-hcl2 accepts (``\\"`` inside a template directive) still
parses.  Files with ``\\u`` escapes go to python-hcl2 too, which checks that each names a
character.  ``EMRLINT_PARSER=lark`` makes python-hcl2 read everything (tests compare
both over every fixture: same findings, byte for byte).
"""

from __future__ import annotations

import functools
import os
import re
from typing import Dict, Iterator, List, Optional, Tuple

from emrlint.findings import Loc
from emrlint.record import dataclass, field
from emrlint.terraform.syntax import Node, SBlock, SBody, SFile
from emrlint.lazyre import lazy_re


class ParseError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = max(1, line)
        self.column = max(1, column)


def hcl2_grammar():
    """(the text of python-hcl2's grammar, its post-lexer module), read from the installed
    ``hcl2`` package without importing it."""
    import importlib.util

    package_dir = list(importlib.util.find_spec("hcl2").submodule_search_locations)[0]
    post_spec = importlib.util.spec_from_file_location("emrlint._hcl2_postlexer",
                                                       os.path.join(package_dir, "postlexer.py"))
    postlexer = importlib.util.module_from_spec(post_spec)
    post_spec.loader.exec_module(postlexer)
    with open(os.path.join(package_dir, "hcl2.lark"), encoding="utf-8") as fh:
        return fh.read(), postlexer


def bounded_cache(maxsize: int, longest: int):
    """``functools.lru_cache`` for functions of one text, caching only texts up to ``longest``
    characters: a long-lived process (the language server) then keeps at most ``maxsize``
    short texts and their results, however large the files it scans."""
    def wrap(fn):
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(text):
            return cached(text) if len(text) <= longest else fn(text)

        return call

    return wrap


@functools.lru_cache(maxsize=1)
def _parser():
    """python-hcl2's grammar and post-lexer, loaded without importing the ``hcl2``
    package itself (its serialisers and reconstructors cost start-up time that a
    pre-commit hook should not pay).  Building the LALR tables takes about a second, so
    emrlint ships them, built for one python-hcl2 grammar and Lark version
    (:data:`SHIPPED_TABLES`, written by ``tools/build_hcl2_tables.py``); with another
    grammar or Lark they are built once and kept in emrlint's cache directory (never in
    the installed package, which may be read-only or shared), signed: see
    :func:`_load_tables`."""
    from lark import Lark

    grammar, postlexer = hcl2_grammar()
    shipped = load_shipped_tables(grammar)
    if shipped is not None:
        try:
            return Lark._load_from_dict(shipped["data"], shipped["memo"], postlex=postlexer.PostLexer(),
                                        propagate_positions=True)
        except Exception:  # pragma: no cover - tables of another shape: the cache's, or a build
            pass
    path, key = _tables_path(grammar)
    cached = not os.environ.get("EMRLINT_NO_CACHE")  # then nothing is read from or written to the cache
    tables = _load_tables(path, key) if cached else None
    if tables is not None:
        try:
            return Lark._load_from_dict(tables["data"], tables["memo"], postlex=postlexer.PostLexer(),
                                        propagate_positions=True)
        except Exception:  # tables of another shape: build them again
            pass
    parser = Lark(grammar, parser="lalr", propagate_positions=True, postlex=postlexer.PostLexer())
    if cached:
        _store_tables(path, key, parser)
    return parser


_TABLES_MAGIC = b"emrlint-hcl2-tables 2"
_TABLES_MAX_BYTES = 16 * 1024 * 1024


def _tables_path(grammar: str) -> Tuple[str, str]:
    import hashlib
    import sys

    import lark

    from emrlint.cache import cache_dir

    key = hashlib.sha256(f"{grammar}\0{lark.__version__}\0{sys.version_info[:2]}".encode()).hexdigest()
    return os.path.join(cache_dir(), f"hcl2-tables-{key[:32]}.pickle"), key


SHIPPED_TABLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hcl2_tables.bin")
_SHIPPED_MAGIC = b"emrlint-hcl2-shipped-tables 1"


def shipped_key(grammar: str) -> str:
    """What the shipped tables were built for: the grammar's text and Lark's version."""
    import hashlib

    import lark

    return hashlib.sha256(f"{grammar}\0{lark.__version__}".encode()).hexdigest()


def serialize_tables(parser) -> bytes:
    """A built parser's tables as plain data (the post-lexer, an object, is supplied on loading)."""
    import pickle

    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k != "postlex"}
    payload = pickle.dumps({"data": data, "memo": memo}, protocol=4)
    _plain_loads(payload)  # only plain data goes in
    return payload


def write_shipped_tables(grammar: str, parser, path: str = SHIPPED_TABLES) -> None:
    import lark
    import zlib

    payload = zlib.compress(serialize_tables(parser), 9)
    header = b"%s %s lark-%s\n" % (_SHIPPED_MAGIC, shipped_key(grammar).encode(), lark.__version__.encode())
    with open(path, "wb") as fh:
        fh.write(header + payload)


def load_shipped_tables(grammar: str):
    """The shipped tables when they were built for this grammar and Lark, else None.  They are
    part of the package (as trusted as its code), and still read as plain data only."""
    import zlib

    parts, payload = _read_tables_file(SHIPPED_TABLES, _SHIPPED_MAGIC)
    if parts is None or parts[2] != shipped_key(grammar).encode():
        return None
    try:
        inflate = zlib.decompressobj()
        raw = inflate.decompress(payload, _TABLES_MAX_BYTES)
        tables = _plain_loads(raw) if not inflate.unconsumed_tail else None
    except Exception:
        return None
    return tables if isinstance(tables, dict) and {"data", "memo"} <= set(tables) else None


def _read_tables_file(path: str, magic: bytes):
    """(the header's four words, the payload) of a tables file with this magic, else (None, b"")."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(_TABLES_MAX_BYTES + 1)
    except OSError:
        return None, b""
    header, _, payload = data.partition(b"\n")
    parts = header.split(b" ")
    if len(data) > _TABLES_MAX_BYTES or len(parts) != 4 or b" ".join(parts[:2]) != magic:
        return None, b""
    return parts, payload


def _plain_loads(data: bytes):
    """Unpickling that can only build plain data (dicts, lists, tuples, strings, numbers):
    any class or function reference is refused, so even a forged file could not run code."""
    import io
    import pickle

    class Plain(pickle.Unpickler):
        def find_class(self, module, name):
            raise pickle.UnpicklingError(f"refusing {module}.{name}")

    return Plain(io.BytesIO(data)).load()


def _load_tables(path: str, key: str):
    """The cached parse tables, or None: missing, torn, made for another grammar, not signed
    with the cache directory's key (see :class:`emrlint.cache.EntryStore`) or not plain
    data.  Every such file is a miss, never an error and never trusted."""
    import hmac

    from emrlint.cache import EntryStore

    parts, payload = _read_tables_file(path, _TABLES_MAGIC)
    if parts is None:
        return None
    signature = EntryStore(os.path.dirname(path)).signature(key.encode() + b"\n" + payload, create=False)
    if parts[2] != key.encode() or signature is None or not hmac.compare_digest(parts[3], signature.encode()):
        return None
    try:
        tables = _plain_loads(payload)
    except Exception:
        return None
    return tables if isinstance(tables, dict) and {"data", "memo"} <= set(tables) else None


def _store_tables(path: str, key: str, parser) -> None:
    """Save the parse tables as plain data (the post-lexer, an object, is supplied on loading),
    signed; a cache directory that cannot be written only costs speed."""
    from emrlint.cache import EntryStore

    try:
        payload = serialize_tables(parser)
    except Exception:
        return
    store = EntryStore(os.path.dirname(path))
    try:
        os.makedirs(store.directory, exist_ok=True)
    except OSError:
        return
    signature = store.signature(key.encode() + b"\n" + payload, create=True)
    if signature is not None:
        store.write_file(path, b"%s %s %s\n" % (_TABLES_MAGIC, key.encode(), signature.encode()) + payload)


def load_grammar() -> None:
    """Load the parser now (before forking worker processes, which then inherit it):
    tree-sitter's, or python-hcl2's grammar when tree-sitter does not read files."""
    if not tree_sitter_available():
        _parser()


_TERMINAL_TEXT = {
    "RBRACE": "`}`", "LBRACE": "`{`", "RSQB": "`]`", "LSQB": "`[`", "RPAR": "`)`", "LPAR": "`(`",
    "DBLQUOTE": '`"`', "EQ": "`=`", "COLON": "`:`", "COMMA": "`,`", "NAME": "a name",
    "NL_OR_COMMENT": "a new line", "$END": "end of file",
}


def _describe_error(exc, text: str) -> ParseError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    n_lines = text.count("\n") + 1
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        expected_types = set(exc.expected or ())
        if tok.type == "$END":
            what = "unterminated string" if "DBLQUOTE" in expected_types else "unexpected end of file"
            line, column = n_lines, 1
            last = text.rstrip("\n").split("\n")
            if last and line > len(last):
                line = len(last)
                column = len(last[-1]) + 1
        elif str(tok)[:1] in ("\n", "\r"):
            what = "unexpected end of line"
        else:
            shown = str(tok).split("\n")[0].strip()[:30] or repr(str(tok))[:30]
            what = f"unexpected `{shown}`"
        if "INT_LITERAL" in expected_types and tok.type != "$END":
            what += ", expected a value"
        else:
            expected = sorted(e for e in (_TERMINAL_TEXT.get(t, "") for t in expected_types) if e)
            if expected and len(expected_types) <= 3:
                what += ", expected " + " or ".join(expected)
    elif isinstance(exc, UnexpectedCharacters):
        ch = exc.char if exc.char not in ("\n", "") else "new line"
        what = f"unexpected character {ch!r}"
    elif isinstance(exc, UnexpectedEOF):
        what = "unexpected end of file"
    else:  # pragma: no cover - other lark errors
        what = str(exc).split("\n")[0]
    return ParseError("HCL syntax error: " + what, min(line, n_lines), column)


def parse_tree(text: str):
    """Parse HCL text with python-hcl2's grammar into its Lark tree; raise :class:`ParseError`
    with a position on failure."""
    from lark.exceptions import UnexpectedInput

    try:
        tree = _parser().parse(text + "\n")
    except UnexpectedInput as exc:
        raise _describe_error(exc, text) from None
    except RecursionError:
        raise ParseError("HCL syntax error: expression nested too deeply") from None
    if "\\u" in text or "\\U" in text:
        _check_escapes(tree)
    return tree


def _check_escapes(tree) -> None:
    """Terraform refuses a ``\\u``/``\\U`` escape that is not a Unicode scalar value
    (a surrogate, or beyond U+10FFFF): "Invalid escape sequence"."""
    from lark import Token

    for tok in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "STRING_CHARS" and "\\" in v):
        for m in _ESCAPE_RE.finditer(str(tok)):
            code = m.group(1)
            if code[0] in "uU" and len(code) > 1 and _invalid_code_point(int(code[1:], 16)):
                raise ParseError(f"HCL syntax error: invalid escape sequence \\{code}: cannot encode character "
                                 f"U+{int(code[1:], 16):04X} in UTF-8", tok.line or 1, (tok.column or 1) + m.start())


def parse_expression_tree(text: str):
    """A standalone expression parsed by python-hcl2's grammar (its Lark tree), or None."""
    from lark import Tree
    from lark.exceptions import UnexpectedInput

    if "\n" in text.strip():
        text = "(" + text + ")"
    try:
        tree = _parser().parse("__e = " + text + "\n")
    except (UnexpectedInput, RecursionError):
        return None
    for node in tree.children[0].children:
        if isinstance(node, Tree) and node.data == "attribute":
            return node.children[-1]
    return None  # pragma: no cover


# ---------------------------------------------------------------------------
# The parser behind the syntax tree
# ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def tree_sitter_available() -> bool:
    """Whether tree-sitter reads files (its wheels are installed and ``EMRLINT_PARSER`` does
    not ask for python-hcl2)."""
    if os.environ.get("EMRLINT_PARSER", "").lower() == "lark":
        return False
    try:
        from emrlint.terraform import syntax_ts

        syntax_ts._parser()
    except Exception:  # not installed, or a build of it this Python cannot load
        return False
    return True


def _tree_sitter_reads(text: str) -> bool:
    """Whether tree-sitter reads this text first: it is available, and the text has no
    ``\\u`` escape (python-hcl2 checks that each names a character)."""
    return tree_sitter_available() and "\\u" not in text and "\\U" not in text


def parse_file(text: str, with_comments: bool = True) -> SFile:
    """Parse a file into emrlint's syntax tree; raise :class:`ParseError` with a position on
    failure.  Comments are collected only ``with_comments`` (suppressions need them)."""
    if _tree_sitter_reads(text):
        from emrlint.terraform import syntax_ts

        try:
            return syntax_ts.parse(text.encode("utf-8"), with_comments)
        except Exception:  # refused (or beyond its reader): python-hcl2 decides, and words the error
            pass
    from emrlint.terraform.syntax_lark import convert_file

    tree = parse_tree(text)
    try:
        return convert_file(tree)
    except RecursionError:
        raise ParseError("HCL syntax error: expression nested too deeply") from None


@bounded_cache(maxsize=4096, longest=4096)
def parse_expression(text: str) -> Optional[Node]:
    """Parse a standalone expression (from a template interpolation).  None if invalid."""
    if _tree_sitter_reads(text):
        from emrlint.terraform import syntax_ts

        try:
            found = syntax_ts.parse_expression(text)
        except Exception:
            found = None
        if found is not None:
            return found
    from emrlint.terraform.syntax_lark import convert

    tree = parse_expression_tree(text)
    if tree is None:
        return None
    try:
        return convert(tree)
    except RecursionError:
        return None


# ---------------------------------------------------------------------------
# Structure: bodies, attributes, blocks
# ---------------------------------------------------------------------------


def node_loc(path: str, node: Node) -> Loc:
    """Where an expression is written."""
    line, column, end_line, end_column = node.pos
    return Loc(path, line, column, end_line, end_column)


@dataclass(slots=True)
class Attribute:
    name: str
    expr: object  # a syntax Node (HCL) or a JsonExpr
    loc: Loc


@dataclass(slots=True)
class Block:
    type: str
    labels: List[str]
    body: "Body"
    loc: Loc


@dataclass(slots=True)
class Body:
    path: str
    loc: Loc
    attributes: Dict[str, Attribute] = field(default_factory=dict)
    blocks: List[Block] = field(default_factory=list)


def build_body(path: str, sbody: SBody, loc: Loc) -> Body:
    body = Body(path, loc)
    for item in sbody.items:
        iloc = Loc(path, *item.pos)
        if isinstance(item, SBlock):
            body.blocks.append(Block(item.type, list(item.labels), build_body(path, item.body, iloc), iloc))
        else:
            body.attributes[item.name] = Attribute(item.name, item.expr, iloc)
    return body


def file_body(path: str, parsed: SFile) -> Body:
    return build_body(path, parsed.body, Loc(path, 1, 1))


# ---------------------------------------------------------------------------
# Comments in python-hcl2's tree, for suppressions
# ---------------------------------------------------------------------------


def comments(tree) -> Iterator[Tuple[int, int, str]]:
    """(line, column, text) of every ``#``/``//`` comment in a file parsed by python-hcl2.

    Comments are in NL_OR_COMMENT tokens, which python-hcl2's post-lexer may
    merge into a following binary operator token; both are looked at."""
    from lark import Token

    for tok in tree.scan_values(lambda v: isinstance(v, Token) and (v.type == "NL_OR_COMMENT" or v.type in _OPERATOR_TYPES)):
        line = tok.line
        col = tok.column
        for raw in str(tok).split("\n"):
            stripped = raw.lstrip(" \t")
            offset = len(raw) - len(stripped)
            if stripped.startswith("#") or stripped.startswith("//"):
                yield line, col + offset, stripped.rstrip("\r")
            line += 1
            col = 1


_OPERATOR_TYPES = {
    "DOUBLE_EQ", "NEQ", "LT", "GT", "LEQ", "GEQ", "ASTERISK", "SLASH", "PERCENT",
    "DOUBLE_AMP", "DOUBLE_PIPE", "PLUS", "QMARK",
}


# ---------------------------------------------------------------------------
# Strings and templates
# ---------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = lazy_re(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def _invalid_code_point(n: int) -> bool:
    return n > 0x10FFFF or 0xD800 <= n <= 0xDFFF


def unescape(text: str) -> str:
    def repl(m: re.Match) -> str:
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            n = int(s[1:], 16)
            return "\ufffd" if _invalid_code_point(n) else chr(n)  # refused by parse_tree()
        return _ESCAPES.get(s, "\\" + s)

    return _ESCAPE_RE.sub(repl, text) if "\\" in text else text


def heredoc_text(token: str, trim: bool) -> str:
    """The content of a heredoc token (``<<EOF\\n...\\nEOF\\n``)."""
    lines = token.split("\n")
    # lines[0] is "<<EOF"; the marker line is the last non-empty one
    end = len(lines) - 1
    while end > 0 and lines[end].strip() == "":
        end -= 1
    body = [ln.rstrip("\r") for ln in lines[1:end]]
    if trim:
        indents = [len(ln) - len(ln.lstrip(" \t")) for ln in body if ln.strip()]
        cut = min(indents) if indents else 0
        body = [ln[cut:] for ln in body]
    return "".join(ln + "\n" for ln in body)
