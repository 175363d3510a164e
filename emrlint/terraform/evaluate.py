"""Static evaluation of HCL expressions (emrlint's syntax tree, :mod:`emrlint.terraform.syntax`).

``evaluate(node, scope)`` returns a plain Python value or an
:class:`~emrlint.values.Unknown`.  Name resolution (``var``, ``local``,
``module``, resources...) is delegated to the scope's module instance through
:class:`Lazy` objects, so only what an expression actually references is
evaluated.  ``origin(node, scope)`` answers the other question rules ask: where
was the value of this expression *written* (the literal in a variable default,
the module input at a call site, the tfvars line...).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from emrlint.findings import CallSite, Loc
from emrlint.terraform import functions
from emrlint.terraform.hcl import heredoc_text, node_loc
from emrlint.terraform.syntax import Node
from emrlint.terraform.templates import For, If, Interp, Lit, TemplateSyntaxError, parse_raw, parse_string_tree
from emrlint.textmap import MappedText, line_locator
from emrlint import values as _values
from emrlint.values import (
    UNKNOWN,
    BudgetExceeded,
    EvalError,
    Unknown,
    clamp_number,
    concat_parts,
    number_from_text,
    sized,
    unknown_from,
)

MAX_DEPTH = 200


class Lazy:
    """A namespace or object whose members are evaluated on access."""

    def attr(self, name: str) -> Any:  # pragma: no cover - interface
        raise EvalError(f"unsupported attribute {name!r}")

    def index(self, key: Any) -> Any:
        if isinstance(key, str):
            return self.attr(key)
        raise EvalError("cannot index this object with a number")

    def materialize(self) -> Any:
        """The value when used as a whole (e.g. passed to a function)."""
        return UNKNOWN


class Scope:
    """Names visible to an expression: a module instance plus local names
    (``count``, ``each``, dynamic-block iterators, for-expression variables)."""

    __slots__ = ("instance", "names", "sources")

    def __init__(self, instance, names: Optional[Dict[str, Any]] = None, sources: Optional[Dict[str, Any]] = None):
        self.instance = instance
        self.names = names or {}
        # where a name's value comes from: name -> (collection expression, its file, its scope, the
        # element's key, the accessors that reach the element: ("value",) for iterators and each)
        self.sources = sources or {}

    def with_names(self, sources: Optional[Dict[str, Any]] = None, **names: Any) -> "Scope":
        merged = dict(self.names)
        merged.update(names)
        merged_sources = dict(self.sources)
        for name in names:
            merged_sources.pop(name, None)
        merged_sources.update(sources or {})
        return Scope(self.instance, merged, merged_sources)

    def root(self, name: str) -> Any:
        if name in self.names:
            return self.names[name]
        if self.instance is None:
            raise EvalError(f"unknown name {name!r} in template")
        return self.instance.root_name(name)

    @property
    def call_sites(self) -> Tuple[CallSite, ...]:
        return self.instance.call_sites if self.instance is not None else ()


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def materialize(value: Any) -> Any:
    """Replace Lazy objects (resources, modules) by plain values or unknowns."""
    if isinstance(value, Lazy):
        return value.materialize()
    if isinstance(value, list):
        if any(isinstance(v, (Lazy, list, dict)) for v in value):
            return [materialize(v) for v in value]
        return value
    if isinstance(value, dict):
        if any(isinstance(v, (Lazy, list, dict)) for v in value.values()):
            return {k: materialize(v) for k, v in value.items()}
        return value
    return value


def to_text(value: Any) -> Any:
    """A value interpolated into a string."""
    if isinstance(value, str) or isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise EvalError("cannot interpolate a null value")
    if isinstance(value, Lazy):
        return value.materialize()
    raise EvalError("cannot interpolate a collection into a string")


def format_number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, Lazy):
        return obj.attr(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError(f"object has no attribute {name!r}")
    if isinstance(obj, Unknown):
        return Unknown(obj.refs)
    if obj is None:
        raise EvalError(f"attempt to get attribute {name!r} from null")
    raise EvalError(f"cannot get attribute {name!r} of a {type(obj).__name__}")


def get_index(obj: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return unknown_from(obj, key) if not isinstance(obj, Lazy) else UNKNOWN
    if isinstance(obj, Lazy):
        return obj.index(key)
    if isinstance(obj, Unknown):
        return Unknown(obj.refs)
    if isinstance(obj, list):
        if isinstance(key, str):
            try:
                key = int(key)
            except ValueError:
                raise EvalError("list index must be a number") from None
        if isinstance(key, bool) or not isinstance(key, (int, float)) or int(key) != key:
            raise EvalError("list index must be a whole number")
        if 0 <= int(key) < len(obj):
            return obj[int(key)]
        raise EvalError("index out of range")
    if isinstance(obj, dict):
        skey = to_text(key)
        if skey in obj:
            return obj[skey]
        raise EvalError(f"key {skey!r} not found")
    raise EvalError("value cannot be indexed")


def truth(value: Any, what: str = "condition") -> Any:
    """A known bool, or an Unknown."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise EvalError(f"{what} must be a bool")


def to_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise EvalError("expected a number, got a bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return number_from_text(value)
        except ValueError:
            try:
                return _normalise_number(float(value))
            except ValueError:
                raise EvalError(f"cannot convert {value!r} to a number") from None
    raise EvalError("expected a number")


def _normalise_number(value: Any) -> Any:
    if isinstance(value, float):
        if value != value:
            raise EvalError("the result is not a number")
        if value.is_integer() and abs(value) < 1e16:
            return int(value)
        return value
    return clamp_number(value)


def values_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


# ---------------------------------------------------------------------------
# evaluation
# ---------------------------------------------------------------------------


def evaluate(node: Any, scope: Scope, depth: int = 0) -> Any:
    """Evaluate an expression tree; raise :class:`EvalError` for definite errors."""
    if depth > MAX_DEPTH:
        return UNKNOWN
    budget = _values.current
    budget.left -= 1
    if budget.left < budget.floor:
        budget.charge(0)
    handler = _HANDLERS.get(node.kind)
    if handler is None:
        return UNKNOWN
    return handler(node, scope, depth + 1)


def _paren(node: Node, scope: Scope, depth: int) -> Any:
    return evaluate(node.expr, scope, depth)


def _literal(node: Node, scope: Scope, depth: int) -> Any:
    text = node.text
    if text in ("true", "false", "null"):
        return node.value
    if text.lstrip("-").isdigit():
        return number_from_text(text)
    return _normalise_number(float(text))


def _variable(node: Node, scope: Scope, depth: int) -> Any:
    return scope.root(node.name)


def _string(node: Node, scope: Scope, depth: int) -> Any:
    try:
        nodes = parse_string_tree(node)
    except TemplateSyntaxError as exc:
        raise EvalError(str(exc)) from None
    return render(nodes, scope, depth)


def _invalid(node: Node, scope: Scope, depth: int) -> Any:
    raise EvalError(node.message)


def _heredoc(node: Node, scope: Scope, depth: int) -> Any:
    return render_text(heredoc_text(node.text, trim=node.trim), scope, depth)


def render_text(text: str, scope: Scope, depth: int = 0) -> Any:
    if "${" not in text and "%{" not in text:
        return text.replace("$${", "${").replace("%%{", "%{")
    try:
        nodes = parse_raw(text)
    except TemplateSyntaxError as exc:
        raise EvalError(str(exc)) from None
    return render(nodes, scope, depth)


def render(nodes: Tuple[Any, ...], scope: Scope, depth: int = 0) -> Any:
    if len(nodes) == 1 and isinstance(nodes[0], Interp):
        # "${expr}" is the value of expr itself, not its string form
        if nodes[0].expr is None:
            return UNKNOWN
        return evaluate(nodes[0].expr, scope, depth)
    return concat_parts(_render_pieces(nodes, scope, depth))


def _render_pieces(nodes: Iterable[Any], scope: Scope, depth: int) -> List[Any]:
    out: List[Any] = []
    for n in nodes:
        if isinstance(n, Lit):
            out.append(n.text)
        elif isinstance(n, Interp):
            out.append(UNKNOWN if n.expr is None else to_text(materialize(evaluate(n.expr, scope, depth))))
        elif isinstance(n, If):
            cond = UNKNOWN if n.cond is None else truth(evaluate(n.cond, scope, depth), "template condition")
            if isinstance(cond, Unknown):
                out.append(Unknown(cond.refs))
            else:
                out.extend(_render_pieces(n.then if cond else n.otherwise, scope, depth))
        elif isinstance(n, For):
            coll = UNKNOWN if n.coll is None else materialize(evaluate(n.coll, scope, depth))
            if isinstance(coll, Unknown):
                out.append(Unknown(coll.refs))
                continue
            for key, value in _iterate(coll):
                names = {n.value: value}
                if n.key:
                    names[n.key] = key
                out.extend(_render_pieces(n.body, scope.with_names(**names), depth))
    return out


def _iterate(coll: Any) -> List[Tuple[Any, Any]]:
    if isinstance(coll, list):
        return list(enumerate(coll))
    if isinstance(coll, dict):
        return sorted(coll.items(), key=lambda kv: kv[0])
    if coll is None:
        raise EvalError("cannot iterate over null")
    raise EvalError("cannot iterate over a non-collection")


def _tuple(node: Node, scope: Scope, depth: int) -> Any:
    return sized([evaluate(e, scope, depth) for e in node.items])


def _object_key(key: Node, scope: Scope, depth: int) -> Any:
    name = getattr(key, "name", None)
    if name is not None:
        return name  # a bare identifier or keyword
    value = evaluate(key.expr, scope, depth)
    if isinstance(value, Unknown):
        return value
    return to_text(value)


def _object(node: Node, scope: Scope, depth: int) -> Any:
    out: Dict[str, Any] = {}
    for key_node, value_node in node.items:
        key = _object_key(key_node, scope, depth)
        if isinstance(key, Unknown):
            return Unknown(key.refs)
        out[key] = evaluate(value_node, scope, depth)
    return sized(out)


def _conditional(node: Node, scope: Scope, depth: int) -> Any:
    cond = truth(materialize(evaluate(node.cond, scope, depth)))
    if isinstance(cond, Unknown):
        try:
            a = materialize(evaluate(node.then, scope, depth))
            b = materialize(evaluate(node.otherwise, scope, depth))
        except EvalError:
            return Unknown(cond.refs)
        if not isinstance(a, Unknown) and not isinstance(b, Unknown) and values_equal(a, b):
            return a
        return unknown_from(cond, a, b)
    return evaluate(node.then if cond else node.otherwise, scope, depth)


def _binary_op(node: Node, scope: Scope, depth: int) -> Any:
    op = node.op
    left = materialize(evaluate(node.left, scope, depth))
    if op in ("&&", "||"):
        lv = truth(left, "operand")
        if lv is (op == "||"):  # short-circuit: false && x, true || x
            return lv
        rv = truth(materialize(evaluate(node.right, scope, depth)), "operand")
        if isinstance(rv, Unknown):
            return unknown_from(left, rv)
        if isinstance(lv, Unknown):
            return rv if rv is (op == "||") else unknown_from(lv)
        return rv
    right = materialize(evaluate(node.right, scope, depth))
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return unknown_from(left, right)
    if op == "==":
        return values_equal(left, right)
    if op == "!=":
        return not values_equal(left, right)
    a, b = to_number(left), to_number(right)
    try:
        return _arithmetic(op, a, b)
    except (OverflowError, ZeroDivisionError, ValueError):  # ValueError: inf % x
        raise EvalError(f"cannot compute {format_number(a)} {op} {format_number(b)}") from None


def _arithmetic(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return _normalise_number(a + b)
    if op == "-":
        return _normalise_number(a - b)
    if op == "*":
        return _normalise_number(a * b)
    if op == "/":
        if b == 0:
            raise EvalError("division by zero")
        return _normalise_number(a / b)
    if op == "%":
        if b == 0:
            raise EvalError("division by zero")
        return _normalise_number(a % b)
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    if op == ">=":
        return a >= b
    return UNKNOWN


def _unary_op(node: Node, scope: Scope, depth: int) -> Any:
    value = materialize(evaluate(node.operand, scope, depth))
    if isinstance(value, Unknown):
        return value
    if node.op == "!":
        return not truth(value, "operand")
    return _normalise_number(-to_number(value))


def _function_call(node: Node, scope: Scope, depth: int) -> Any:
    name = node.name
    arg_nodes = node.args
    if name in ("try", "can"):
        return _try_can(name, arg_nodes, scope, depth)
    args = [materialize(evaluate(a, scope, depth)) for a in arg_nodes]
    if node.expand and args:
        last = args.pop()
        if isinstance(last, Unknown):
            return unknown_from(last)
        if not isinstance(last, list):
            raise EvalError("the expanded argument must be a list")
        args.extend(last)
    return functions.call_function(name, _FunctionContext(scope), args)


def _try_can(name: str, arg_nodes: Tuple[Node, ...], scope: Scope, depth: int) -> Any:
    if name == "can":
        try:
            value = materialize(evaluate(arg_nodes[0], scope, depth))
        except BudgetExceeded:
            return UNKNOWN  # too expensive to tell, not an error
        except EvalError:
            return False
        return unknown_from(value) if isinstance(value, Unknown) else True
    for arg in arg_nodes:
        try:
            value = materialize(evaluate(arg, scope, depth))
        except BudgetExceeded:
            return UNKNOWN  # too expensive to tell whether it fails: not the next argument
        except EvalError:
            continue
        return value  # an unknown first success stays unknown (it may fail at apply time)
    raise EvalError("no argument of try() could be evaluated")


class _FunctionContext:
    __slots__ = ("scope",)

    def __init__(self, scope: Scope):
        self.scope = scope

    @property
    def base_dir(self) -> str:
        inst = self.scope.instance
        return inst.dir if inst is not None else ""

    def read_file(self, path: str) -> Any:
        inst = self.scope.instance
        return inst.project.read_text(inst.resolve_path(path)) if inst is not None else UNKNOWN

    def file_exists(self, path: str) -> Any:
        inst = self.scope.instance
        return inst.project.file_exists(inst.resolve_path(path)) if inst is not None else UNKNOWN

    def fileset(self, path: str, pattern: str) -> Any:
        inst = self.scope.instance
        return inst.project.fileset(inst.resolve_path(path), pattern) if inst is not None else UNKNOWN

    def render_template(self, path: str, variables: Any) -> Any:
        inst = self.scope.instance
        if inst is None or not isinstance(variables, dict):
            return UNKNOWN
        text = inst.project.read_text(inst.resolve_path(path))
        if isinstance(text, Unknown):
            return text
        return render_text(text, Scope(None, dict(variables)))


def _apply(value: Any, acc: Tuple[str, Any], scope: Scope, depth: int) -> Any:
    kind, what = acc
    if kind == "attr":
        return get_attr(value, what)
    if kind == "legacy":
        return get_index(value, what)
    return get_index(value, materialize(evaluate(what, scope, depth)))


def _traversal(node: Node, scope: Scope, depth: int) -> Any:
    value = evaluate(node.root, scope, depth)
    for acc in node.accessors:
        value = _apply(value, acc, scope, depth)
    return value


def _splat(node: Node, scope: Scope, depth: int) -> Any:
    base = evaluate(node.base, scope, depth)
    if isinstance(base, Unknown):
        return Unknown(base.refs)
    if base is None:
        return []
    items = base if isinstance(base, list) else [base]
    out = []
    for item in items:
        value = item
        for acc in node.accessors:
            value = _apply(value, acc, scope, depth)
        out.append(value)
    return sized(out)


def _for_expr(node: Node, scope: Scope, depth: int) -> Any:
    is_object, key_name, value_name, cond, group = node.object, node.key_var, node.value_var, node.cond, node.group
    coll = materialize(evaluate(node.coll, scope, depth))
    if isinstance(coll, Unknown):
        return Unknown(coll.refs)
    out_list: List[Any] = []
    out_obj: Dict[str, Any] = {}
    for key, value in _iterate(coll):
        names_map = {value_name: value}
        if key_name:
            names_map[key_name] = key
        inner = scope.with_names(**names_map)
        if cond is not None:
            keep = truth(materialize(evaluate(cond, inner, depth)), "for condition")
            if isinstance(keep, Unknown):
                return Unknown(keep.refs)
            if not keep:
                continue
        if is_object:
            k = to_text(materialize(evaluate(node.key_expr, inner, depth)))
            v = evaluate(node.value_expr, inner, depth)
            if isinstance(k, Unknown):
                return Unknown(k.refs)
            if group:
                out_obj.setdefault(k, []).append(v)
            else:
                if k in out_obj:
                    raise EvalError(f"duplicate key {k!r} in for expression")
                out_obj[k] = v
        else:
            out_list.append(evaluate(node.value_expr, inner, depth))
    return sized(out_obj if is_object else out_list)


_HANDLERS = {
    "paren": _paren,
    "literal": _literal,
    "variable": _variable,
    "template": _string,
    "invalid": _invalid,
    "heredoc": _heredoc,
    "tuple": _tuple,
    "object": _object,
    "conditional": _conditional,
    "binary": _binary_op,
    "unary": _unary_op,
    "call": _function_call,
    "traversal": _traversal,
    "splat": _splat,
    "for": _for_expr,
}


# ---------------------------------------------------------------------------
# origins: where a value was written
# ---------------------------------------------------------------------------

Origin = Tuple[Loc, Tuple[CallSite, ...]]


def origin(node: Any, file: str, scope: Scope, path: Tuple[Any, ...] = (), depth: int = 0) -> Origin:
    """Where the value of ``node`` (or of its element at ``path``) was written.

    Follows references through variables (module inputs, tfvars, defaults),
    locals, single-interpolation strings, conditionals with a known condition,
    object/tuple literals, and ``try``/``coalesce``/``lookup``/``merge``.
    Anything else is its own origin.  ``file`` is the file ``node`` is in."""
    here: Origin = (node_loc(file, node), scope.call_sites)
    return follow(node, file, scope, path, depth) or here


def follow(node: Any, file: str, scope: Scope, path: Tuple[Any, ...] = (), depth: int = 0) -> Optional[Origin]:
    """The origin of ``node`` when it passes a value through from elsewhere, else None."""
    if depth > 50 or (scope.instance is None and not scope.sources) or not isinstance(node, Node):
        return None
    try:
        return _origin(node, file, scope, path, depth)
    except (EvalError, RecursionError):
        return None


def _origin(node: Node, file: str, scope: Scope, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
    kind = node.kind
    if kind == "paren":
        return origin(node.expr, file, scope, path, depth + 1)
    if kind == "template":
        parts = parse_string_tree(node)
        if len(parts) == 1 and isinstance(parts[0], Interp) and parts[0].expr is not None:
            return origin(parts[0].expr, file, scope, path, depth + 1)
        return None
    if kind == "conditional":
        cond = truth(materialize(evaluate(node.cond, scope)))
        if isinstance(cond, Unknown):
            return None
        return origin(node.then if cond else node.otherwise, file, scope, path, depth + 1)
    if kind == "object" and path:
        for key_node, value_node in node.items:
            if _object_key(key_node, scope, 0) == path[0]:
                return origin(value_node, file, scope, path[1:], depth + 1)
        return None
    if kind == "tuple" and path and isinstance(path[0], int):
        elems = node.items
        if 0 <= path[0] < len(elems):
            return origin(elems[path[0]], file, scope, path[1:], depth + 1)
        return None
    if kind == "call":
        return _function_origin(node, file, scope, path, depth)
    if kind == "heredoc" and path[:1] == ("json",):
        return _heredoc_origin(node, file, scope, path[1:], depth)
    if kind == "variable":  # a for-expression variable used whole
        return _source_origin(node.name, (), scope, path, depth)
    if kind == "for" and path:
        return _for_origin(node, file, scope, path, depth)
    if kind == "traversal":
        root = node.root
        keys: List[Any] = []
        for acc_kind, what in node.accessors:
            if acc_kind == "index":
                what = materialize(evaluate(what, scope))
                if isinstance(what, Unknown):
                    return None
            keys.append(what)
        if root.kind != "variable":  # concat(a, b)[0], {...}.key, [...][1]
            return origin(root, file, scope, tuple(keys) + path, depth + 1)
        name = root.name
        if not keys:
            return None
        found = _source_origin(name, tuple(keys), scope, path, depth)
        if found is not None or name in scope.sources:
            return found
        if name in scope.names:
            return None
        if name == "var" and scope.instance is not None:
            return scope.instance.variable_origin(keys[0], tuple(keys[1:]) + path, depth + 1)
        if name == "local" and scope.instance is not None:
            return scope.instance.local_origin(keys[0], tuple(keys[1:]) + path, depth + 1)
        if name == "module" and scope.instance is not None:
            return scope.instance.module_origin(tuple(keys), path, depth + 1)
        return None
    return None


# ---------------------------------------------------------------------------
# origins inside documents written as templates (heredocs, templatefile(), file())
# ---------------------------------------------------------------------------


def map_template(text: str, scope: Scope, where: Callable[[int], Optional[Origin]], depth: int = 0,
                 raw: bool = False) -> Optional[MappedText]:
    """Render a template keeping, for each piece of the result, where it was written: template
    text at its line, an interpolated value where that value was written.  ``raw``: the text is
    not a template (``file()``).  None when the rendering cannot be followed (an unknown
    condition or collection changes what the text holds)."""
    mapped = MappedText()
    if raw:
        mapped.literal(text, 0, where)
        return mapped
    try:
        nodes = parse_raw(text)
    except TemplateSyntaxError:
        return None
    try:
        return mapped if _map_pieces(nodes, scope, where, mapped, depth) else None
    except (EvalError, RecursionError):
        return None


def _map_pieces(nodes: Iterable[Any], scope: Scope, where, mapped: MappedText, depth: int) -> bool:
    for n in nodes:
        if isinstance(n, Lit):
            if n.pos < 0:
                return False
            mapped.literal(n.text, n.pos, where)
        elif isinstance(n, Interp):
            value = UNKNOWN if n.expr is None else to_text(materialize(evaluate(n.expr, scope, depth)))
            found = _interp_origin(n, scope, where)
            for part in value.parts or (UNKNOWN,) if isinstance(value, Unknown) else (value,):
                if isinstance(part, str):
                    mapped.value(part, found)
                else:
                    mapped.unknown(found)
        elif isinstance(n, If):
            cond = UNKNOWN if n.cond is None else truth(evaluate(n.cond, scope, depth), "template condition")
            if isinstance(cond, Unknown) or not _map_pieces(n.then if cond else n.otherwise, scope, where, mapped, depth):
                return False
        elif isinstance(n, For):
            coll = UNKNOWN if n.coll is None else materialize(evaluate(n.coll, scope, depth))
            if isinstance(coll, Unknown):
                return False
            for key, value in _iterate(coll):
                names = {n.value: value}
                if n.key:
                    names[n.key] = key
                inner = scope.with_names(sources={n.value: (n.coll, "", scope, key, ())}, **names)
                if not _map_pieces(n.body, inner, where, mapped, depth):
                    return False
    return True


def _interp_origin(n: Interp, scope: Scope, where):
    """Where an interpolated value was written: followed through names (a variable, a module
    input, a templatefile() variable); else the interpolation itself in the template."""
    def find() -> Optional[Origin]:
        found = follow(n.expr, "", scope) if n.expr is not None else None
        if found is not None and found[0].path:  # "": a literal of the interpolation itself
            return found
        return where(n.pos)
    return find


def _heredoc_origin(node: Node, file: str, scope: Scope, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
    token = node.text
    text = heredoc_text(token, trim=node.trim)
    indent = 0
    if node.trim:
        lines = [ln for ln in token.split("\n")[1:] if ln.strip()]
        indent = min((len(ln) - len(ln.lstrip(" \t")) for ln in lines[:-1]), default=0)
    where = line_locator(file, node.pos[0] + 1, text, indent, scope.call_sites)
    mapped = map_template(text, scope, where, depth)
    return mapped.locate(path) if mapped is not None else None


def _file_origin(name: str, args: Tuple[Node, ...], file: str, scope: Scope, path: Tuple[Any, ...],
                 depth: int) -> Optional[Origin]:
    """A path into a document read with ``file()`` or rendered with ``templatefile()``: its line
    in the file, or where an interpolated value was written (the templatefile() variable's value,
    followed to a module input or a variable default)."""
    found = mapped_file(name, args, file, scope, depth)
    return found[1].locate(path) if found is not None else None


def mapped_file(name: str, args: Tuple[Node, ...], file: str, scope: Scope, depth: int = 0) -> Optional[Tuple[str, MappedText]]:
    """(the file's path, its text mapped to where each part was written) of a ``file(path)``
    or ``templatefile(path, vars)`` call; None when the file or the variables are not known."""
    if not args or scope.instance is None:
        return None
    template = materialize(evaluate(args[0], scope))
    if not isinstance(template, str):
        return None
    inst = scope.instance
    full = inst.resolve_path(template)
    text = inst.project.read_text(full)
    if not isinstance(text, str):
        return None
    where = line_locator(full, 1, text, 0, scope.call_sites)
    if name == "file":
        mapped = map_template(text, scope, where, raw=True)
    else:
        if len(args) < 2:
            return None
        variables = materialize(evaluate(args[1], scope))
        if not isinstance(variables, dict):
            return None
        sources = {k: (args[1], file, scope, k, ()) for k in variables}
        mapped = map_template(text, Scope(None, dict(variables), sources), where, depth)
    return (full, mapped) if mapped is not None else None


def _source_origin(name: str, keys: Tuple[Any, ...], scope: Scope, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
    """A name bound to an element of a collection (a dynamic-block iterator or ``each``, used as
    ``name.value...``; a for-expression variable, used directly): the origin of that element."""
    source = scope.sources.get(name)
    if source is None:
        return None
    expr, src_file, src_scope, key, via = source
    if keys[:len(via)] != via:
        return None
    return origin(expr, src_file, src_scope, (key,) + keys[len(via):] + path, depth + 1)


def _for_origin(node: Node, file: str, scope: Scope, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
    """The element at ``path[0]`` of a ``for`` expression's result: its body evaluated for the
    item that produced it, with the item variable pointing back into the collection."""
    if node.group:
        return None  # grouping: an element is a list built from several items
    key_name, value_name, cond = node.key_var, node.value_var, node.cond
    coll = materialize(evaluate(node.coll, scope))
    if isinstance(coll, Unknown):
        return None
    index = 0
    for key, value in _iterate(coll):
        names_map = {value_name: value}
        if key_name:
            names_map[key_name] = key
        inner = scope.with_names(sources={value_name: (node.coll, file, scope, key, ())}, **names_map)
        if cond is not None:
            keep = truth(materialize(evaluate(cond, inner)), "for condition")
            if isinstance(keep, Unknown):
                return None
            if not keep:
                continue
        if node.object:
            if to_text(materialize(evaluate(node.key_expr, inner))) == path[0]:
                return origin(node.value_expr, file, inner, path[1:], depth + 1)
        elif index == path[0]:
            return origin(node.value_expr, file, inner, path[1:], depth + 1)
        index += 1
    return None


def _function_origin(node: Node, file: str, scope: Scope, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
    name = node.name
    args = node.args
    if name == "try":
        for arg in args:
            try:
                evaluate(arg, scope)
            except EvalError:
                continue
            return origin(arg, file, scope, path, depth + 1)
        return None
    if name == "coalesce":
        for arg in args:
            value = materialize(evaluate(arg, scope))
            if isinstance(value, Unknown):
                return None
            if value is not None and value != "":
                return origin(arg, file, scope, path, depth + 1)
        return None
    if name == "lookup" and len(args) >= 2:
        mapping = materialize(evaluate(args[0], scope))
        key = materialize(evaluate(args[1], scope))
        if isinstance(mapping, dict) and isinstance(key, str):
            if key in mapping:
                return origin(args[0], file, scope, (key,) + path, depth + 1)
            if len(args) > 2:
                return origin(args[2], file, scope, path, depth + 1)
        return None
    if name == "jsonencode" and path[:1] == ("json",) and args:
        return origin(args[0], file, scope, path[1:], depth + 1)  # a path into the encoded value
    if name in ("templatefile", "file") and path[:1] == ("json",) and args and scope.instance is not None:
        return _file_origin(name, args, file, scope, path[1:], depth)  # a path into the rendered document
    if name == "concat" and path and isinstance(path[0], int):
        offset = path[0]
        for arg in args:
            value = materialize(evaluate(arg, scope))
            if not isinstance(value, list):
                return None
            if offset < len(value):
                return origin(arg, file, scope, (offset,) + path[1:], depth + 1)
            offset -= len(value)
        return None
    if name == "merge" and path:
        for arg in reversed(args):
            value = materialize(evaluate(arg, scope))
            if isinstance(value, Unknown):
                return None
            if isinstance(value, dict) and path[0] in value:
                return origin(arg, file, scope, path, depth + 1)
        return None
    return None
