"""Terraform modules: a directory's declarations and its evaluated instances."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional, Tuple


from emrlint.findings import CallSite, Loc
from emrlint.model import Field, Section
from emrlint.record import dataclass, field
from emrlint.terraform.evaluate import (
    Lazy,
    Origin,
    Scope,
    _iterate,
    evaluate,
    follow,
    materialize,
    origin,
    render_text,
    to_number,
)
from emrlint.terraform.templates import Interp, TemplateSyntaxError, parse_raw
from emrlint.terraform.hcl import Attribute, Block, Body
from emrlint.terraform.syntax import Node
from emrlint import values as _values
from emrlint.values import UNKNOWN, Budget, BudgetExceeded, EvalError, Unknown, charge, sized


# ---------------------------------------------------------------------------
# Terraform JSON syntax (.tf.json): expressions are JSON values whose strings are templates
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JsonExpr:
    value: Any
    loc: Loc


def budget_for(scope: Scope) -> Budget:
    """The budget an evaluation in ``scope`` runs on: its root module's; the one in
    progress; or, for a value outside any module (a variable default), a fresh one."""
    if scope.instance is not None:
        return scope.instance.root.budget
    if _values.current is not _values.UNLIMITED:
        return _values.current
    return Budget(_values.EXPRESSION_FUEL)


def eval_expr(expr: Any, scope: Scope) -> Any:
    with budget_for(scope):
        if isinstance(expr, JsonExpr):
            return _eval_json(expr.value, scope)
        return evaluate(expr, scope)


def _eval_json(value: Any, scope: Scope) -> Any:
    charge(1)
    if isinstance(value, str):
        return render_text(value, scope)
    if isinstance(value, dict):
        return sized({str(k): _eval_json(v, scope) for k, v in value.items() if k != "//"})
    if isinstance(value, list):
        return sized([_eval_json(v, scope) for v in value])
    return value


def expr_origin(attr: Attribute, scope: Scope, path: Tuple[Any, ...] = (), depth: int = 0) -> Origin:
    expr = attr.expr
    if isinstance(expr, JsonExpr):
        value = expr.value
        if isinstance(value, str) and value.startswith("${"):
            try:
                nodes = parse_raw(value)
            except TemplateSyntaxError:
                nodes = ()
            if len(nodes) == 1 and isinstance(nodes[0], Interp) and nodes[0].expr is not None:
                found = follow(nodes[0].expr, attr.loc.path, scope, path, depth)
                if found is not None:
                    return found
        return attr.loc, scope.call_sites
    with budget_for(scope):
        return origin(expr, attr.loc.path, scope, path, depth)


def eval_safely(expr: Any, scope: Scope, loc: Optional[Loc] = None) -> Any:
    """The value of ``expr``, unknown when it cannot be evaluated or is too expensive to
    (``loc``, where it is written: where a root module that ran out of budget is reported)."""
    budget = budget_for(scope)
    try:
        with budget:
            value = materialize(eval_expr(expr, scope))
    except (EvalError, RecursionError):  # BudgetExceeded included
        value = UNKNOWN
    if budget.exhausted and not budget.reported and scope.instance is not None:
        scope.instance.project.budget_exhausted(scope.instance.root, loc or getattr(expr, "loc", None))
    return value


MAX_INSTANCES = 10_000  # of one resource or module block (count, for_each)


# ---------------------------------------------------------------------------
# A module directory
# ---------------------------------------------------------------------------


def is_override_file(path: str) -> bool:
    """Terraform override files: merged into the blocks they name, after every other file."""
    name = os.path.basename(path)
    for ext in (".tf", ".tf.json"):
        if name.endswith(ext):
            stem = name[: -len(ext)]
            return stem == "override" or stem.endswith("_override")
    return False


@dataclass(frozen=True)
class Duplicate:
    """A second declaration of a name in one module directory (Terraform rejects it)."""

    what: str  # "resource", "data source", "module call", "variable", "local value", "output"
    name: str  # aws_emr_cluster.spark, data.aws_iam_role.x, module.etl, var.x, local.x, output.x
    loc: Loc  # the second declaration
    first: Loc  # the first one (files in lexical order, then lines)


_DECLARATIONS = {  # block type -> (labels, what, attribute of ModuleDir, how it is named)
    "resource": (2, "resource", "resources", lambda l: f"{l[0]}.{l[1]}"),
    "data": (2, "data source", "data", lambda l: f"data.{l[0]}.{l[1]}"),
    "variable": (1, "variable", "variables", lambda l: f"var.{l[0]}"),
    "module": (1, "module call", "modules", lambda l: f"module.{l[0]}"),
    "output": (1, "output", "outputs", lambda l: f"output.{l[0]}"),
}


def _nested_name(block: Block) -> str:
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def merge_override(base: Block, override: Block) -> Block:
    """Terraform's override merge: each argument of the override replaces the base's, and its
    nested blocks replace every base block of the same type."""
    replaced = {_nested_name(b) for b in override.body.blocks}
    body = Body(base.body.path, base.body.loc, {**base.body.attributes, **override.body.attributes},
                [b for b in base.body.blocks if _nested_name(b) not in replaced] + list(override.body.blocks))
    return Block(base.type, base.labels, body, base.loc)


@dataclass
class ModuleDir:
    path: str
    variables: Dict[str, Block] = field(default_factory=dict)
    locals: Dict[str, Attribute] = field(default_factory=dict)
    resources: Dict[Tuple[str, str], Block] = field(default_factory=dict)
    data: Dict[Tuple[str, str], Block] = field(default_factory=dict)
    modules: Dict[str, Block] = field(default_factory=dict)
    outputs: Dict[str, Block] = field(default_factory=dict)
    resource_types: set = field(default_factory=set)
    providers: List[Block] = field(default_factory=list)  # provider blocks (their region prices a root module)
    # second declarations: the first is the one references see; resources and module calls
    # declared twice are still checked (both of them)
    duplicates: List[Duplicate] = field(default_factory=list)
    duplicate_resources: List[Tuple[Tuple[str, str], Block]] = field(default_factory=list)
    duplicate_modules: List[Tuple[str, Block]] = field(default_factory=list)

    def add_file(self, body: Body, override: bool = False) -> None:
        """Add one file's declarations; files come in lexical order, override files last."""
        for block in body.blocks:
            labels = block.labels
            if block.type == "provider":
                self.providers.append(block)
                continue
            if block.type == "locals":
                for name, attr in block.body.attributes.items():
                    first = self.locals.get(name)
                    if first is not None and not override:
                        self.duplicates.append(Duplicate("local value", f"local.{name}", attr.loc, first.loc))
                    else:
                        self.locals[name] = attr
                continue
            spec = _DECLARATIONS.get(block.type)
            if spec is None or len(labels) != spec[0]:
                continue
            n_labels, what, table_name, naming = spec
            table = getattr(self, table_name)
            key = (labels[0], labels[1]) if n_labels == 2 else labels[0]
            first = table.get(key)
            if first is None:
                table[key] = block
            elif override:
                table[key] = merge_override(first, block)
            else:
                self.duplicates.append(Duplicate(what, naming(labels), block.loc, first.loc))
                if block.type == "resource":
                    self.duplicate_resources.append((key, block))
                elif block.type == "module":
                    self.duplicate_modules.append((key, block))
            if block.type == "resource":
                self.resource_types.add(labels[0])


# ---------------------------------------------------------------------------
# Variable types: optional attributes with defaults and primitive conversions
# ---------------------------------------------------------------------------


def _type_call(node: Any) -> Tuple[str, List[Any]]:
    """(name, argument nodes) of a type expression like ``list(string)``."""
    if not isinstance(node, Node):
        return "", []
    if node.kind == "variable":
        return node.name, []
    if node.kind == "call":
        return node.name, list(node.args)
    if node.kind == "object":
        return "{object}", [node]
    return "", []


def convert_type(value: Any, type_node: Any, scope: Scope) -> Any:
    """Apply a variable's type constraint: primitive conversions and ``optional()`` defaults."""
    if value is None or isinstance(value, Unknown) or type_node is None or isinstance(type_node, JsonExpr):
        return value
    name, args = _type_call(type_node)
    if name == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if name == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if name == "number" and isinstance(value, str):
        try:
            return to_number(value)
        except EvalError:
            return value
    if name == "bool" and value in ("true", "false"):
        return value == "true"
    if name in ("list", "set", "tuple") and isinstance(value, list) and args:
        if name == "tuple":
            elems = args[0].items if isinstance(args[0], Node) and args[0].kind == "tuple" else ()
            return [convert_type(v, elems[i] if i < len(elems) else None, scope) for i, v in enumerate(value)]
        return [convert_type(v, args[0], scope) for v in value]
    if name == "map" and isinstance(value, dict) and args:
        return {k: convert_type(v, args[0], scope) for k, v in value.items()}
    if name == "object" and isinstance(value, dict) and args:
        return _convert_object(value, args[0], scope)
    return value


def _type_key(key: Node) -> Optional[str]:
    """An attribute name in an ``object({...})`` type: bare or quoted."""
    name = getattr(key, "name", None)
    if name is not None:
        return name
    expr = key.expr
    if expr.kind == "template" and all(p[0][0] == "lit" for p in expr.pieces):
        return "".join(p[0][1] for p in expr.pieces)
    return None


def _convert_object(value: Dict[str, Any], spec: Any, scope: Scope) -> Dict[str, Any]:
    if not isinstance(spec, Node) or spec.kind != "object":
        return value
    out: Dict[str, Any] = {}
    for key_node, type_node in spec.items:
        key = _type_key(key_node)
        if key is None:
            return value  # an attribute name Terraform would refuse: leave as written
        tname, targs = _type_call(type_node)
        if tname == "optional":
            inner = targs[0] if targs else None
            if key in value and value[key] is not None:
                out[key] = convert_type(value[key], inner, scope)
            elif len(targs) > 1:
                try:
                    out[key] = convert_type(materialize(evaluate(targs[1], Scope(None))), inner, scope)
                except EvalError:
                    out[key] = UNKNOWN
            else:
                out[key] = None
        elif key in value:
            out[key] = convert_type(value[key], type_node, scope)
        else:
            return value  # not of this type: leave as written
    return out


# ---------------------------------------------------------------------------
# Lazy namespaces
# ---------------------------------------------------------------------------


class _Namespace(Lazy):
    def __init__(self, getter):
        self._get = getter

    def attr(self, name: str) -> Any:
        return self._get(name)


class _DataType(Lazy):
    def __init__(self, prefix: str, type_: str):
        self.prefix = prefix
        self.type = type_

    def attr(self, name: str) -> Any:
        return Unknown({f"{self.prefix}data.{self.type}.{name}"})

    def materialize(self) -> Any:
        return Unknown({f"{self.prefix}data.{self.type}"})


class ResourceObj(Lazy):
    """A resource instance as seen from an expression (``aws_s3_object.x``)."""

    def __init__(self, address: str, block: Block, scope: Scope):
        self.address = address
        self.block = block
        self.scope = scope

    def attr(self, name: str) -> Any:
        attr = self.block.body.attributes.get(name)
        if attr is not None and name not in ("count", "for_each", "provider", "depends_on"):
            value = materialize(eval_expr(attr.expr, self.scope))
            return value
        return Unknown({self.address})  # computed (id, arn...) or not modelled

    def materialize(self) -> Any:
        return Unknown({self.address})


class ModuleOutputs(Lazy):
    def __init__(self, instance: "ModuleInstance"):
        self.instance = instance

    def attr(self, name: str) -> Any:
        return self.instance.output_value(name)

    def materialize(self) -> Any:
        return Unknown({self.instance.address})


# ---------------------------------------------------------------------------
# A module instance: a directory evaluated with concrete inputs
# ---------------------------------------------------------------------------


class ModuleInstance:
    def __init__(
        self,
        project,
        mdir: ModuleDir,
        address: str = "",
        *,
        parent: Optional["ModuleInstance"] = None,
        call: Optional[Block] = None,
        call_scope: Optional[Scope] = None,
        root_values: Optional[Dict[str, Tuple[Any, Optional[Attribute]]]] = None,
        key_path: str = "",
        maybe: bool = False,
    ):
        self.project = project
        self.mdir = mdir
        self.address = address  # "" for a root module, else "module.a" / "module.a.module.b[0]"
        self.prefix = address + "." if address else ""
        self.parent = parent
        self.call = call
        self.call_scope = call_scope
        self.root_values = root_values or {}
        self.key_path = key_path
        self.maybe = maybe or (parent.maybe if parent else False)
        # why this instance may not exist (its own call's count/for_each, or an enclosing one's)
        self.maybe_reason = (instance_doubt(call, address) if maybe and call is not None
                             else parent.maybe_reason if parent is not None else "")
        self.root = parent.root if parent else self
        self.call_sites: Tuple[CallSite, ...] = (
            parent.call_sites + (CallSite(address, call.loc),) if parent is not None and call is not None else ()
        )
        self.scope = Scope(self)
        self._budget: Optional[Budget] = None
        self._vars: Dict[str, Any] = {}
        self._locals: Dict[str, Any] = {}
        self._outputs: Dict[str, Any] = {}
        self._children: Dict[str, Any] = {}
        self._active: set = set()
        self._ns = {
            "var": _Namespace(self.variable_value),
            "local": _Namespace(self.local_value),
            "module": _Namespace(self.module_value),
            "data": _Namespace(lambda t: _DataType(self.prefix, t)),
            "path": {"module": mdir.path, "root": self.root.mdir.path, "cwd": self.root.mdir.path},
            "terraform": {"workspace": "default"},
        }

    @property
    def budget(self) -> Budget:
        """The evaluation budget of this root module (in proportion to the Terraform it holds)."""
        if self._budget is None:
            size = self.project.relevant_bytes(self.dir) if hasattr(self.project, "relevant_bytes") else 0
            self._budget = Budget(_values.ROOT_FUEL + _values.ROOT_FUEL_PER_BYTE * size)
        return self._budget

    # -- names ------------------------------------------------------------

    @property
    def dir(self) -> str:
        return self.mdir.path

    def resolve_path(self, path: str) -> str:
        """File paths in Terraform functions are relative to the working directory (the root module)."""
        return os.path.normpath(os.path.join(self.root.mdir.path, path))

    def root_name(self, name: str) -> Any:
        ns = self._ns.get(name)
        if ns is not None:
            return ns
        if name in self.mdir.resource_types:
            return _Namespace(lambda n, t=name: self.resource_value(t, n))
        if name in ("self", "count", "each"):
            raise EvalError(f"{name} is not available here")
        return Unknown({self.prefix + name})

    def _guard(self, key: Tuple[str, str]):
        if key in self._active:
            raise EvalError(f"cycle through {key[0]}.{key[1]}")
        self._active.add(key)

    # -- variables ------------------------------------------------------------

    def _variable_source(self, name: str) -> Tuple[str, Any, Any]:
        """("input", Attribute, caller scope) / ("root", value, Attribute|None) / ("default", Attribute, None) / ("none", None, None)."""
        block = self.mdir.variables.get(name)
        if self.call is not None and name in self.call.body.attributes:
            return "input", self.call.body.attributes[name], self.call_scope
        if self.call is None and name in self.root_values:
            value, attr = self.root_values[name]
            return "root", value, attr
        if block is not None and "default" in block.body.attributes:
            return "default", block.body.attributes["default"], None
        return "none", None, None

    def _memo(self, kind: str, name: str, cache: Dict[str, Any], compute) -> Any:
        """Evaluate once per instance; a cycle or a definite error makes the value unknown."""
        if name in cache:
            return cache[name]
        self._guard((kind, name))
        try:
            value = compute()
        except EvalError:
            value = UNKNOWN
        finally:
            self._active.discard((kind, name))
        cache[name] = value
        return value

    def variable_value(self, name: str) -> Any:
        block = self.mdir.variables.get(name)
        if block is None:
            raise EvalError(f"undeclared variable {name!r}")
        return self._memo("var", name, self._vars, lambda: self._compute_variable(name, block))

    def _compute_variable(self, name: str, block: Block) -> Any:
        kind, a, b = self._variable_source(name)
        if kind == "input":
            value = materialize(eval_expr(a.expr, b))
        elif kind == "root":
            value = a
        elif kind == "default":
            value = materialize(eval_expr(a.expr, Scope(None)))
        else:
            value = UNKNOWN
        nullable = block.body.attributes.get("nullable")
        if value is None and kind in ("input", "root") and nullable is not None:
            if eval_safely(nullable.expr, Scope(None)) is False and "default" in block.body.attributes:
                value = materialize(eval_expr(block.body.attributes["default"].expr, Scope(None)))
        type_attr = block.body.attributes.get("type")
        return convert_type(value, type_attr.expr if type_attr else None, self.scope)

    def variable_origin(self, name: str, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
        block = self.mdir.variables.get(name)
        if block is None:
            return None
        kind, a, b = self._variable_source(name)
        if kind == "input":
            return expr_origin(a, b, path, depth)
        if kind == "root":
            return expr_origin(b, Scope(None), path, depth) if b is not None else (block.loc, self.call_sites)
        if kind == "default":
            return expr_origin(a, Scope(self), path, depth)
        return block.loc, self.call_sites

    # -- locals ------------------------------------------------------------

    def local_value(self, name: str) -> Any:
        attr = self.mdir.locals.get(name)
        if attr is None:
            raise EvalError(f"undeclared local {name!r}")
        return self._memo("local", name, self._locals, lambda: eval_expr(attr.expr, self.scope))

    def local_origin(self, name: str, path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
        attr = self.mdir.locals.get(name)
        return expr_origin(attr, self.scope, path, depth) if attr is not None else None

    # -- resources ------------------------------------------------------------

    def instances(self, block: Block, base_address: str) -> Iterator[Tuple[str, Scope, bool]]:
        """(address, scope, maybe) of each instance of a resource or module block."""
        attrs = block.body.attributes
        if "count" in attrs:
            count = eval_safely(attrs["count"].expr, self.scope, attrs["count"].loc)
            if (isinstance(count, Unknown) or not isinstance(count, (int, float)) or isinstance(count, bool)
                    or not 0 <= count <= MAX_INSTANCES):  # more instances than any configuration means: unknown
                yield base_address, self.scope.with_names(count={"index": UNKNOWN}), True
                return
            for i in range(int(count)):
                yield f"{base_address}[{i}]", self.scope.with_names(count={"index": i}), False
        elif "for_each" in attrs:
            coll = eval_safely(attrs["for_each"].expr, self.scope, attrs["for_each"].loc)
            if isinstance(coll, Unknown) or not isinstance(coll, (list, dict)) or len(coll) > MAX_INSTANCES:
                yield base_address, self.scope.with_names(each={"key": UNKNOWN, "value": UNKNOWN}), True
                return
            fe = attrs["for_each"]
            items = coll.items() if isinstance(coll, dict) else ((v, v) for v in coll)
            for i, (key, value) in enumerate(items):
                source = {"each": (fe.expr, fe.loc.path, self.scope, key if isinstance(coll, dict) else i, ("value",))}
                if isinstance(key, Unknown):
                    yield base_address, self.scope.with_names(sources=source, each={"key": UNKNOWN, "value": value}), True
                    continue
                yield (f'{base_address}["{key}"]',
                       self.scope.with_names(sources=source, each={"key": key, "value": value}), False)
        else:
            yield base_address, self.scope, False

    def resource_value(self, type_: str, name: str) -> Any:
        block = self.mdir.resources.get((type_, name))
        if block is None:
            raise EvalError(f"undeclared resource {type_}.{name}")
        base = f"{self.prefix}{type_}.{name}"
        attrs = block.body.attributes
        insts = list(self.instances(block, base))
        if any(maybe for _, _, maybe in insts):
            return Unknown({base})
        objs = [ResourceObj(addr, block, scope) for addr, scope, _ in insts]
        if "count" in attrs:
            return objs
        if "for_each" in attrs:
            return {scope.names["each"]["key"]: obj for (addr, scope, _), obj in zip(insts, objs)}
        return objs[0]

    # -- modules ------------------------------------------------------------

    def child_instances(self, name: str) -> List["ModuleInstance"]:
        if name in self._children:
            return self._children[name]
        block = self.mdir.modules.get(name)
        children = self.call_instances(name, block) if block is not None else []
        self._children[name] = children
        return children

    def call_instances(self, name: str, block: Block) -> List["ModuleInstance"]:
        """The instances a ``module "name"`` block creates (a second block of the same name too)."""
        children: List[ModuleInstance] = []
        key_path = f"{self.key_path}.{name}" if self.key_path else name
        target = self.project.call_target(self, block, key_path)
        if target is not None and self._in_call_chain(target):
            self.project.module_cycle(block, name)  # Terraform refuses it: one EMR001, not followed
            target = None
        mdir = self.project.module_dir(target) if target is not None else None
        if mdir is not None:
            for addr, scope, maybe in self.instances(block, f"{self.prefix}module.{name}"):
                children.append(ModuleInstance(self.project, mdir, addr, parent=self, call=block, call_scope=scope,
                                               key_path=key_path, maybe=maybe))
        return children

    def _in_call_chain(self, directory: str) -> bool:
        """Whether ``directory`` is this instance's module or one that (transitively) calls it."""
        inst: Optional[ModuleInstance] = self
        while inst is not None:
            if os.path.normpath(inst.dir) == os.path.normpath(directory):
                return True
            inst = inst.parent
        return False

    def module_value(self, name: str) -> Any:
        block = self.mdir.modules.get(name)
        if block is None:
            raise EvalError(f"undeclared module {name!r}")
        children = self.child_instances(name)
        if not children or any(c.maybe and not self.maybe for c in children):
            return Unknown({f"{self.prefix}module.{name}"})
        outs = [ModuleOutputs(c) for c in children]
        if "count" in block.body.attributes:
            return outs
        if "for_each" in block.body.attributes:
            return {c.call_scope.names["each"]["key"]: o for c, o in zip(children, outs)}
        return outs[0]

    def module_origin(self, keys: Tuple[Any, ...], path: Tuple[Any, ...], depth: int) -> Optional[Origin]:
        """Where ``module.<name>[<key>].<output>`` got its value: inside the child module."""
        block = self.mdir.modules.get(keys[0])
        if block is None:
            return None
        children = self.child_instances(keys[0])
        rest = keys[1:]
        if "count" in block.body.attributes or "for_each" in block.body.attributes:
            if not rest:
                return None
            wanted = f"[{rest[0]}]" if isinstance(rest[0], int) else f'["{rest[0]}"]'
            children = [c for c in children if c.address.endswith(wanted)]
            rest = rest[1:]
        if len(children) != 1 or not rest:
            return None
        child = children[0]
        out = child.mdir.outputs.get(rest[0])
        if out is None or "value" not in out.body.attributes:
            return None
        return expr_origin(out.body.attributes["value"], child.scope, tuple(rest[1:]) + path, depth)

    def output_value(self, name: str) -> Any:
        block = self.mdir.outputs.get(name)
        if block is None or "value" not in block.body.attributes:
            raise EvalError(f"module has no output {name!r}")
        return self._memo("output", name, self._outputs, lambda: eval_expr(block.body.attributes["value"].expr, self.scope))


def instance_doubt(block: Block, module_address: str = "") -> str:
    """Why instances of a resource block (or of the module call ``module_address``) may not exist."""
    what = "count" if "count" in block.body.attributes else "for_each"
    return f"the {what} of {module_address} cannot be evaluated" if module_address else f"its {what} cannot be evaluated"


# ---------------------------------------------------------------------------
# Evaluated blocks, as model sections
# ---------------------------------------------------------------------------


class TerraformSection(Section):
    """A Terraform block evaluated in a scope; ``dynamic`` blocks are expanded."""

    __slots__ = ("body", "scope", "loc", "maybe", "_fields")

    def __init__(self, body: Body, scope: Scope, loc: Loc, maybe: bool = False):
        self.body = body
        self.scope = scope
        self.loc = loc
        self.maybe = maybe
        self._fields: Dict[str, Field] = {}

    def field(self, name: str) -> Field:
        f = self._fields.get(name)
        if f is None:
            attr = self.body.attributes.get(name)
            if attr is None:
                f = Field(None, False, self.loc, call_sites=self.scope.call_sites)
            else:
                value = eval_safely(attr.expr, self.scope, attr.loc)
                scope = self.scope
                f = Field(value, True, attr.loc, lambda: expr_origin(attr, scope))
            self._fields[name] = f
        return f

    def sections(self, name: str) -> List[Section]:
        out: List[Section] = []
        for block in self.body.blocks:
            if block.type == name:
                out.append(TerraformSection(block.body, self.scope, block.loc, self.maybe))
            elif block.type == "dynamic" and block.labels and block.labels[0] == name:
                out.extend(self._expand_dynamic(block, name))
        attr = self.body.attributes.get(name)
        if not out and attr is not None and not isinstance(attr.expr, JsonExpr):
            # a nested block written as an attribute (``instance_group = [{...}]``: Terraform 0.11
            # and the provider's "attributes as blocks")
            out = value_sections(self.field(name), lambda path: expr_origin(attr, self.scope, path)[0], self.maybe)
        return out

    def blocks_origin(self, name: str) -> Optional[Loc]:
        written = [b for b in self.body.blocks
                   if b.type == name or (b.type == "dynamic" and b.labels and b.labels[0] == name)]
        if len(written) == 1 and written[0].type == "dynamic":
            fe = written[0].body.attributes.get("for_each")
            return expr_origin(fe, self.scope)[0] if fe is not None else None
        attr = self.body.attributes.get(name)
        if not written and attr is not None:
            return self.field(name).origin
        return None

    def empty_block_loc(self, name: str) -> Optional[Loc]:
        if self.sections(name):
            return None
        for block in self.body.blocks:
            if block.type == "dynamic" and block.labels and block.labels[0] == name:
                return block.loc  # its for_each evaluates to nothing
        attr = self.body.attributes.get(name)
        return attr.loc if attr is not None and not isinstance(attr.expr, JsonExpr) else None

    def _expand_dynamic(self, block: Block, name: str) -> Iterator[Section]:
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        if content is None:
            return
        iterator = name
        it_attr = block.body.attributes.get("iterator")
        if it_attr is not None:
            it_name = _bare_name(it_attr.expr)
            if it_name:
                iterator = it_name
        fe = block.body.attributes.get("for_each")
        coll = eval_safely(fe.expr, self.scope) if fe is not None else UNKNOWN
        if isinstance(coll, Unknown) or not isinstance(coll, (list, dict)):
            names = {iterator: {"key": UNKNOWN, "value": UNKNOWN}}
            yield TerraformSection(content.body, self.scope.with_names(**names), block.loc, True)
            return
        for key, value in _iterate(coll):
            names = {iterator: {"key": key, "value": value}}
            sources = {iterator: (fe.expr, fe.loc.path, self.scope, key, ("value",))}
            yield TerraformSection(content.body, self.scope.with_names(sources=sources, **names), block.loc, self.maybe)


class ValueSection(Section):
    """A nested block written as a value (an object, or one element of a list of objects):
    its keys are its fields; ``where(path)`` locates what is written at a path into the value."""

    def __init__(self, value: Any, path: Tuple[Any, ...], where, loc: Loc, maybe: bool = False):
        self.unknown = isinstance(value, Unknown)
        self.value_ = value if isinstance(value, dict) else {}
        self.path = path
        self.where = where
        self.loc = loc
        self.maybe = maybe or self.unknown

    def field(self, name: str) -> Field:
        if self.unknown:
            return Field(UNKNOWN, True, self.loc)
        if name not in self.value_:
            return Field(None, False, self.loc)
        loc = self.where(self.path + (name,))
        return Field(self.value_[name], True, loc)

    def sections(self, name: str) -> List[Section]:
        if self.unknown:
            return [ValueSection(UNKNOWN, self.path + (name,), self.where, self.loc, True)]
        return value_sections(self.field(name), self.where, self.maybe, self.path + (name,))


def value_sections(f: Field, where, maybe: bool, path: Tuple[Any, ...] = ()) -> List[Section]:
    """Sections of a field whose value is an object or a list of objects (unknown ones included)."""
    value = f.value
    if isinstance(value, Unknown):
        return [ValueSection(value, path, where, f.attr_loc, True)]
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    indexed = isinstance(value, list)
    return [ValueSection(item, path + ((i,) if indexed else ()), where, where(path + ((i,) if indexed else ())), maybe)
            for i, item in enumerate(items) if isinstance(item, (dict, Unknown))]


def _bare_name(expr: Any) -> Optional[str]:
    if isinstance(expr, JsonExpr):
        return expr.value if isinstance(expr.value, str) else None
    if isinstance(expr, Node) and expr.kind == "variable":
        return expr.name
    return None

