"""EMR202 helpers: unreproducible installs in bootstrap scripts and bootstrap-action args.

Shell text is tokenised with :mod:`shlex` (never executed).  The token stream is
grouped into pipelines of simple commands, and each command is checked by a
small analyser chosen by its program (pip, OS package managers, conda, npm,
git, downloads).  Anything unknown -- ``$VAR``, a Terraform placeholder, a file
that is not in the scanned tree -- never produces an offence.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from bisect import bisect_right
from itertools import islice
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from emrlint.record import dataclass, field, replace
from emrlint.shellwords import Reader as _Reader
from emrlint.values import leading_text

from emrlint.text import quote
from emrlint.lazyre import lazy_re

ReadFile = Callable[[str], Optional[str]]
Word = Optional[str]  # None: a word whose value is unknown


KINDS = ("pip-unpinned", "pip-upgrade", "pip-requirements-unpinned", "os-package-unpinned", "conda-unpinned",
         "npm-unpinned", "pipe-to-shell", "git-clone-unpinned", "latest-download", "install-script-args-unpinned")


@dataclass(frozen=True)
class Offence:
    line: int  # 1-based line of the command's first line in the script (args analysis: 0)
    column: int  # 1-based column of the command's first word (args analysis: 0)
    end_line: int  # last line of the command
    kind: str  # one of KINDS
    command: str  # the offending command, whitespace-normalised and clipped
    message: str


def is_http_url(path: Any) -> bool:
    """True when ``path`` (a string, or a partly known one whose known start is the scheme)
    is fetched over http(s) rather than from S3."""
    return leading_text(path).strip().lower().startswith(("http://", "https://"))


def analyze_script(text: str, read_file: Optional[ReadFile] = None) -> List[Offence]:
    """Offences in a shell script, one per offending command, in line order."""
    return _Analyzer(read_file).run(_split(_shell_tokens(text)))


def analyze_args(args: Sequence[object], script_name: str = "", read_file: Optional[ReadFile] = None) -> List[Offence]:
    """Offences in a bootstrap action's args; non-str items are unknown words."""
    tokens = list(_arg_tokens(args))
    pipelines = _split(tokens)
    offences = _Analyzer(read_file, search=True).run(pipelines)
    found_command = bool(offences) or any(_is_invocation(cmd) for pipe in pipelines for cmd in pipe)
    if not found_command and _names_an_installer(script_name):
        loose = _loose_specs([tok.value for tok in tokens if tok.kind == "word"])
        if loose:
            text = _clip(" ".join(tok.raw for tok in tokens))
            script = script_name.rstrip("/").rsplit("/", 1)[-1]
            offences.append(Offence(0, 0, 0, "install-script-args-unpinned", text, (
                f"`{text}` passes {_names(loose)} to the install script {quote(script, marks=False)} without an "
                "exact version; "
                f"pass exact pins instead ({_pin_example(loose[0], '==')}).")))
    return offences


# --------------------------------------------------------------------------- tokens

_OPERATORS = ("<<<", "&>>", "&&", "||", ";;", "|&", "<<", ">>", "&>", ">&", "<&", "<>", ">|", "<(", ">(",
              ";", "&", "|", "<", ">", "(", ")")
_SHELL_CHARS = frozenset(" \t\r\n;&|'\"")  # an arg containing one of these is parsed as shell text


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word", "op", "nl" (newline) or "error" (an unparsable line was skipped)
    value: Word
    raw: str
    start: int
    end: int
    line: int = 0
    col: int = 0
    end_line: int = 0


class _Locator:
    """Maps an offset in ``text`` to a 1-based (line, column)."""

    def __init__(self, text: str):
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def __call__(self, offset: int) -> Tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _lexer(reader: _Reader) -> shlex.shlex:
    lex = shlex.shlex(reader, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = ""  # comments start only at the beginning of a word: handled by the caller
    reader.lexer = lex
    return lex


def _join_continuations(text: str) -> List[str]:
    """``text`` as characters, each backslash-newline blanked out (offsets are kept)."""
    chars, i = list(text), 0
    while i < len(text) - 1:
        if text[i] == "\\":
            if text[i + 1] == "\n":
                chars[i] = chars[i + 1] = " "
            i += 2
        else:
            i += 1
    return chars


def _eol(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _skip_heredocs(text: str, pos: int, heredocs: List[Tuple[str, bool]]) -> int:
    """The offset after the bodies of ``heredocs``, which start at ``pos``."""
    for delimiter, strip_tabs in heredocs:
        while pos < len(text):
            end = _eol(text, pos)
            line = text[pos:end]
            pos = end + 1
            if (line.lstrip("\t") if strip_tabs else line).rstrip() == delimiter:
                break
    heredocs.clear()
    return min(pos, len(text))


def _split_operators(punct: str) -> Iterator[Tuple[int, str]]:
    """(offset, operator) pieces of a run of punctuation such as ``)|`` or ``2>&``."""
    i = 0
    while i < len(punct):
        op = next(o for o in _OPERATORS if punct.startswith(o, i))
        yield i, op
        i += len(op)


def _shell_tokens(text: str, locate: bool = True) -> Iterator[_Tok]:
    """Words, operators and newlines of shell ``text``; comments, here-document bodies and
    template directive lines are skipped, and a line with an unclosed quote becomes an "error"."""
    text = text.replace("\r\n", "\n")
    chars = _join_continuations(text)
    where = _Locator(text) if locate else (lambda offset: (0, 0))
    reader, size = _Reader(chars, text), len(chars)
    lex = _lexer(reader)
    heredocs: List[Tuple[str, bool]] = []  # here-documents whose bodies start after the next newline
    delimiter: Optional[Tuple[int, bool]] = None  # (offset, strip tabs) of a "<<" awaiting its word
    pushed = False  # shlex holds back the first character of the next token

    def make(kind: str, value: Word, start: int, end: int) -> _Tok:
        line, col = where(start)
        return _Tok(kind, value, "".join(chars[start:end]), start, end, line, col, where(max(start, end - 1))[0])

    def skip_comment(pos: int) -> int:
        end = _eol(text, pos)
        if end < size:
            chars[end] = "\n"  # a comment ends at the line end, even after a backslash
        return end

    def skip_gap() -> Iterator[_Tok]:
        nonlocal delimiter
        pos = reader.pos
        while pos < size:
            if chars[pos] == "\n":
                yield make("nl", None, pos, pos + 1)
                delimiter = None
                pos = _skip_heredocs(text, pos + 1, heredocs)
            elif chars[pos] in " \t\r":
                pos += 1
            elif chars[pos] == "#" or text.startswith("%{", pos):  # comment or Terraform directive
                pos = skip_comment(pos)
            else:
                break
        reader.pos = pos

    while True:
        if pushed:
            start = reader.pos - 1
        else:
            yield from skip_gap()
            if reader.pos >= size:
                return
            start = reader.pos
        try:
            value = lex.get_token()
        except ValueError:  # unclosed quote or trailing backslash: skip the rest of this line
            yield make("error", None, start, start)
            reader.pos, pushed, delimiter, lex = _eol(text, start), False, None, _lexer(reader)
            continue
        if value is None:
            return
        last = "" if reader.eof else chars[reader.pos - 1]
        pushed = bool(last) and last not in lex.whitespace
        if last and not pushed:
            reader.pos -= 1  # hand the blank that ended the token back to skip_gap
        end = reader.pos - 1 if pushed else reader.pos
        if chars[start] in lex.punctuation_chars:
            for offset, op in _split_operators(value):
                yield make("op", op, start + offset, start + offset + len(op))
                delimiter = (start + offset + 2, False) if op == "<<" else None
        elif chars[start] == "#":  # a comment right after an operator, as in "fi;# done"
            reader.pos, pushed, lex = skip_comment(start), False, _lexer(reader)
        elif delimiter is not None:  # the word naming a here-document ("<<-" strips tabs)
            op_end, strip = delimiter
            if start == op_end and value.startswith("-") and not strip:
                value, strip = value[1:], True
            if value:
                heredocs.append((value, strip))
                delimiter = None
            else:
                delimiter = (end, strip)
        else:
            yield make("word", value, start, end)


def _arg_tokens(args: Sequence[object]) -> Iterator[_Tok]:
    """Tokens of bootstrap-action args: an arg with shell syntax is tokenised and spliced in."""
    base = 0
    for arg in args:
        if isinstance(arg, str) and any(ch in _SHELL_CHARS for ch in arg):
            for tok in _shell_tokens(arg, locate=False):
                yield replace(tok, start=tok.start + base, end=tok.end + base)
            raw = arg
        else:
            raw = arg if isinstance(arg, str) else "<unknown>"
            yield _Tok("word", arg if isinstance(arg, str) else None, raw, base, base + len(raw))
        base += len(raw) + 1


# --------------------------------------------------------------------------- commands

_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}"})
_REDIRECTS = frozenset({"<", ">", ">>", ">|", "<>", "&>", "&>>", ">&", "<&", "<<<", "<<"})


@dataclass
class _Command:
    joiner: str = ""  # how it is fed by the previous command of its pipeline: "|", "<(" or ""
    toks: List[_Tok] = field(default_factory=list)  # every token, redirections included
    words: List[Word] = field(default_factory=list)  # the words, without redirections
    spans: List[int] = field(default_factory=list)  # index in toks of each word
    prog: Optional[str] = None  # resolved program, wrappers such as sudo skipped
    args: List[Word] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The command as written: tokens joined, with a space where the source had a gap."""
        return "".join(("" if prev and prev.end == tok.start else " ") + tok.raw
                       for prev, tok in zip([None] + self.toks, self.toks)).strip()


def _split(tokens: Iterable[_Tok]) -> List[List[_Command]]:
    """Group tokens into pipelines of simple commands."""
    pipelines: List[List[_Command]] = [[]]
    cmd: Optional[_Command] = None
    joiner, target, joined = "", False, False  # target: the next word is a redirection target

    def close(keep_pipeline: bool) -> None:
        nonlocal cmd, joiner, target
        if cmd is not None and cmd.words:
            pipelines[-1].append(cmd)
        cmd, joiner, target = None, "", False
        if not keep_pipeline and pipelines[-1]:
            pipelines.append([])

    for tok in tokens:
        if tok.kind == "word":
            joined = False
            if cmd is None and not target and tok.value in _KEYWORDS:
                continue
            if cmd is None:
                cmd, joiner = _Command(joiner), ""
            if not target:
                cmd.words.append(tok.value)
                cmd.spans.append(len(cmd.toks))
            cmd.toks.append(tok)
            target = False
        elif tok.kind == "op" and tok.value in _REDIRECTS:
            if cmd is None:
                cmd, joiner = _Command(joiner), ""
            fd = cmd.words[-1] if cmd.spans and cmd.spans[-1] == len(cmd.toks) - 1 else None
            if fd and fd.isdigit() and cmd.toks[-1].end == tok.start:
                cmd.words.pop()  # the file descriptor of "2>&1"
                cmd.spans.pop()
            cmd.toks.append(tok)
            target = tok.value != "<<"  # a here-document's delimiter is consumed by the tokeniser
        elif tok.kind == "nl" and joined:
            continue  # "a &&" or "a |" continues on the next line
        elif tok.value in ("|", "|&", "<(", ")"):  # "(curl ...) | bash" pipes the subshell's output
            close(keep_pipeline=True)
            joiner, joined = {"|": "|", "|&": "|", "<(": "<("}.get(tok.value, ""), tok.value in ("|", "|&")
        else:  # newline, error, ; & && || ( >(
            if tok.kind == "error":
                cmd = None  # the command was cut off by an unclosed quote
            close(keep_pipeline=False)
            joined = tok.value in ("&&", "||")
    close(keep_pipeline=False)
    return [pipe for pipe in pipelines if pipe]


# --------------------------------------------------------------------------- words and options

_PIP_NAME = lazy_re(r"pip\d*(\.\d+)?")
_PYTHON_NAME = lazy_re(r"python\d*(\.\d+)?")
_ASSIGNMENT = lazy_re(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_WRAPPERS: Dict[str, Tuple[frozenset, int]] = {  # program: (options taking a value, positional words)
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "--user", "--group",
                        "--host", "--prompt", "--close-from", "--chdir", "--role", "--type", "--other-user"}), 0),
    "env": (frozenset({"-u", "--unset", "-C", "--chdir"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "timeout": (frozenset({"-s", "--signal", "-k", "--kill-after"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset(), 0),
    "command": (frozenset(), 0),
}


def _unknown(word: object) -> bool:
    """True for a word whose value cannot be known: not a string, or with $, ` or %{."""
    return not isinstance(word, str) or any(mark in word for mark in ("$", "`", "%{"))


def _program(word: Word) -> Optional[str]:
    if _unknown(word):
        return None
    base = word.rsplit("/", 1)[-1]
    if _PIP_NAME.fullmatch(base):
        return "pip"
    return "python" if _PYTHON_NAME.fullmatch(base) else base


def _parse(args: Sequence[Word], value_opts: Iterable[str]) -> Iterator[Tuple[int, Optional[str], Word]]:
    """getopt-style scan: (index, option, value) for options, (index, None, word) for operands."""
    i = 0
    while i < len(args):
        word, index = args[i], i
        i += 1
        if _unknown(word) or not word.startswith("-") or word == "-":
            yield index, None, word
        elif word == "--":
            for j in range(i, len(args)):
                yield j, None, args[j]
            return
        elif word.startswith("--"):
            name, eq, value = word.partition("=")
            if not eq and name in value_opts and i < len(args):
                value, i = args[i], i + 1
            yield index, name, value if (eq or name in value_opts) else None
        else:  # a cluster of short options: -qU, -rfile.txt, -o file
            for j in range(1, len(word)):
                name = "-" + word[j]
                if name in value_opts:
                    value = word[j + 1:]
                    if not value and i < len(args):
                        value, i = args[i], i + 1
                    yield index, name, value
                    break
                yield index, name, None


def _getopt(args: Sequence[Word], value_opts: Iterable[str]) -> Tuple[List[Tuple[str, Word]], List[Word]]:
    """([(option, value)], [operand]) of ``args``."""
    items = list(_parse(args, value_opts))
    return [(o, v) for _, o, v in items if o], [v for _, o, v in items if o is None]


def _resolve_at(words: Sequence[Word], i: int) -> Tuple[Optional[str], List[Word]]:
    """(program, args) of the command at words[i], skipping assignments and wrappers like sudo."""
    while i < len(words):
        name = _program(words[i])
        if isinstance(words[i], str) and _ASSIGNMENT.match(words[i]):
            i += 1
        elif name in _WRAPPERS:
            value_opts, positional = _WRAPPERS[name]
            rest = words[i + 1:]
            i += 1 + next((j for j, opt, _ in _parse(rest, value_opts) if opt is None), len(rest)) + positional
        elif name == "xargs":
            return None, []  # the arguments arrive on stdin: unknown
        else:
            break
    else:
        return None, []
    args = list(words[i + 1:])
    if args[:2] == ["-m", "pip"]:  # python3 -m pip, $PYTHON -m pip
        return "pip", args[2:]
    return _program(words[i]), args


def _resolve(words: Sequence[Word], search: bool) -> Tuple[int, Optional[str], List[Word]]:
    """(start, program, args): _resolve_at(words, 0), or with ``search`` the first analysable
    command found anywhere in ``words`` (bootstrap args such as ``-c "pip install x"``)."""
    first = _resolve_at(words, 0)
    if search and first[0] not in _ANALYSERS:
        for start in range(1, len(words)):
            found = _resolve_at(words, start)
            if found[0] in _ANALYSERS:
                return (start,) + found
    return (0,) + first


def _names(items: Sequence[str], limit: int = 5) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(quote(item, marks=False) for item in items[:limit]) + more


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _pin_example(spec: str, sep: str) -> str:
    match = re.match(r"@?[A-Za-z0-9][A-Za-z0-9._/-]*", spec)
    return quote(match.group(0) if match else spec, marks=False) + sep + "<version>"


# --------------------------------------------------------------------------- pip

_PIP_VALUE_OPTS = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url", "--extra-index-url",
    "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--trusted-host", "--cache-dir", "--log",
    "--log-file", "--python-version", "--platform", "--implementation", "--abi", "--only-binary", "--no-binary",
    "--upgrade-strategy", "--progress-bar", "--timeout", "--retries", "--proxy", "--cert", "--client-cert",
    "--exists-action", "--src", "--global-option", "--install-option", "--config-settings", "--report",
    "--root-user-action", "--python",
})
_VCS = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")
_REQUIREMENT = lazy_re(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(?P<spec>([=<>!~(].*)?)")


def _pip_pinned(req: Word) -> Optional[bool]:
    """Whether a pip requirement has an exact pin; None for unknowns, paths, URLs and archives."""
    if _unknown(req):
        return None
    vcs = [req.find(prefix) for prefix in _VCS if prefix in req]
    if vcs:  # git+https://host/org/repo.git@ref: pinned only with @ref after the host
        location = req[min(vcs):].split("://", 1)[-1]
        return "@" in location.partition("/")[2]
    if "/" in req or req.startswith(".") or req.lower().endswith(_ARCHIVES):
        return None
    match = _REQUIREMENT.fullmatch(req.split(";")[0].strip())
    if not match:
        return None
    clauses = [c.strip() for c in match.group("spec").strip("() ").split(",")]
    return any(c.startswith("===") or (c.startswith("==") and len(c) > 2 and "*" not in c) for c in clauses)


def _requirement_lines(text: str) -> Iterator[str]:
    for line in text.replace("\r\n", "\n").replace("\\\n", "").splitlines():
        line = re.sub(r"(^|\s)#.*", "", line).strip()
        if line:
            yield line


def _requirements_unpinned(path: str, read_file: Optional[ReadFile], nested: bool = False) -> Optional[List[str]]:
    """Unpinned requirements of a requirements file in the tree; None when it is unknown."""
    text = read_file(path) if read_file else None
    if text is None:
        return None
    loose: List[str] = []
    for line in _requirement_lines(text):
        if not line.startswith("-"):
            req = re.split(r"\s+-", line.split(";")[0])[0].strip()  # drop --hash and other line options
            loose += [req] if _pip_pinned(req) is False else []
            continue
        for opt, value in _getopt(line.split(), _PIP_VALUE_OPTS)[0]:
            if opt in ("-c", "--constraint", "--no-index"):
                return None  # constraints or a local wheelhouse may pin
            if opt in ("-r", "--requirement") and not nested and not _unknown(value):
                child = posixpath.join(posixpath.dirname(path), value)
                loose += _requirements_unpinned(child, read_file, nested=True) or []
            if opt in ("-e", "--editable") and _pip_pinned(value) is False:
                loose.append(value)
    return loose


def _pip(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    opts, operands = _getopt(args, _PIP_VALUE_OPTS)
    if operands[:1] != ["install"]:
        return None
    if {opt for opt, _ in opts} & {"-c", "--constraint", "--no-index"}:
        return None  # constraints or a local wheelhouse may pin
    reqs = operands[1:] + [value for opt, value in opts if opt in ("-e", "--editable")]
    unpinned = [req for req in reqs if _pip_pinned(req) is False]
    files: Dict[str, List[str]] = {}
    for opt, value in opts:
        if opt in ("-r", "--requirement") and not _unknown(value):
            loose_in_file = _requirements_unpinned(value, ctx.read_file)
            if loose_in_file:
                files[value] = loose_in_file
    loose = unpinned + [req for reqs_in_file in files.values() for req in reqs_in_file]
    if not loose:
        return None
    example = _pin_example(loose[0], "==")
    upgrade = next((opt for opt, _ in opts if opt in ("-U", "--upgrade")), None)
    if upgrade:
        return "pip-upgrade", (f"upgrades {_names(loose)} to the newest release ({upgrade}) instead of an exact "
                               f"version; drop {upgrade} and pin them ({example}).")
    if unpinned:
        return "pip-unpinned", (f"installs {_names(unpinned)} without an exact version; pin them ({example}) "
                                "or use a requirements file with == pins.")
    return "pip-requirements-unpinned", (f"installs {_names(list(files))}, whose {_names(loose)} have no exact "
                                         f"version; pin every requirement with == ({example}).")


# --------------------------------------------------------------------------- other package managers

_OS_VALUE_OPTS = {
    "yum": frozenset({"-c", "--config", "-d", "--debuglevel", "-e", "--errorlevel", "--installroot", "--releasever",
                      "--enablerepo", "--disablerepo", "-x", "--exclude", "--setopt", "-R", "--randomwait",
                      "--downloaddir", "--repo", "--repoid"}),
    "apt-get": frozenset({"-o", "--option", "-c", "--config-file", "-t", "--target-release"}),
    "zypper": frozenset({"-r", "--repo", "-t", "--type", "--from", "-p"}),
}
_OS_VALUE_OPTS.update({"dnf": _OS_VALUE_OPTS["yum"], "apt": _OS_VALUE_OPTS["apt-get"]})


def _os_versioned(name: str, pkg: str) -> bool:
    if "*" in pkg or pkg.startswith("@"):
        return False
    if "/" in pkg or "=" in pkg or pkg.endswith((".rpm", ".deb")):
        return True
    if name == "amazon-linux-extras":  # topics carry their version in the name: python3.8, java-openjdk11
        return any(ch.isdigit() for ch in pkg)
    return re.search(r"[A-Za-z0-9]-\d", pkg) is not None  # htop-2.2.0, java-1.8.0-openjdk


def _os_packages(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    operands = _getopt(args, _OS_VALUE_OPTS.get(name, ()))[1]
    if operands[:1] != ["install"] and not (name == "zypper" and operands[:1] == ["in"]):
        return None
    loose = [pkg for pkg in operands[1:] if not _unknown(pkg) and not _os_versioned(name, pkg)]
    if not loose:
        return None
    example = _pin_example(loose[0].lstrip("@"), "-" if name in ("yum", "dnf", "zypper") else "=")
    return "os-package-unpinned", (f"installs {_names(loose)} without a version; pin exact versions ({example}) "
                                   "so every node gets the same build.")


def _conda_pinned(spec: Word) -> Optional[bool]:
    if _unknown(spec) or "/" in spec or spec.endswith((".conda", ".tar.bz2")):
        return None
    match = re.fullmatch(r"[A-Za-z0-9_.-]+\s*(.*)", spec.rsplit("::", 1)[-1])
    rest = match.group(1) if match else None
    if rest is None or rest[:1] == "[":
        return None
    return rest[:1] == "=" or rest[:1].isdigit()  # numpy=1.26.4, numpy==1.26.4, "numpy 1.26.4"


def _conda(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    opts, operands = _getopt(args, {"-c", "--channel", "-n", "--name", "-p", "--prefix", "-f", "--file",
                                    "--clone", "--solver", "--repodata-fn"})
    if operands[:1] not in (["install"], ["create"]) or any(opt in ("-f", "--file") for opt, _ in opts):
        return None
    loose = [spec for spec in operands[1:] if _conda_pinned(spec) is False]
    if not loose:
        return None
    return "conda-unpinned", (f"installs {_names(loose)} without an exact version; pin them "
                              f"({_pin_example(loose[0], '=')}) or use an environment file with pinned versions.")


_NPM_INSTALL = {"npm": ("install", "i", "add"), "yarn": ("add",), "pnpm": ("add", "install", "i")}


def _npm_pinned(pkg: Word) -> Optional[bool]:
    if _unknown(pkg):
        return None
    if pkg.startswith("@"):  # @scope/name@version
        _, slash, pkg = pkg.partition("/")
        if not slash:
            return None
    if "/" in pkg or ":" in pkg or pkg.startswith(".") or pkg.endswith((".tgz", ".tar.gz")):
        return None  # a path, URL, git or GitHub shorthand
    version = pkg.partition("@")[2]
    return bool(version) and version not in ("latest", "next") and version[0] not in "^~<>*"


def _npm(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    operands = _getopt(args, {"--prefix", "--registry", "--cache", "--tag", "-w", "--workspace", "--userconfig",
                              "--loglevel", "--location", "--modules-folder", "--cwd"})[1]
    if name == "yarn" and operands[:1] == ["global"]:
        operands = operands[1:]
    if not operands or operands[0] not in _NPM_INSTALL[name]:
        return None
    loose = [pkg for pkg in operands[1:] if _npm_pinned(pkg) is False]
    if not loose:
        return None
    return "npm-unpinned", (f"installs {_names(loose)} without an exact version; pin them "
                            f"({_pin_example(loose[0], '@')}).")


# --------------------------------------------------------------------------- git and downloads

_GIT_VALUE_OPTS = frozenset({
    "-C", "-c", "--git-dir", "--work-tree", "--namespace", "-b", "--branch", "--revision", "--depth", "-o",
    "--origin", "--reference", "--reference-if-able", "--config", "-j", "--jobs", "--shallow-since",
    "--shallow-exclude", "--separate-git-dir", "-u", "--upload-pack", "--template", "--filter", "--server-option",
})


_BRANCHES = frozenset({"main", "master", "develop", "development", "trunk", "head", "HEAD", "-"})


def _basename(path: Word) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] if isinstance(path, str) else ""


def _pins_later(target: str, later: Iterable[_Command]) -> bool:
    """Whether a later command moves the clone in ``target`` to a chosen ref: ``git -C target
    checkout <ref>``, or ``git checkout <ref>`` after ``cd target`` (a branch name is no pin)."""
    inside = False
    for cmd in later:
        if cmd.prog in ("cd", "pushd") and cmd.args:
            inside = _basename(cmd.args[-1]) == target
            continue
        if cmd.prog != "git":
            continue
        opts, operands = _getopt(cmd.args, _GIT_VALUE_OPTS)
        flags = {opt for opt, _ in opts}
        directory = next((value for opt, value in opts if opt == "-C"), None)
        here = _basename(directory) == target if directory is not None else inside
        moves = (operands[:1] == ["checkout"] or (operands[:1] == ["reset"] and "--hard" in flags)
                 or (operands[:1] == ["switch"] and bool(flags & {"--detach", "-d"})))
        ref = operands[1] if len(operands) > 1 else None
        if here and moves and isinstance(ref, str) and ref not in _BRANCHES and not ref.startswith("origin/"):
            return True
    return False


def _git(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    if any(_unknown(word) for word in args):
        return None  # an unknown word could be --branch
    opts, operands = _getopt(args, _GIT_VALUE_OPTS)
    if operands[:1] != ["clone"] or len(operands) < 2:
        return None
    if any(opt in ("-b", "--branch", "--revision") for opt, _ in opts):
        return None
    target = _basename(operands[2]) if len(operands) > 2 else _basename(operands[1]).removesuffix(".git")
    if _pins_later(target, ctx.later):
        return None
    return "git-clone-unpinned", (f"clones {quote(str(operands[1]), marks=False)} at whatever its default branch "
                                  "points to at boot time; "
                                  "clone a tag (--branch v1.2.3) or git checkout a commit after cloning.")


_AWS_VALUE_OPTS = frozenset({"--region", "--profile", "--endpoint-url", "--output", "--exclude", "--include",
                             "--acl", "--sse", "--sse-kms-key-id", "--storage-class", "--expected-size",
                             "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle", "--content-type"})


def _is_imds(url: str) -> bool:
    return "169.254.169.254" in url or "fd00:ec2::254" in url


def _is_latest(url: Word) -> bool:
    """A URL whose path names a moving "latest" release (never the instance metadata service)."""
    if _unknown(url) or "://" not in url or _is_imds(url):
        return False
    path = re.split(r"[?#]", url.split("://", 1)[1].partition("/")[2])[0]
    segments = [segment.lower() for segment in path.split("/") if segment]
    name = segments[-1] if segments else ""
    return "latest" in segments or any(mark in name for mark in ("-latest", "_latest", "latest."))


def _download(name: str, args: List[Word], ctx: _Context) -> Optional[Tuple[str, str]]:
    if name == "aws":
        operands = _getopt(args, _AWS_VALUE_OPTS)[1]
        urls = operands[2:3] if operands[:2] in (["s3", "cp"], ["s3", "sync"]) else []
    else:
        urls = [word for word in args if not _unknown(word) and "://" in word]
    latest = next((url for url in urls if _is_latest(url)), None)
    if latest is None:
        return None
    return "latest-download", (f"downloads {quote(str(latest), marks=False)}, which changes whenever a new release "
                               "is published; "
                               "download a fixed version (or a copy kept in S3) instead.")


_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
_SOURCERS = _SHELLS | {"source", ".", "eval"}  # run a script given as an argument
_PIPE_DETAIL = ("runs whatever the server returns at boot time as a script; download a fixed version "
                "(or a copy kept in S3), check it, and run that file instead.")


def _is_fetch(cmd: _Command) -> bool:
    return cmd.prog in ("curl", "wget") and not any(isinstance(w, str) and _is_imds(w) for w in cmd.args)


def _fetch_subst(word: Word) -> bool:
    """A command string that is the output of a download: "$(curl -fsSL https://...)"."""
    return (isinstance(word, str) and word.lstrip().startswith(("$(curl", "$(wget", "`curl", "`wget"))
            and not _is_imds(word))


def _runs_stdin(cmd: _Command) -> bool:
    """A shell or python reading its script from stdin (bash, bash -s, python3 -)."""
    if cmd.prog not in _SHELLS and cmd.prog != "python":
        return False
    for word in cmd.args:
        if word in ("-s", "-", "--"):
            return True
        if _unknown(word) or not word.startswith("-") or (not word.startswith("--") and word[-1] in "cm"):
            return False  # a script file, -c command or -m module
    return True


def _pipes_to_shell(pipe: List[_Command]) -> bool:
    fetched = False
    for prev, cmd in zip([None] + pipe, pipe):
        if cmd.prog in _SOURCERS and any(map(_fetch_subst, cmd.args)):
            return True  # sh -c "$(curl ...)"
        if cmd.joiner == "<(" and prev is not None and prev.prog in _SOURCERS and _is_fetch(cmd):
            return True  # bash <(curl ...)
        if fetched and cmd.joiner == "|" and _runs_stdin(cmd):
            return True  # curl ... | bash
        fetched = fetched or _is_fetch(cmd)
    return False


# --------------------------------------------------------------------------- analysis


@dataclass
class _Context:
    read_file: Optional[ReadFile]
    later: Iterable[_Command]  # the commands after this one, in script order


_ANALYSERS: Dict[str, Callable[[str, List[Word], _Context], Optional[Tuple[str, str]]]] = {
    "pip": _pip,
    **dict.fromkeys(("yum", "dnf", "apt-get", "apt", "zypper", "amazon-linux-extras"), _os_packages),
    **dict.fromkeys(("conda", "mamba", "micromamba"), _conda),
    **dict.fromkeys(("npm", "yarn", "pnpm"), _npm),
    "git": _git,
    **dict.fromkeys(("curl", "wget", "aws"), _download),
}


def _offence(cmds: List[_Command], kind: str, detail: str) -> Offence:
    text = cmds[0].text
    for cmd in cmds[1:]:
        text += f" <({cmd.text})" if cmd.joiner == "<(" else f" | {cmd.text}"
    text = _clip(text)
    first, last = cmds[0].toks[0], cmds[-1].toks[-1]
    return Offence(first.line, first.col, last.end_line, kind, text, f"`{text}` {detail}")


class _Analyzer:
    """Runs the analysers over pipelines; ``search`` finds commands anywhere in args' words."""

    def __init__(self, read_file: Optional[ReadFile], search: bool = False):
        self.read_file, self.search = read_file, search

    def run(self, pipelines: List[List[_Command]]) -> List[Offence]:
        flat = [cmd for pipe in pipelines for cmd in pipe]
        for cmd in flat:
            start, cmd.prog, cmd.args = _resolve(cmd.words, self.search)
            cmd.toks = cmd.toks[cmd.spans[start]:] if start else cmd.toks
        offences: List[Offence] = []
        done = 0
        for pipe in pipelines:
            if _pipes_to_shell(pipe):
                offences.append(_offence(pipe, "pipe-to-shell", _PIPE_DETAIL))
            else:
                for i, cmd in enumerate(pipe):
                    offences += self._check(cmd, islice(flat, done + i + 1, None))
            done += len(pipe)
        return offences

    def _check(self, cmd: _Command, later: Iterable[_Command]) -> List[Offence]:
        if cmd.prog in _SHELLS:  # bash -c "...": analyse the command string, report at this command
            opts, operands = _getopt(cmd.args, {"-o", "-O"})
            if ("-c", None) not in opts or not operands or not isinstance(operands[0], str):
                return []
            first, last = cmd.toks[0], cmd.toks[-1]
            nested = _Analyzer(self.read_file).run(_split(_shell_tokens(operands[0], locate=False)))
            return [replace(o, line=first.line, column=first.col, end_line=last.end_line) for o in nested]
        analyse = _ANALYSERS.get(cmd.prog or "")
        hit = analyse(cmd.prog, cmd.args, _Context(self.read_file, later)) if analyse else None
        return [_offence([cmd], *hit)] if hit else []


# --------------------------------------------------------------------------- install-script args

_SUBCOMMANDS = frozenset({"install", "i", "add", "create", "clone"})


def _is_invocation(cmd: _Command) -> bool:
    """Whether args hold a real command (``pip install x``), not package names that
    happen to be program names (``["pip", "setuptools", "jq"]`` for an install script)."""
    if cmd.prog not in _ANALYSERS:
        return False
    return cmd.prog in ("curl", "wget", "aws") or any(w in _SUBCOMMANDS for w in cmd.args if isinstance(w, str))


def _spec_pinned(word: str) -> Optional[bool]:
    """A package spec passed to an install script: pinned pip-style (pandas==2.2.2),
    conda/apt-style (numpy=1.26.4), rpm-style (htop-2.2.0) or npm-style (yarn@1.22.22)."""
    if _pip_pinned(word):
        return True
    if re.fullmatch(r"[A-Za-z0-9][\w.+-]*(=[^=]\S*|-\d[\w.+:~-]*|@\d[\w.+-]*)", word):
        return True
    return _pip_pinned(word)

# pip, install, packages, libs, lib, requirements at the start of a word: not "pipeline", "uninstall", "library"
_INSTALLER_NAME = lazy_re(r"(?<![a-z])(pip\d*(?![a-z])|install|packages?|libs?(?![a-z])|requirements?)")
_KEY_VALUE = lazy_re(r"[\w.\-]+=(?!=)")
_PLAIN_VALUE = lazy_re(r"(?i)true|false|yes|no|on|off|v?\d+([._]\d+)*|[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+")


def _names_an_installer(script_name: object) -> bool:
    if not isinstance(script_name, str):
        return False
    return bool(_INSTALLER_NAME.search(script_name.rstrip("/").rsplit("/", 1)[-1].lower()))


def _loose_specs(words: Sequence[Word]) -> List[str]:
    """Words that are package specifiers without an exact pin (flags, values, paths, regions... skipped)."""
    loose: List[str] = []
    after_flag = False
    for word in words:
        flag_value, after_flag = after_flag, False
        if flag_value or _unknown(word):
            continue
        if word.startswith("-"):
            after_flag = "=" not in word
        elif not (_KEY_VALUE.match(word) or "/" in word or _PLAIN_VALUE.fullmatch(word)):
            loose += [word] if _spec_pinned(word) is False else []
    return loose
