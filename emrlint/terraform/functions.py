"""Terraform's built-in functions, evaluated statically.

Every function takes already evaluated arguments (see :mod:`emrlint.values`)
and returns a value, an :class:`Unknown` when the result cannot be worked out,
or raises :class:`EvalError` where Terraform itself would fail.  Unknown
arguments are handled as precisely as Terraform's semantics allow: a known list
with unknown elements keeps its shape, and string functions keep the known
pieces of a partially known string.

``can``/``try`` are not here: the evaluator implements them because they need
unevaluated arguments.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import os
import posixpath
import re
from typing import Any, Callable, Dict, List, Optional, Protocol

from emrlint.jsonpos import DocumentError, load_document, loads_json
from emrlint.lazyre import lazy_re
from emrlint.values import (
    UNKNOWN,
    MAX_STRING,
    MAX_VALUE,
    BudgetExceeded,
    EvalError,
    Unknown,
    concat_parts,
    contains_unknown,
    clamp_number,
    number_from_text,
    sized,
    type_name,
    unknown_from,
)


class FunctionContext(Protocol):
    """What the file system functions need from the evaluator."""

    base_dir: str

    def read_file(self, path: str) -> Any: ...

    def render_template(self, path: str, variables: dict) -> Any: ...

    def file_exists(self, path: str) -> Any: ...

    def fileset(self, path: str, pattern: str) -> Any: ...


FUNCTIONS: Dict[str, Callable[..., Any]] = {}


def call_function(name: str, ctx: Any, args: List[Any]) -> Any:
    """Call the Terraform function ``name``; an unsupported name gives an unknown."""
    fn = FUNCTIONS.get(name)
    return unknown_from(*args) if fn is None else fn(ctx, *args)


def _register(mode: Optional[str] = "top", ctx: bool = False) -> Callable:
    """Register ``fn_<name>`` as the Terraform function ``<name>``.

    ``mode`` says when the result is unknown without calling the function:
    ``"top"`` when an argument is an Unknown, ``"deep"`` when an argument
    contains one anywhere, ``None`` when the function handles unknowns itself.
    The wrapper also checks the number of arguments and turns every error into
    an :class:`EvalError` prefixed with the function name.
    """

    def deco(f: Callable) -> Callable:
        name = f.__name__[3:]
        code = f.__code__
        skip = 1 if ctx else 0
        nmax = None if code.co_flags & 0x04 else code.co_argcount - skip  # 0x04: CO_VARARGS (*args)
        nmin = code.co_argcount - skip - len(f.__defaults__ or ())

        def call(context: Any, *args: Any) -> Any:
            if len(args) < nmin or (nmax is not None and len(args) > nmax):
                want = nmin if nmin == nmax else f"{nmin} to {nmax}" if nmax is not None else f"at least {nmin}"
                raise EvalError(f"{name}: expected {want} arguments, got {len(args)}")
            if (mode == "top" and any(isinstance(a, Unknown) for a in args)) or (
                mode == "deep" and contains_unknown(list(args))
            ):
                return unknown_from(*args)
            try:
                return sized(f(context, *args) if ctx else f(*args))
            except BudgetExceeded:
                raise
            except EvalError as e:
                raise EvalError(f"{name}: {e}") from None
            except Exception as e:  # noqa: BLE001 - any failure is an evaluation error
                raise EvalError(f"{name}: {e}") from e

        FUNCTIONS[name] = call
        return f

    return deco


# --- argument conversion (Terraform converts primitives automatically) -------


def _fmt_num(n: Any) -> str:
    """A number as Terraform prints it: no exponent, no trailing ``.0``."""
    n = _norm(n)
    if isinstance(n, int):
        return str(n)
    r = repr(n)
    if "e" not in r:
        return r
    from decimal import Decimal  # imported when needed: a scan rarely formats such a number

    return format(Decimal(r), "f")


def _norm(n: Any) -> Any:
    if isinstance(n, float):
        if n != n:
            raise EvalError("the result is not a number")
        return int(n) if n.is_integer() else n
    return clamp_number(n)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


_NUMBER = lazy_re(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z", re.ASCII)


def _s(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if _is_num(v):
        return _fmt_num(v)
    raise EvalError(f"expected a string, got {type_name(v)}")


def _n(v: Any) -> Any:
    if _is_num(v):
        return v
    if isinstance(v, str):
        if not _NUMBER.match(v):
            raise EvalError(f"cannot convert {v!r} to a number")
        return number_from_text(v) if v.lstrip("+-").isdigit() else _norm(float(v))
    raise EvalError(f"expected a number, got {type_name(v)}")


def _i(v: Any) -> int:
    n = _n(v)
    if isinstance(n, float):
        raise EvalError(f"expected a whole number, got {_fmt_num(n)}")
    return n


def _b(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if v in ("true", "false"):
        return v == "true"
    raise EvalError(f"expected a bool, got {type_name(v)}")


def _l(v: Any) -> list:
    if isinstance(v, list):
        return v
    raise EvalError(f"expected a list, got {type_name(v)}")


def _m(v: Any) -> dict:
    if isinstance(v, dict):
        return v
    raise EvalError(f"expected a map or object, got {type_name(v)}")


def _key(v: Any) -> Any:
    """A hashable, type-aware identity for a known value (``1`` differs from ``true``)."""
    if isinstance(v, bool):
        return ("b", v)
    if _is_num(v):
        return ("n", v)
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, list):
        return ("l",) + tuple(map(_key, v))
    if isinstance(v, dict):
        return ("m",) + tuple(sorted((k, _key(x)) for k, x in v.items()))
    return ("z",)


def _unify(items: list) -> list:
    """Terraform's element type unification for primitives: strings win."""
    known = [x for x in items if not isinstance(x, Unknown) and x is not None]
    if any(isinstance(x, str) for x in known) and all(isinstance(x, (str, int, float)) for x in known):
        return [x if x is None or isinstance(x, (str, Unknown)) else _s(x) for x in items]
    return items


def _dedupe(items: list) -> list:
    """First occurrences of known values; elements containing unknowns are kept."""
    seen: set = set()
    out = []
    for x in items:
        if not contains_unknown(x):
            k = _key(x)
            if k in seen:
                continue
            seen.add(k)
        out.append(x)
    return out


def _set(items: list) -> list:
    """A set as a list: deduplicated, sorted when its known elements are strings or numbers."""
    items = _dedupe(_unify(items))
    known = [x for x in items if not contains_unknown(x)]
    if all(isinstance(x, str) for x in known) or all(_is_num(x) for x in known):
        return sorted(known) + [x for x in items if contains_unknown(x)]
    return items


# --- numeric -------------------------------------------------------------------


@_register()
def fn_abs(n: Any) -> Any:
    return abs(_n(n))


@_register()
def fn_ceil(n: Any) -> Any:
    return math.ceil(_n(n))


@_register()
def fn_floor(n: Any) -> Any:
    return math.floor(_n(n))


@_register()
def fn_log(n: Any, base: Any) -> Any:
    return _norm(math.log(_n(n), _n(base)))


@_register()
def fn_max(*nums: Any) -> Any:
    if not nums:
        raise EvalError("at least one number is required")
    return max(_n(x) for x in nums)


@_register()
def fn_min(*nums: Any) -> Any:
    if not nums:
        raise EvalError("at least one number is required")
    return min(_n(x) for x in nums)


def _inf(negative: bool) -> float:
    return float("-inf") if negative else float("inf")


@_register()
def fn_pow(a: Any, b: Any) -> Any:
    a, b = _n(a), _n(b)
    if isinstance(a, int) and isinstance(b, int) and b >= 0:
        if abs(a) > 1 and b * (abs(a).bit_length() - 1) > 1100:  # beyond a float: never computed
            return _inf(a < 0 and b % 2 == 1)
        return _norm(a**b)
    try:
        return _norm(math.pow(a, b))
    except OverflowError:
        return _inf(a < 0 and float(b).is_integer() and int(b) % 2 == 1)


@_register()
def fn_signum(n: Any) -> int:
    n = _n(n)
    return (n > 0) - (n < 0)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


@_register()
def fn_parseint(s: Any, base: Any) -> int:
    s, base = _s(s), _i(base)
    if not 2 <= base <= 62:
        raise EvalError(f"base must be between 2 and 62, got {base}")
    body = s[1:] if s[:1] in ("+", "-") else s
    digits = [_DIGITS.find(ch.lower() if base <= 36 else ch) for ch in body]
    if not digits or not all(0 <= d < base for d in digits):
        raise EvalError(f"cannot parse {s!r} as a base {base} integer")
    digits = digits[next((i for i, d in enumerate(digits) if d), len(digits) - 1):]  # no leading zeros
    if len(digits) * math.log2(base) > 1100:  # beyond a float: never computed
        return _inf(s.startswith("-"))
    value = 0
    for d in digits:
        value = value * base + d
    return -value if s.startswith("-") else value


@_register(mode="deep")
def fn_sum(lst: Any) -> Any:
    nums = [_n(x) for x in _l(lst)]
    if not nums:
        raise EvalError("cannot sum an empty list")
    return _norm(sum(nums))


@_register()
def fn_range(*args: Any) -> list:
    if not 1 <= len(args) <= 3:
        raise EvalError("expected one, two or three arguments")
    nums = [_n(a) for a in args]
    if len(nums) == 1:
        nums.insert(0, 0)
    start, end = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else (-1 if end < start else 1)
    if step == 0:
        raise EvalError("step must not be zero")
    if (step < 0 and end > start) or (step > 0 and end < start):
        raise EvalError("step moves away from the end of the range")
    out = []
    n = start
    while (n < end) if step > 0 else (n > end):
        if len(out) >= 1024:
            raise EvalError("more than 1024 values were generated")
        out.append(_norm(n))
        n += step
    return out


# --- strings ---------------------------------------------------------------------


def _on_text(s: Any, op: Callable[[str], str]) -> Any:
    """Apply ``op`` to a string, or to each known piece of a partially known one."""
    if not isinstance(s, Unknown):
        return op(_s(s))
    if not s.parts:
        return unknown_from(s)
    return concat_parts([Unknown(s.refs, tuple(op(p) if isinstance(p, str) else p for p in s.parts))])


def _on_edges(s: Any, left: Callable[[str], str], right: Callable[[str], str]) -> Any:
    """Apply ``left``/``right`` to the start/end of a (partially known) string."""
    if not isinstance(s, Unknown):
        return right(left(_s(s)))
    if not s.parts:
        return unknown_from(s)
    parts = list(s.parts)
    if isinstance(parts[0], str):
        parts[0] = left(parts[0])
    if isinstance(parts[-1], str):
        parts[-1] = right(parts[-1])
    return concat_parts([Unknown(s.refs, tuple(parts))])


def _keep(t: str) -> str:
    return t


def _title(s: str) -> str:
    return re.sub(r"(?<!\w)\w", lambda m: m.group().upper(), s)


def _chomp(s: str) -> str:
    return re.sub(r"(?:\r\n?|\n)*\Z", "", s)


@_register(mode=None)
def fn_lower(s: Any) -> Any:
    return _on_text(s, str.lower)


@_register(mode=None)
def fn_upper(s: Any) -> Any:
    return _on_text(s, str.upper)


@_register(mode=None)
def fn_title(s: Any) -> Any:
    return _on_text(s, _title)


@_register(mode=None)
def fn_trimspace(s: Any) -> Any:
    return _on_edges(s, str.lstrip, str.rstrip)


@_register(mode=None)
def fn_chomp(s: Any) -> Any:
    return _on_edges(s, _keep, _chomp)


@_register(mode=None)
def fn_indent(spaces: Any, s: Any) -> Any:
    if isinstance(spaces, Unknown):
        return unknown_from(spaces, s)
    n = _i(spaces)
    text = s.known_text() if isinstance(s, Unknown) else _s(s)
    if n > 0 and n * text.count("\n") + len(text) > MAX_STRING:
        return unknown_from(s)
    pad = "\n" + " " * n
    return _on_text(s, lambda t: t.replace("\n", pad))


def _affix(s: Any, affix: str, end: bool) -> Optional[bool]:
    """Whether ``s`` (possibly partially known) starts/ends with ``affix``; None if unknown."""
    has = str.endswith if end else str.startswith
    if not isinstance(s, Unknown):
        return has(s, affix)
    edge = s.parts[-1 if end else 0] if s.parts else None
    if not isinstance(edge, str):
        return None
    return True if has(edge, affix) else None if has(affix, edge) else False


def _affix_fn(s: Any, affix: Any, end: bool, trim: bool) -> Any:
    if isinstance(affix, Unknown):
        return unknown_from(s, affix)
    affix = _s(affix)
    if not isinstance(s, Unknown):
        s = _s(s)
    found = _affix(s, affix, end)
    if found is None:
        return unknown_from(s)
    if not trim:
        return found
    if not found or not affix:
        return s
    cut = (lambda t: t[: -len(affix)]) if end else (lambda t: t[len(affix):])
    return _on_edges(s, _keep, cut) if end else _on_edges(s, cut, _keep)


@_register(mode=None)
def fn_startswith(s: Any, prefix: Any) -> Any:
    return _affix_fn(s, prefix, end=False, trim=False)


@_register(mode=None)
def fn_endswith(s: Any, suffix: Any) -> Any:
    return _affix_fn(s, suffix, end=True, trim=False)


@_register(mode=None)
def fn_trimprefix(s: Any, prefix: Any) -> Any:
    return _affix_fn(s, prefix, end=False, trim=True)


@_register(mode=None)
def fn_trimsuffix(s: Any, suffix: Any) -> Any:
    return _affix_fn(s, suffix, end=True, trim=True)


@_register(mode=None)
def fn_strcontains(s: Any, sub: Any) -> Any:
    if isinstance(sub, Unknown) or (isinstance(s, Unknown) and not s.parts):
        return unknown_from(s, sub)
    sub = _s(sub)
    if not isinstance(s, Unknown):
        return sub in _s(s)
    return True if any(isinstance(p, str) and sub in p for p in s.parts) else unknown_from(s)


@_register(mode=None)
def fn_join(sep: Any, *lists: Any) -> Any:
    if not lists:
        raise EvalError("at least one list is required")
    if any(isinstance(a, Unknown) for a in (sep,) + lists):
        return unknown_from(sep, *lists)
    sep = _s(sep)
    pieces: list = []
    for item in (x for lst in lists for x in _l(lst)):
        if pieces:
            pieces.append(sep)
        pieces.append(item if isinstance(item, Unknown) else _s(item))
    return concat_parts(pieces)


@_register()
def fn_split(sep: Any, s: Any) -> list:
    sep, s = _s(sep), _s(s)
    return s.split(sep) if sep else list(s)


@_register()
def fn_strrev(s: Any) -> str:
    return _s(s)[::-1]


@_register()
def fn_substr(s: Any, offset: Any, length: Any) -> str:
    s, offset, length = _s(s), _i(offset), _i(length)
    if offset < 0:
        offset = max(0, offset + len(s))
    return s[offset:] if length < 0 else s[offset : offset + length]


@_register()
def fn_trim(s: Any, cutset: Any) -> str:
    return _s(s).strip(_s(cutset))


_GO_TEMPLATE = lazy_re(r"\$(?:(\$)|\{(\w+)\}|(\w+))")
MAX_PATTERN = 1000  # characters of a regular expression
MAX_REGEX_WORK = 200_000_000  # text length x pattern length: RE2's worst case is their product
MAX_MATCHES = 100_000  # matches regexall() and replace() work through


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False  # never write to the user's terminal
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def _regexp(pattern: str, text: str) -> Any:
    """Compile a Terraform (RE2 syntax) pattern with RE2 itself: matching takes time linear
    in the text, never catastrophic backtracking.  None when the pattern is too large for
    the text, or RE2 cannot read it (the value is then unknown)."""
    if re.search(r"\(\?<?[=!]|\\[1-9]", pattern.replace("\\\\", "")):
        raise EvalError("invalid regexp pattern: lookarounds and backreferences are not supported")
    if len(pattern) > MAX_PATTERN or len(pattern) * max(len(text), 1) > MAX_REGEX_WORK:
        return None
    return _compile(pattern)


def _captures(m: Any) -> Any:
    names = m.re.groupindex
    if not m.re.groups:
        return m.group()
    if not names:
        return list(m.groups())
    if len(names) != m.re.groups:
        raise EvalError("invalid regexp pattern: cannot mix both named and unnamed capture groups")
    return {name: m.group(name) for name in names}


def _matches(rx: Any, text: str) -> Optional[list]:
    """Every match of ``rx`` in ``text``, or None when there are more than MAX_MATCHES."""
    found = []
    for m in rx.finditer(text):
        if len(found) >= MAX_MATCHES:
            return None
        found.append(m)
    return found


@_register()
def fn_regex(pattern: Any, s: Any) -> Any:
    s = _s(s)
    rx = _regexp(_s(pattern), s)
    if rx is None:
        return UNKNOWN
    m = rx.search(s)
    if m is None:
        raise EvalError("pattern did not match any part of the given string")
    return _captures(m)


@_register()
def fn_regexall(pattern: Any, s: Any) -> Any:
    s = _s(s)
    rx = _regexp(_s(pattern), s)
    found = _matches(rx, s) if rx is not None else None
    return UNKNOWN if found is None else [_captures(m) for m in found]


def _expand(m: Any, template: str) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``."""

    def sub(t: "re.Match[str]") -> str:
        if t.group(1):
            return "$"
        name = t.group(2) or t.group(3)
        try:
            return m.group(int(name) if name.isdigit() else name) or ""
        except (IndexError, ValueError, KeyError):
            return ""

    return _GO_TEMPLATE.sub(sub, template)


@_register()
def fn_replace(s: Any, search: Any, replacement: Any) -> Any:
    s, search, replacement = _s(s), _s(search), _s(replacement)
    if len(search) > 1 and search[0] == search[-1] == "/":
        rx = _regexp(search[1:-1], s)
        found = _matches(rx, s) if rx is not None else None
        if found is None:
            return UNKNOWN
        pieces, pos = [], 0
        for m in found:
            pieces += [s[pos:m.start()], _expand(m, replacement)]
            pos = m.end()
        pieces.append(s[pos:])
        return concat_parts(pieces)
    n = s.count(search) if search else len(s) + 1
    if len(s) + n * (len(replacement) - len(search)) > MAX_STRING:
        return UNKNOWN
    return s.replace(search, replacement)


# --- format ----------------------------------------------------------------------

_FMT_TOKEN = lazy_re(r"[^%]+|%%|%([-+# 0]*)(?:\[([1-9]\d*)\])?([1-9]\d*)?(?:\.(\d*))?([A-Za-z])|%")


def _fmt_g(n: Any) -> str:
    """Go's shortest ``%g`` (exponent form from 1e6 up and below 1e-4)."""
    from decimal import Decimal

    sign, digits, exp = Decimal(repr(n) if isinstance(n, float) else n).normalize().as_tuple()
    x = len(digits) + int(exp) - 1
    if -4 <= x < 6:
        return _fmt_num(n)
    text = "".join(map(str, digits))
    mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mant}e{'+' if x >= 0 else '-'}{abs(x):02d}"


def _pad(text: str, flags: str, width: Optional[int]) -> str:
    if not width or len(text) >= width:
        return text
    fill = ("0" if "0" in flags else " ") * (width - len(text))
    return text + fill if "-" in flags else fill + text


def _format_one(verb: str, flags: str, width: Optional[int], prec: Optional[str], arg: Any) -> Any:
    if (width or 0) > MAX_STRING or (prec and len(prec) > 7):  # format("%0999999999d", 1)
        return unknown_from(arg)
    if isinstance(arg, Unknown):
        return arg if verb in "sv" and not width and prec is None else unknown_from(arg)
    if arg is None and verb != "v":
        raise EvalError(f"null value cannot be formatted with %{verb}")
    if verb == "v":
        text = arg if isinstance(arg, str) and "#" not in flags else (
            _fmt_g(arg) if _is_num(arg) and "#" not in flags else _json(arg)
        )
        if isinstance(text, Unknown):
            return unknown_from(arg) if width else text
    elif verb == "t":
        text = "true" if _b(arg) else "false"
    elif verb in "sq":
        text = _s(arg)
        if prec and int(prec) > 0:
            text = text[: int(prec)]
        if verb == "q":
            text = _json_str(text)
    elif verb in "bdoxXeEfgG":
        n = _n(arg)
        if verb in "bdoxX":
            if isinstance(n, float):
                raise EvalError(f"an integer is required for %{verb}, got {_fmt_num(n)}")
        elif verb in "gG" and prec is None:
            text = _fmt_g(n)
            return _pad(text.upper() if verb == "G" else text, flags, width)
        spec = (
            ("<" if "-" in flags else "")
            + ("+" if "+" in flags else " " if " " in flags else "")
            + ("#" if "#" in flags else "")
            + ("0" if "0" in flags and "-" not in flags else "")
            + (str(width) if width else "")
            + ("." + (prec or "0") if prec is not None else "")
        )
        return format(n, spec + verb)
    else:
        raise EvalError(f"unsupported format verb %{verb}")
    return _pad(text, flags, width)


def _format(spec: str, args: list) -> Any:
    pieces: list = []
    nxt = used = 0
    for m in _FMT_TOKEN.finditer(spec):
        tok = m.group()
        if tok == "%%":
            pieces.append("%")
        elif tok[0] != "%":
            pieces.append(tok)
        elif m.group(5) is None:
            raise EvalError(f"invalid format string starting at offset {m.start()}")
        else:
            flags, idx, width, prec, verb = m.groups()
            nxt = int(idx) - 1 if idx else nxt
            if nxt >= len(args):
                raise EvalError(f"not enough arguments for {tok!r} at {m.start()}")
            pieces.append(_format_one(verb, flags, int(width) if width else None, prec, args[nxt]))
            nxt += 1
            used = max(used, nxt)
    if used < len(args):
        raise EvalError(f"too many arguments; only {used} used by format string")
    return concat_parts(pieces)


@_register(mode=None)
def fn_format(spec: Any, *args: Any) -> Any:
    if isinstance(spec, Unknown):
        return unknown_from(spec, *args)
    return _format(_s(spec), list(args))


@_register(mode=None)
def fn_formatlist(spec: Any, *args: Any) -> Any:
    if isinstance(spec, Unknown) or any(isinstance(a, Unknown) for a in args):
        return unknown_from(spec, *args)
    spec = _s(spec)
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise EvalError("all list arguments must have the same length")
    count = lengths.pop() if lengths else 1
    return [_format(spec, [a[i] if isinstance(a, list) else a for a in args]) for i in range(count)]


# --- collections -------------------------------------------------------------------


@_register()
def fn_length(v: Any) -> int:
    if isinstance(v, (str, list, dict)):
        return len(v)
    raise EvalError(f"expected a string, collection or structure, got {type_name(v)}")


@_register()
def fn_alltrue(lst: Any) -> Any:
    vals = [x if isinstance(x, Unknown) or x is None else _b(x) for x in _l(lst)]
    if any(v is False or v is None for v in vals):
        return False
    return unknown_from(lst) if any(isinstance(v, Unknown) for v in vals) else True


@_register()
def fn_anytrue(lst: Any) -> Any:
    vals = [x if isinstance(x, Unknown) or x is None else _b(x) for x in _l(lst)]
    if any(v is True for v in vals):
        return True
    return unknown_from(lst) if any(isinstance(v, Unknown) for v in vals) else False


@_register()
def fn_chunklist(lst: Any, size: Any) -> list:
    lst, size = _l(lst), _i(size)
    if size < 0:
        raise EvalError("the size argument must be positive")
    if size == 0:
        return [lst]
    return [lst[i : i + size] for i in range(0, len(lst), size)]


@_register(mode=None)
def fn_coalesce(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            # a partially known string with known text is certainly not empty
            return a if a.known_text() else unknown_from(*args)
        if a is not None and a != "":
            return a
    raise EvalError("no non-null, non-empty-string arguments")


@_register(mode=None)
def fn_coalescelist(*args: Any) -> Any:
    for a in args:
        if isinstance(a, Unknown):
            return unknown_from(*args)
        if _l(a):
            return a
    raise EvalError("no non-empty list arguments")


@_register()
def fn_compact(lst: Any) -> list:
    return [x if isinstance(x, Unknown) else _s(x) for x in _l(lst) if x is not None and x != ""]


@_register()
def fn_concat(*lists: Any) -> list:
    if not lists:
        raise EvalError("at least one argument is required")
    return [x for lst in lists for x in _l(lst)]


@_register()
def fn_contains(lst: Any, value: Any) -> Any:
    if contains_unknown(value):
        return unknown_from(lst, value)
    k = _key(value)
    maybe = False
    for x in _l(lst):
        if contains_unknown(x):
            maybe = True
        elif _key(x) == k:
            return True
    return unknown_from(lst) if maybe else False


@_register()
def fn_index(lst: Any, value: Any) -> Any:
    if contains_unknown(value):
        return unknown_from(lst, value)
    k = _key(value)
    for i, x in enumerate(_l(lst)):
        if contains_unknown(x):
            return unknown_from(lst)
        if _key(x) == k:
            return i
    raise EvalError("item not found")


@_register()
def fn_distinct(lst: Any) -> list:
    return _dedupe(_l(lst))


@_register()
def fn_element(lst: Any, index: Any) -> Any:
    lst, index = _l(lst), _i(index)
    if not lst:
        raise EvalError("cannot use element function with an empty list")
    return lst[index % len(lst)]


def _flatten(items: list, out: list) -> list:
    for x in items:
        if isinstance(x, list):
            _flatten(x, out)
        else:
            out.append(x)
    return out


@_register()
def fn_flatten(lst: Any) -> list:
    return _flatten(_l(lst), [])


@_register()
def fn_keys(m: Any) -> list:
    return sorted(_m(m))


@_register()
def fn_values(m: Any) -> list:
    m = _m(m)
    return [m[k] for k in sorted(m)]


_MISSING = object()


@_register(mode=None)
def fn_lookup(m: Any, key: Any, default: Any = _MISSING) -> Any:
    if isinstance(m, Unknown) or isinstance(key, Unknown):
        return unknown_from(m, key)
    m, key = _m(m), _s(key)
    if key in m:
        return m[key]
    if default is _MISSING:
        raise EvalError(f"the given key {key!r} does not exist in the map")
    return default


@_register()
def fn_matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    if contains_unknown([keys, searchset]):
        return unknown_from(values, keys, searchset)
    values, keys = _l(values), _l(keys)
    if len(values) != len(keys):
        raise EvalError("length of keys and values should be equal")
    wanted = {_key(x) for x in _l(searchset)}
    return [v for v, k in zip(values, keys) if _key(k) in wanted]


@_register()
def fn_merge(*maps: Any) -> dict:
    out: dict = {}
    for m in maps:
        if m is not None:
            out.update(_m(m))
    return out


@_register()
def fn_one(lst: Any) -> Any:
    lst = _l(lst)
    if len(lst) > 1:
        raise EvalError(f"must be a list with either zero or one elements, got {len(lst)}")
    return lst[0] if lst else None


@_register()
def fn_reverse(lst: Any) -> list:
    return _l(lst)[::-1]


@_register(mode="deep")
def fn_setintersection(first: Any, *others: Any) -> list:
    keys = [{_key(x) for x in _l(s)} for s in others]
    return _set([x for x in _l(first) if all(_key(x) in k for k in keys)])


@_register()
def fn_setproduct(*sets: Any) -> list:
    if len(sets) < 2:
        raise EvalError("at least two arguments are required")
    lists = [_l(s) for s in sets]
    if math.prod(len(x) for x in lists) * len(lists) > MAX_VALUE:
        raise BudgetExceeded("setproduct result too large")
    return [list(t) for t in itertools.product(*lists)]


@_register(mode="deep")
def fn_setsubtract(a: Any, b: Any) -> list:
    drop = {_key(x) for x in _l(b)}
    return _set([x for x in _l(a) if _key(x) not in drop])


@_register(mode="deep")
def fn_setunion(first: Any, *others: Any) -> list:
    return _set([x for s in (first,) + others for x in _l(s)])


@_register()
def fn_slice(lst: Any, start: Any, end: Any) -> list:
    lst, start, end = _l(lst), _i(start), _i(end)
    if start < 0 or end > len(lst) or start > end:
        raise EvalError(f"invalid slice [{start}:{end}] of a list of {len(lst)} elements")
    return lst[start:end]


@_register(mode="deep")
def fn_sort(lst: Any) -> list:
    return sorted(_s(x) for x in _l(lst))


@_register(mode="deep")
def fn_transpose(m: Any) -> dict:
    out: Dict[str, list] = {}
    for k, lst in sorted(_m(m).items()):
        for v in _l(lst):
            out.setdefault(_s(v), []).append(k)
    return out


@_register()
def fn_zipmap(keys: Any, values: Any) -> Any:
    if contains_unknown(keys):
        return unknown_from(keys, values)
    keys, values = _l(keys), _l(values)
    if len(keys) != len(values):
        raise EvalError(f"{len(keys)} keys but {len(values)} values")
    return {_s(k): v for k, v in zip(keys, values)}


# --- encoding ----------------------------------------------------------------------

_JSON_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def _json_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False).translate(_JSON_ESCAPES)


def _json_into(v: Any, out: list) -> None:
    if isinstance(v, Unknown):
        if not v.parts:
            out.append(v)  # stands for a whole JSON value
        else:  # a partially known string: its unknown pieces sit inside the JSON string
            escaped = tuple(_json_str(p)[1:-1] if isinstance(p, str) else p for p in v.parts)
            out.extend(('"', Unknown(v.refs, escaped), '"'))
    elif v is None:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif _is_num(v):
        if not math.isfinite(v):
            raise EvalError(f"cannot encode {v} as JSON")
        out.append(_fmt_num(v))
    elif isinstance(v, str):
        out.append(_json_str(v))
    elif isinstance(v, list):
        out.append("[")
        for i, x in enumerate(v):
            out.append("," if i else "")
            _json_into(x, out)
        out.append("]")
    elif isinstance(v, dict):
        out.append("{")
        for i, k in enumerate(sorted(v)):
            out.append(("," if i else "") + _json_str(k) + ":")
            _json_into(v[k], out)
        out.append("}")
    else:
        raise EvalError(f"cannot encode {type_name(v)} as JSON")


def _json(v: Any) -> Any:
    """Terraform's ``jsonencode``: a str, or a partial Unknown around unknown values."""
    out: list = []
    _json_into(v, out)
    return concat_parts(out)


@_register(mode=None)
def fn_jsonencode(v: Any) -> Any:
    return unknown_from(v) if isinstance(v, Unknown) and not v.parts else _json(v)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def _json_loads(text: str) -> Any:
    return loads_json(text, parse_float=lambda s: _norm(float(s)), parse_constant=_reject_constant)


_SENTINEL = lazy_re("\x00[UV](\\d+)\x00")


def _in_json_string(text: str, inside: bool) -> bool:
    """Whether a JSON scan that started inside/outside a string ends inside one."""
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and inside:
            escaped = True
        elif ch == '"':
            inside = not inside
    return inside


def _resolve_sentinels(v: Any, subs: list) -> Any:
    if isinstance(v, str):
        if "\x00" not in v:
            return v
        bits = _SENTINEL.split(v)
        if len(bits) == 3 and bits[0] == bits[2] == "":
            return subs[int(bits[1])]
        return concat_parts(b if i % 2 == 0 else subs[int(b)] for i, b in enumerate(bits))
    if isinstance(v, list):
        return [_resolve_sentinels(x, subs) for x in v]
    if isinstance(v, dict):
        if any("\x00" in k for k in v):
            raise ValueError("an object key is unknown")
        return {k: _resolve_sentinels(x, subs) for k, x in v.items()}
    return v


def _jsondecode_partial(text: Unknown) -> Any:
    """Decode a partially known JSON string, keeping unknown pieces as unknown values."""
    chunks: list = []
    subs: list = []
    inside = False
    for p in text.parts:
        if isinstance(p, str):
            chunks.append(p)
            inside = _in_json_string(p, inside)
        else:
            n = len(subs)
            chunks.append(f"\\u0000U{n}\\u0000" if inside else f'"\\u0000V{n}\\u0000"')
            subs.append(p)
    try:
        return _resolve_sentinels(_json_loads("".join(chunks)), subs)
    except (ValueError, IndexError):
        return unknown_from(text)


@_register(mode=None)
def fn_jsondecode(text: Any) -> Any:
    if isinstance(text, Unknown):
        return _jsondecode_partial(text) if text.parts else unknown_from(text)
    return _json_loads(_s(text))


def _from_yaml(v: Any) -> Any:
    if isinstance(v, dict):
        return {_s(k): _from_yaml(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_from_yaml(x) for x in v]
    if v is None or isinstance(v, bool):
        return v
    if isinstance(v, str):
        return str(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return _norm(float(v))
    return str(getattr(v, "value", v))  # timestamps and other tagged scalars


@_register()
def fn_yamldecode(text: Any) -> Any:
    try:  # the loader of scanned YAML files, with its alias and nesting budgets
        return _from_yaml(load_document(_s(text), "YAML"))
    except DocumentError as e:
        raise EvalError(e.message) from None


@_register()
def fn_base64encode(s: Any) -> str:
    import base64

    return base64.b64encode(_s(s).encode()).decode("ascii")


@_register()
def fn_base64decode(s: Any) -> str:
    import base64

    return base64.b64decode(_s(s), validate=True).decode("utf-8")


@_register()
def fn_csvdecode(s: Any) -> list:
    import csv
    import io

    rows = [r for r in csv.reader(io.StringIO(_s(s), newline=""), strict=True) if r]
    if not rows:
        raise EvalError("missing header line")
    header = rows[0]
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            raise EvalError(f"record {n}: wrong number of fields")
    return [dict(zip(header, row)) for row in rows[1:]]


@_register()
def fn_urlencode(s: Any) -> str:
    import urllib.parse

    return urllib.parse.quote_plus(_s(s), safe="")


def _hasher(algo: str, b64: bool) -> Callable[[Any], str]:
    def digest(s: Any) -> str:
        import base64
        import hashlib

        h = hashlib.new(algo, _s(s).encode())
        return base64.b64encode(h.digest()).decode("ascii") if b64 else h.hexdigest()

    digest.__name__ = "fn_" + ("base64" if b64 else "") + algo
    return digest


for _algo, _b64 in (
    ("md5", False), ("sha1", False), ("sha256", False), ("sha512", False), ("sha256", True), ("sha512", True)
):
    _register()(_hasher(_algo, _b64))


# --- file system ---------------------------------------------------------------------


@_register(ctx=True)
def fn_file(ctx: FunctionContext, path: Any) -> Any:
    return ctx.read_file(_s(path))


@_register(ctx=True)
def fn_fileexists(ctx: FunctionContext, path: Any) -> Any:
    return ctx.file_exists(_s(path))


@_register(ctx=True)
def fn_fileset(ctx: FunctionContext, path: Any, pattern: Any) -> Any:
    return ctx.fileset(_s(path), _s(pattern))


@_register(ctx=True)
def fn_templatefile(ctx: FunctionContext, path: Any, variables: Any) -> Any:
    return ctx.render_template(_s(path), _m(variables))


@_register(ctx=True)
def fn_abspath(ctx: FunctionContext, path: Any) -> str:
    return os.path.abspath(os.path.join(ctx.base_dir, _s(path))).replace(os.sep, "/")


@_register()
def fn_dirname(path: Any) -> str:
    return posixpath.normpath(posixpath.dirname(_s(path)))


@_register()
def fn_basename(path: Any) -> str:
    path = _s(path)
    stripped = path.rstrip("/")
    return posixpath.basename(stripped) if stripped else ("/" if path else ".")


@_register()
def fn_pathexpand(path: Any) -> Any:
    path = _s(path)
    return UNKNOWN if path.startswith("~") else path  # the home directory is not static


# --- type conversion -------------------------------------------------------------------


@_register()
def fn_tobool(v: Any) -> Any:
    return None if v is None else _b(v)


@_register()
def fn_tonumber(v: Any) -> Any:
    return None if v is None else _n(v)


@_register(mode=None)
def fn_tostring(v: Any) -> Any:
    return v if v is None or isinstance(v, Unknown) else _s(v)


@_register(mode=None)
def fn_tolist(v: Any) -> Any:
    return v if v is None or isinstance(v, Unknown) else _unify(_l(v))


@_register(mode=None)
def fn_toset(v: Any) -> Any:
    return v if v is None or isinstance(v, Unknown) else _set(_l(v))


@_register(mode=None)
def fn_tomap(v: Any) -> Any:
    if v is None or isinstance(v, Unknown):
        return v
    v = _m(v)
    return dict(zip(v, _unify(list(v.values()))))


@_register(mode=None)
def fn_sensitive(v: Any) -> Any:
    return v


@_register(mode=None)
def fn_nonsensitive(v: Any) -> Any:
    return v


# --- networking ----------------------------------------------------------------------------


def _network(prefix: Any) -> Any:
    import ipaddress

    try:
        return ipaddress.ip_network(_s(prefix), strict=False)
    except ValueError as e:
        raise EvalError(f"invalid CIDR expression: {e}") from None


@_register()
def fn_cidrhost(prefix: Any, hostnum: Any) -> str:
    net, num = _network(prefix), _i(hostnum)
    size = net.num_addresses
    if not -size <= num < size:
        raise EvalError(f"prefix of {net.prefixlen} does not accommodate a host numbered {num}")
    return str(net.network_address + (num % size))


@_register()
def fn_cidrnetmask(prefix: Any) -> str:
    net = _network(prefix)
    if net.version != 4:
        raise EvalError("only IPv4 networks are supported")
    return str(net.netmask)


@_register()
def fn_cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    net, bits, num = _network(prefix), _i(newbits), _i(netnum)
    length = net.prefixlen + bits
    if bits < 0 or length > net.max_prefixlen:
        raise EvalError(f"insufficient address space to extend prefix of {net.prefixlen} by {bits}")
    if not 0 <= num < 1 << bits:
        raise EvalError(f"prefix extension of {bits} does not accommodate a subnet numbered {num}")
    return f"{net.network_address + (num << (net.max_prefixlen - length))}/{length}"


@_register()
def fn_cidrsubnets(prefix: Any, *newbits: Any) -> list:
    net = _network(prefix)
    base, last = int(net.network_address), int(net.broadcast_address)
    current_end = base - 1  # allocation proceeds after the end of the previous subnet
    out = []
    for nb in newbits:
        bits = _i(nb)
        length = net.prefixlen + bits
        if bits < 1 or length > net.max_prefixlen:
            raise EvalError(f"cannot extend prefix of {net.prefixlen} by {bits} bits")
        size = 1 << (net.max_prefixlen - length)
        start = (current_end // size + 1) * size
        if start + size - 1 > last:
            raise EvalError(f"not enough remaining address space for a subnet with a prefix of {length} bits")
        current_end = start + size - 1
        out.append(f"{net.network_address + (start - base)}/{length}")
    return out


# --- functions whose result is never static ---------------------------------------------

for _name in (
    "bcrypt", "formatdate", "plantimestamp", "timeadd", "timecmp", "timestamp", "uuid", "uuidv5",
    "filebase64", "filebase64sha256", "filebase64sha512", "filemd5", "filesha1", "filesha256",
    "filesha512", "base64gzip", "textencodebase64", "textdecodebase64", "rsadecrypt",
    "type", "yamlencode", "list", "map",
):
    FUNCTIONS[_name] = lambda ctx, *args: unknown_from(*args)
