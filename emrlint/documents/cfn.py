"""CloudFormation (and SAM) templates, YAML or JSON.

Intrinsic functions are resolved as far as the template proves: ``Ref`` to a
parameter gives its ``Default`` (and findings point there), ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::FindInMap`` and ``Fn::If`` with a condition
that can be evaluated from defaults work on known values; ``Ref``/``Fn::GetAtt``
to a resource is an unknown carrying the logical ID (that is how
``JobFlowId: !Ref Cluster`` attaches an instance group); everything else is
unknown.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.scalarstring import LiteralScalarString

from emrlint.documents.doc import NOVALUE, DocSection, Document, NoValue, Resolver, key_loc
from emrlint.documents.emr import CFN_CLUSTER, FLEET, GROUP, SERVERLESS_APP, configurations_field, resource
from emrlint.findings import Loc
from emrlint.textmap import MappedText, line_locator
from emrlint.model import (
    Resource,
    SecurityConfiguration,
    build_cluster,
    decoded_json,
    security_group,
    security_group_rule,
)
from emrlint.values import UNKNOWN, Unknown, concat_parts, number_from_text, unknown_from
from emrlint.lazyre import lazy_re

_SUB_VAR = lazy_re(r"\$\{(!?)([^}]*)\}")


def is_template(root: Any) -> bool:
    if not isinstance(root, dict):
        return False
    if "AWSTemplateFormatVersion" in root:
        return True
    resources = root.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and isinstance(r.get("Type"), str) and r["Type"].startswith(("AWS::", "Custom::"))
        for r in resources.values())


def _intrinsic(raw: Any) -> Optional[Tuple[str, Any]]:
    tag = getattr(raw, "tag", None)
    tag_value = getattr(tag, "value", tag) if tag is not None else None
    if isinstance(tag_value, str) and tag_value.startswith("!") and not tag_value.startswith("!!"):
        name = tag_value[1:]
        payload = raw.value if isinstance(raw, TaggedScalar) else raw
        if name == "GetAtt" and isinstance(payload, str):
            payload = payload.split(".", 1)
        return ("Ref" if name == "Ref" else "Condition" if name == "Condition" else f"Fn::{name}"), payload
    if isinstance(raw, dict) and len(raw) == 1:
        key = next(iter(raw))
        if key == "Ref" or key == "Condition" or (isinstance(key, str) and key.startswith("Fn::")):
            return key, raw[key]
    return None


class CfnResolver(Resolver):
    def __init__(self, template: Dict[str, Any], path: str):
        self.path = path
        self.parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
        self.conditions = template.get("Conditions") if isinstance(template.get("Conditions"), dict) else {}
        self.mappings = template.get("Mappings") if isinstance(template.get("Mappings"), dict) else {}
        resources = template.get("Resources")
        self.resources = set(resources) if isinstance(resources, dict) else set()
        self._cond_cache: Dict[str, Any] = {}
        self._active: set = set()
        self._param_cache: Dict[str, Any] = {}
        self._active_params: set = set()
        self._origin_params: set = set()

    # -- conditions -------------------------------------------------------------------

    def condition(self, name: Any) -> Any:
        if not isinstance(name, str) or name not in self.conditions:
            return UNKNOWN
        if name in self._cond_cache:
            return self._cond_cache[name]
        if name in self._active:
            return UNKNOWN
        self._active.add(name)
        try:
            result = self._condition_expr(self.conditions[name])
        finally:
            self._active.discard(name)
        self._cond_cache[name] = result
        return result

    def _condition_expr(self, raw: Any) -> Any:
        fn = _intrinsic(raw)
        if fn is None:
            return UNKNOWN
        name, arg = fn
        args = list(arg) if isinstance(arg, list) else [arg]
        if name == "Condition":
            return self.condition(arg)
        if name == "Fn::Equals" and len(args) == 2:
            a, b = self.value(args[0]), self.value(args[1])
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return UNKNOWN
            return str(a) == str(b) if not isinstance(a, (list, dict)) else a == b
        if name == "Fn::Not" and args:
            v = self._condition_expr(args[0])
            return v if isinstance(v, Unknown) else not v
        if name in ("Fn::And", "Fn::Or"):
            values = [self._condition_expr(a) for a in args]
            decisive = name == "Fn::Or"
            if any(v is decisive for v in values):
                return decisive
            return UNKNOWN if any(isinstance(v, Unknown) for v in values) else not decisive
        return UNKNOWN

    # -- values -------------------------------------------------------------------

    def select(self, raw: Any) -> Any:
        fn = _intrinsic(raw)
        if fn is None:
            return raw
        name, arg = fn
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            cond = self.condition(arg[0])
            if isinstance(cond, Unknown):
                a, b = self.value(arg[1]), self.value(arg[2])
                if not isinstance(a, (Unknown, NoValue)) and a == b:
                    return self.select(arg[1])
                return UNKNOWN
            return self.select(arg[1] if cond else arg[2])
        if name == "Fn::If":
            return UNKNOWN  # not [condition, then, else]: CloudFormation refuses it, nothing is proved
        if name == "Ref" and arg == "AWS::NoValue":
            return NOVALUE
        return raw

    def value(self, raw: Any) -> Any:
        fn = _intrinsic(raw)
        if fn is None:
            return super().value(raw)
        name, arg = fn
        if name == "Fn::If" or (name == "Ref" and arg == "AWS::NoValue"):
            selected = self.select(raw)
            return selected if isinstance(selected, (Unknown, NoValue)) else self.value(selected)
        if name == "Ref":
            return self._ref(arg)
        if name == "Fn::GetAtt":
            target = arg[0] if isinstance(arg, list) and arg else arg
            return Unknown({str(target)})
        if name == "Fn::Sub":
            return self._sub(arg)
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2:
            delim, items = self.value(arg[0]), self.value(arg[1])
            if not isinstance(delim, str) or not isinstance(items, list):
                return unknown_from(delim, items)
            pieces: List[Any] = []
            for i, item in enumerate(items):
                if i:
                    pieces.append(delim)
                pieces.append(item if isinstance(item, (str, Unknown)) else str(item))
            return concat_parts(pieces)
        if name == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
            index, items = self.value(arg[0]), self.value(arg[1])
            try:
                return items[int(index)] if isinstance(items, list) else unknown_from(items)
            except (ValueError, TypeError, IndexError):
                return UNKNOWN
        if name == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            keys = [self.value(a) for a in arg[:3]]
            node: Any = self.mappings
            for key in keys:
                if not isinstance(key, (str, int)) or not isinstance(node, dict) or key not in node:  # a map or list is no key
                    return UNKNOWN
                node = node[key]
            return self.value(node)
        if name == "Condition":
            return self.condition(arg)
        return UNKNOWN  # Fn::ImportValue, Fn::GetAZs, Fn::Base64, Fn::Split, Fn::Cidr, transforms...

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return UNKNOWN
        if name in self.parameters:
            if name not in self._param_cache:
                if name in self._active_params:
                    return UNKNOWN  # a default that refers to itself (through !Sub or !Ref)
                self._active_params.add(name)
                try:
                    self._param_cache[name] = self._parameter(self.parameters[name])
                finally:
                    self._active_params.discard(name)
            return self._param_cache[name]
        if name.startswith("AWS::"):
            return UNKNOWN  # pseudo parameters: region, account, stack name...
        return Unknown({name})  # a resource's physical ID

    def _parameter(self, param: Any) -> Any:
        """A parameter's value: its Default (a list for list types, a number for Number)."""
        if not isinstance(param, dict) or "Default" not in param:
            return UNKNOWN  # a parameter without a default: whatever the stack is given
        value = self.value(param["Default"])
        list_type = isinstance(param.get("Type"), str) and (
            param["Type"] == "CommaDelimitedList" or param["Type"].startswith("List<"))
        if list_type and isinstance(value, str):
            return [v.strip() for v in value.split(",")]
        if isinstance(value, str) and isinstance(param.get("Type"), str) and param["Type"] == "Number":
            try:
                return number_from_text(value) if value.strip().lstrip("-").isdigit() else float(value)
            except ValueError:
                return value
        return value

    def _sub(self, arg: Any) -> Any:
        template, variables = (arg[0], arg[1] if len(arg) > 1 else {}) if isinstance(arg, list) else (arg, {})
        template = self.value(template)
        if not isinstance(template, str):
            return unknown_from(template)
        pieces: List[Any] = []
        pos = 0
        for m in _SUB_VAR.finditer(template):
            pieces.append(template[pos:m.start()])
            pos = m.end()
            if m.group(1):  # ${!Literal}
                pieces.append("${" + m.group(2) + "}")
                continue
            ref = m.group(2).strip()
            if isinstance(variables, dict) and ref in variables:
                value = self.value(variables[ref])
            elif "." in ref:
                value = Unknown({ref.split(".", 1)[0]})  # ${Resource.Attribute}
            else:
                value = self._ref(ref)
            pieces.append(value if isinstance(value, (str, Unknown)) else str(value))
        pieces.append(template[pos:])
        return concat_parts(pieces)

    def origin(self, raw: Any) -> Optional[Loc]:
        """Where a value was written when an intrinsic brings it from elsewhere: ``!Ref Param``
        (or a ``!Sub`` of exactly one parameter) from the parameter's Default, ``!FindInMap``
        from the mapping entry, ``!If`` from the branch its condition chooses."""
        fn = _intrinsic(raw)
        if fn is None:
            return None
        name, arg = fn
        if name == "Fn::Sub" and isinstance(arg, str):
            m = _SUB_VAR.fullmatch(arg.strip())
            name, arg = ("Ref", m.group(2)) if m and not m.group(1) else (name, arg)
        if name == "Ref" and isinstance(arg, str) and arg in self.parameters:
            param = self.parameters[arg]
            if isinstance(param, dict) and "Default" in param:
                if arg in self._origin_params:
                    return None  # a default that refers to itself
                self._origin_params.add(arg)
                try:
                    return self.origin(param["Default"]) or self._position(param, "Default")
                finally:
                    self._origin_params.discard(arg)
        if name == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            cond = self.condition(arg[0])
            if isinstance(cond, bool):
                index = 1 if cond else 2
                return self.origin(arg[index]) or self._position(arg, index)
        if name == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            keys = [self.value(a) for a in arg[:3]]
            node: Any = self.mappings
            for key in keys[:-1]:
                if not isinstance(key, (str, int)) or not isinstance(node, dict) or key not in node:  # a map or list is no key
                    return None
                node = node[key]
            if isinstance(node, dict) and keys[-1] in node:
                return self._position(node, keys[-1])
        return None

    def mapped_block(self, container: Any, key: Any, lines: List[str]) -> Optional[MappedText]:
        """A string property written as a YAML literal block (``DefinitionString: !Sub |`` or
        ``DefinitionString: |``), rendered with each part mapped to where it was written: the
        block's text to its file lines, a ``${Param}`` to the parameter's Default."""
        raw = container[key]
        fn = _intrinsic(raw)
        if fn is not None and fn[0] == "Fn::Sub" and isinstance(fn[1], str):
            template = fn[1]
        elif fn is None and isinstance(raw, LiteralScalarString):
            template = str(raw)
        else:
            return None
        if getattr(raw, "style", "|" if isinstance(raw, LiteralScalarString) else None) != "|":
            return None  # only a literal block keeps the text's lines as they are in the file
        try:
            key_line = container.lc.key(key)[0]  # 0-based; the block starts on the next line
        except (AttributeError, KeyError, TypeError):
            return None
        first = key_line + 2
        if first > len(lines):
            return None
        content = lines[first - 1]
        where = line_locator(self.path, first, template, len(content) - len(content.lstrip(" ")))
        mapped = MappedText()
        pos = 0
        for m in _SUB_VAR.finditer(template) if fn is not None else ():
            mapped.literal(template[pos:m.start()], pos, where)
            pos = m.end()
            if m.group(1):  # ${!Literal}
                mapped.literal("${" + m.group(2) + "}", m.start(), where)
                continue
            ref = m.group(2).strip()
            value = self._ref(ref) if "." not in ref else UNKNOWN
            start = m.start()
            param = self.origin({"Ref": ref}) if ref in self.parameters else None
            found = lambda param=param, start=start: (param, ()) if param is not None else where(start)  # noqa: E731
            if isinstance(value, Unknown):
                mapped.unknown(found)
            else:
                mapped.value(value if isinstance(value, str) else str(value), found)
        mapped.literal(template[pos:], pos, where)
        return mapped

    def _position(self, container: Any, key: Any) -> Optional[Loc]:
        """The recorded position of a key or item; None where YAML keeps none (scalars in a list)."""
        unknown = Loc(self.path, 0, 0)
        loc = key_loc(self.path, container, key, unknown)
        return None if loc is unknown else loc


# resource type -> (model kind, schema)
RESOURCE_TYPES = {
    "AWS::EMR::Cluster": ("cluster", CFN_CLUSTER),
    "AWS::EMR::InstanceGroupConfig": ("instance_group", {**GROUP, "cluster_id": "JobFlowId"}),
    "AWS::EMR::InstanceFleetConfig": ("instance_fleet", {**FLEET, "cluster_id": "ClusterId"}),
    "AWS::EMR::Step": ("step", {"cluster_id": "JobFlowId"}),
    "AWS::EMR::SecurityConfiguration": ("security_configuration", {}),
    "AWS::EMRServerless::Application": ("serverless_application", SERVERLESS_APP),
    "AWS::EC2::SecurityGroup": ("security_group", {"ingress": ("SecurityGroupIngress", {})}),
    "AWS::EC2::SecurityGroupIngress": ("security_group_rule", {"security_group_id": "GroupId"}),
    "AWS::EC2::Subnet": ("subnet", {}),
}


def load_template(doc: Document, template: Dict[str, Any]) -> List[Resource]:
    """The EMR resources of a template (state machines are returned by the caller's Step Functions loader)."""
    out: List[Resource] = []
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return out
    for logical_id, body in resources.items():
        if not isinstance(body, dict):
            continue
        type_ = body.get("Type")
        spec = RESOURCE_TYPES.get(type_) if isinstance(type_, str) else None
        if spec is None:
            continue
        kind, schema = spec
        loc = doc.loc_of(resources, logical_id)
        condition = body.get("Condition")
        exists = doc.resolver.condition(condition) if condition is not None else True
        if exists is False:
            continue
        props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        section = DocSection(doc, props, loc, schema)
        res = resource(kind, type_, str(logical_id), section, doc, "cloudformation", maybe=isinstance(exists, Unknown))
        if res.maybe:
            res.maybe_reason = f"its Condition {condition} cannot be evaluated from the parameter defaults"
        out.append(_build(kind, res, section, doc))
    return out


def _build(kind: str, res: Resource, section: DocSection, doc: Document) -> Resource:
    if kind == "cluster":
        cluster = build_cluster(res)
        cluster.configurations = configurations_field(section)
        return cluster
    if kind == "security_configuration":
        config = SecurityConfiguration(**vars(res))
        config.settings = decoded_json(section.field("security_configuration"))
        return config
    if kind == "security_group":
        return security_group(res)
    if kind == "security_group_rule":
        return security_group_rule(res)
    return res


def state_machines(doc: Document, template: Dict[str, Any], text: str = "") -> List[Tuple[str, Any, Loc, Any, Any]]:
    """(logical ID, definition node or text, location, DefinitionSubstitutions, the text mapped to
    where each part was written or None) of every state machine; ``text`` is the template's."""
    found = []
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return found
    lines = text.split("\n") if text else []
    for logical_id, body in resources.items():
        if not isinstance(body, dict) or body.get("Type") not in ("AWS::StepFunctions::StateMachine",
                                                                  "AWS::Serverless::StateMachine"):
            continue
        props = body.get("Properties")
        if not isinstance(props, dict):
            continue
        substitutions = doc.resolver.value(props["DefinitionSubstitutions"]) if "DefinitionSubstitutions" in props else None
        if isinstance(props.get("Definition"), dict):
            found.append((str(logical_id), props["Definition"], doc.loc_of(props, "Definition"), substitutions, None))
        elif "DefinitionString" in props:
            found.append((str(logical_id), doc.resolver.value(props["DefinitionString"]),
                          doc.loc_of(props, "DefinitionString"), substitutions,
                          doc.resolver.mapped_block(props, "DefinitionString", lines)))
    return found
