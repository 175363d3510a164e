"""Conditions of YAML policies: compiled against the model's vocabulary, evaluated in
three-valued logic.

A condition is a mapping:

* ``{field: PATH, OPERATOR: ARGUMENT}``, with one operator: ``exists``/``absent``
  (``true``), ``equals``, ``one_of``, ``not_one_of``, ``matches`` (a regular expression,
  RE2 syntax, found anywhere in the value: anchor it with ``^...$``), ``glob`` (``*``, ``?``,
  ``[...]`` over the whole value), ``gt``/``gte``/``lt``/``lte``, ``contains`` (an item of a
  list, a key of a map; a list of them: all of them); ``ignore_case: true`` for the string
  operators.  An argument may be ``{param: NAME}``, one of the policy's parameters.
* ``{and: [...]}``, ``{or: [...]}``, ``{not: CONDITION}``;
* ``{all: SECTION, require: CONDITION}`` (and ``any``, ``none``), optionally with
  ``where: CONDITION`` choosing the sections it is about.

Every condition is true, false or unknown.  A value emrlint cannot evaluate makes a
condition about it unknown, never true or false (``not`` of unknown is unknown), and a
policy fires only when its ``require`` is false.  What a false condition is about (the
value that fails, the block that lacks it) is where the finding points.
"""

from __future__ import annotations

import fnmatch
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from emrlint.findings import Loc
from emrlint.model import Field, Section, get_ci, known_number
from emrlint.record import dataclass
from emrlint.schema import FieldDoc, KindDoc, SectionDoc
from emrlint.values import Unknown, contains_unknown, leading_text, shown, trailing_text

UNKNOWN = None  # the third truth value


@dataclass
class Evidence:
    """What makes a condition true or false: where to point, what about (the key), and why."""

    loc: Loc
    key: str
    detail: str
    field: str = ""
    value: Any = None
    presence: bool = False  # about whether something is written (exists/absent), not what it is


@dataclass
class Result:
    truth: Optional[bool]
    evidence: List[Evidence]


class CompileError(Exception):
    def __init__(self, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.line = line


# ---------------------------------------------------------------------------
# what a condition is evaluated on
# ---------------------------------------------------------------------------


@dataclass
class Subject:
    """A block of configuration and its place in the model: the resource itself, or one of
    its sections (an instance group, a bootstrap action...)."""

    section: Section
    schema: Any  # KindDoc or SectionDoc
    obj: Any  # the model object with the section's attributes (Resource, InstanceGroup...), or None
    key: str  # the key prefix of findings about it: "", "instance_groups[core].", ...
    source_format: str
    params: Dict[str, Any]


def _members(schema: Any) -> Tuple[Dict[str, FieldDoc], Dict[str, SectionDoc]]:
    return schema.fields, schema.sections


def _is_unknown_section(section: Section) -> bool:
    return bool(getattr(section, "unknown", False))


def _absent(loc: Loc) -> Field:
    return Field(None, False, loc)


def _sub_field(f: Field, name: str) -> Field:
    """``tags.Team``: a key of a map-valued field (any spelling of the key)."""
    value = f.value
    if isinstance(value, Unknown):
        return f
    if not isinstance(value, dict):
        return Field(None, False, f.attr_loc if value is None else f.origin)
    sub = get_ci(value, name) if name not in value else value[name]
    present = name in value or sub is not None
    return Field(sub, present, f.attr_loc, lambda: (f.origin, f.origin_call_sites))


# ---------------------------------------------------------------------------
# compiled conditions
# ---------------------------------------------------------------------------


class Condition:
    line: Optional[int] = None

    def evaluate(self, subject: Subject) -> Result:  # pragma: no cover - interface
        raise NotImplementedError


def _and(results: Sequence[Result]) -> Result:
    failed = [r for r in results if r.truth is False]
    if failed:
        return Result(False, [e for r in failed for e in r.evidence])
    if any(r.truth is UNKNOWN for r in results):
        return Result(UNKNOWN, [])
    return Result(True, [e for r in results for e in r.evidence])


def _or(results: Sequence[Result], empty: Evidence) -> Result:
    held = [r for r in results if r.truth is True]
    if held:
        return Result(True, held[0].evidence)
    if any(r.truth is UNKNOWN for r in results):
        return Result(UNKNOWN, [])
    if not results:
        return Result(False, [empty])
    evidence = [r.evidence[0] for r in results if r.evidence]
    # "absent, or matching": what the value is tells more than that it is set
    telling = [e for e in evidence if not e.presence and e.value is not None] or evidence
    if not telling:
        return Result(False, [empty])
    first = telling[0]
    return Result(False, [Evidence(first.loc, first.key, ", and ".join(e.detail for e in telling), first.field,
                                   first.value)])


def _not(result: Result) -> Result:
    if result.truth is UNKNOWN:
        return result
    if result.truth is True:
        return Result(False, result.evidence)  # what made the inner condition true is what is wrong
    return Result(True, result.evidence)


class And(Condition):
    def __init__(self, parts: List[Condition]):
        self.parts = parts

    def evaluate(self, subject: Subject) -> Result:
        return _and([p.evaluate(subject) for p in self.parts])


class Or(Condition):
    def __init__(self, parts: List[Condition]):
        self.parts = parts

    def evaluate(self, subject: Subject) -> Result:
        return _or([p.evaluate(subject) for p in self.parts],
                   Evidence(subject.section.loc, subject.key.rstrip("."), "no alternative holds"))


class Not(Condition):
    def __init__(self, inner: Condition):
        self.inner = inner

    def evaluate(self, subject: Subject) -> Result:
        return _not(self.inner.evaluate(subject))


class Quantified(Condition):
    """``all``/``any``/``none`` over the sections at ``path`` (the last one repeated)."""

    def __init__(self, quantifier: str, path: List[str], target: SectionDoc, require: Condition,
                 where: Optional[Condition]):
        self.quantifier = quantifier
        self.path = path
        self.target = target
        self.require = require
        self.where = where

    def _items(self, subject: Subject) -> Tuple[Optional[List[Subject]], Section]:
        """The sections, or None when which sections there are cannot be known."""
        section, schema = subject.section, subject.schema
        for name in self.path[:-1]:
            found = section.sections(name)
            if not found:
                return [], section
            if found[0].maybe or _is_unknown_section(found[0]):
                return None, section
            section, schema = found[0], schema.sections[name]
        name = self.path[-1]
        prefix = subject.key + ".".join(self.path)
        out: List[Subject] = []
        if self.target.collection:
            owner = subject.obj if len(self.path) == 1 else None
            entries = list(getattr(owner, self.target.collection, None) or [])
            if owner is not None and getattr(owner, "capacity_incomplete", False) and \
                    self.target.collection in ("instance_groups", "instance_fleets"):
                out.append(None)  # type: ignore[arg-type]  # more may be attached than the scan sees
            if owner is not None and getattr(owner, "scaling_incomplete", False) and \
                    self.target.collection == "scaling_policies":
                out.append(None)  # type: ignore[arg-type]
        else:
            entries = section.sections(name)
        roles = [getattr(e, "role", "") for e in entries]
        for i, entry in enumerate(entries, 1):
            sec = entry if isinstance(entry, Section) else entry.section
            role = roles[i - 1]
            # a selector that stays when unrelated groups come and go: address, name, role, position
            selector = getattr(entry, "address", "") or _name_of(sec) or (
                role if role and roles.count(role) == 1 else f"{role}#{roles[:i].count(role)}" if role else f"#{i}")
            out.append(Subject(sec, self.target, entry, f"{prefix}[{selector}].", subject.source_format,
                               subject.params))
        return out, section

    def evaluate(self, subject: Subject) -> Result:
        items, section = self._items(subject)
        key = subject.key + ".".join(self.path)
        if items is None:
            return Result(UNKNOWN, [])
        results = []
        for item in items:
            if item is None or item.section.maybe and self.quantifier == "any" or _is_unknown_section(item.section):
                results.append(Result(UNKNOWN, []))
                continue
            applies = self.where.evaluate(item) if self.where is not None else Result(True, [])
            outcome = self.require.evaluate(item)
            if self.quantifier == "none":
                outcome = _not(outcome)
            if self.quantifier == "any":
                results.append(_and([applies, outcome]) if applies.truth is not False else Result(False, []))
            elif applies.truth is False:
                results.append(Result(True, []))
            elif applies.truth is UNKNOWN and outcome.truth is not True:
                results.append(Result(UNKNOWN, []))
            else:
                results.append(outcome)
        if self.quantifier == "any":
            what = self.path[-1].replace("_", " ")
            return _or(results, Evidence(section.loc, key, f"no {what} satisfies the policy"))
        return _and(results)


def _name_of(section: Section) -> str:
    name = section.field("name").value
    return f'"{name}"' if isinstance(name, str) and name and '"' not in name and "]" not in name else ""


class Leaf(Condition):
    def __init__(self, path: List[str], operator: str, argument: Any, check: Callable[..., Any],
                 is_section: bool, formats: Optional[Tuple[str, ...]], attributes: List[str],
                 ignore_case: bool = False):
        self.path = path
        self.operator = operator
        self.argument = argument
        self.check = check
        self.is_section = is_section
        self.formats = formats
        self.attributes = attributes  # per path element: the model attribute to read, or ""
        self.ignore_case = ignore_case

    @property
    def name(self) -> str:
        return ".".join(self.path)

    def _lookup(self, subject: Subject) -> Tuple[Optional[Field], Optional[List[Section]], Section]:
        """(the field, or the sections for a section path, and the deepest block found); a field
        of None: the value cannot be known (an unknown block on the way)."""
        section = subject.section
        schema = subject.schema
        for i, part in enumerate(self.path):
            last = i == len(self.path) - 1
            fields, sections = _members(schema)
            if part in fields and not (last and self.is_section):
                attribute = self.attributes[i]
                if attribute:
                    got = getattr(subject.obj, attribute, None) if i == 0 else None
                    f = got if isinstance(got, Field) else (
                        Field(got, True, section.loc) if got is not None else _absent(section.loc))
                else:
                    f = section.field(part)
                for rest in self.path[i + 1:]:
                    f = _sub_field(f, rest)
                return f, None, section
            found = section.sections(part)
            if last:
                return None, found, section
            if not found:
                return _absent(section.loc), None, section
            sub = found[0]
            if _is_unknown_section(sub):
                return None, None, section
            section, schema = sub, sections[part]
        return None, None, section  # pragma: no cover - compile() rejects an empty path

    def evaluate(self, subject: Subject) -> Result:
        key = subject.key + self.name
        if self.formats is not None and subject.source_format not in self.formats:
            return Result(UNKNOWN, [])
        f, blocks, section = self._lookup(subject)
        argument = self.argument
        if isinstance(argument, ParamRef):
            argument = subject.params.get(argument.name)
            if argument is None:
                return Result(UNKNOWN, [])  # a parameter without a value: nothing to compare with
        if blocks is not None:  # exists/absent of a section
            if any(b.maybe or _is_unknown_section(b) for b in blocks):
                return Result(UNKNOWN, [])
            present = bool(blocks)
            loc = blocks[0].loc if blocks else section.loc
            holds = present if self.operator == "exists" else not present
            detail = f"{self.name} is {'written' if present else 'not written'}"
            return Result(holds, [Evidence(loc, key, detail, self.name, presence=True)])
        if f is None:
            return Result(UNKNOWN, [])
        truth, detail = self.check(f.value, argument, self.ignore_case)
        if truth is UNKNOWN:
            return Result(UNKNOWN, [])
        return Result(truth, [Evidence(f.loc, key, f"{self.name} {detail}", self.name, f.value,
                                       self.operator in ("exists", "absent"))])


@dataclass(frozen=True)
class ParamRef:
    name: str


# ---------------------------------------------------------------------------
# operators: (value, argument, ignore_case) -> (True/False/None, what the value is)
# ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    """A value as the configuration writes it: "text", 12, true, ["a", "b"]."""
    import json

    if isinstance(value, Unknown):
        return shown(value)
    try:
        text = json.dumps(value, ensure_ascii=False, default=lambda v: shown(v) if isinstance(v, Unknown) else str(v))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _text(value: Any) -> Optional[str]:
    """A scalar as Terraform would turn it into a string; None for what has no string form."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))
    return value if isinstance(value, str) else None


def _same(value: Any, wanted: Any, ignore_case: bool) -> Optional[bool]:
    """Whether a (known) value is the wanted one: numbers by value, booleans also from
    "true"/"false", strings exactly (or ignoring case)."""
    if isinstance(value, Unknown):
        return _partly(value, wanted, ignore_case)
    if isinstance(value, (dict, list)) and not isinstance(wanted, (dict, list)):
        return UNKNOWN  # not the kind of value the policy compares: nothing is proven
    if isinstance(wanted, bool):
        text = _text(value)
        return text is not None and text.lower() == ("true" if wanted else "false")
    if isinstance(wanted, (int, float)):
        number = known_number(value)
        return number is not None and number == float(wanted)
    if isinstance(wanted, str):
        text = _text(value)
        if text is None:
            return False
        return text.lower() == wanted.lower() if ignore_case else text == wanted
    if contains_unknown(value):
        return UNKNOWN
    return value == wanted


def _partly(value: Unknown, wanted: Any, ignore_case: bool) -> Optional[bool]:
    """A partly known string can only be a wanted string that starts and ends as it does."""
    lead, trail = leading_text(value), trailing_text(value)
    if not isinstance(wanted, str) or not (lead or trail):
        return UNKNOWN
    w = wanted.lower() if ignore_case else wanted
    lead, trail = (lead.lower(), trail.lower()) if ignore_case else (lead, trail)
    if not w.startswith(lead) or not w.endswith(trail):
        return False
    return UNKNOWN


def _items(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


def _every(value: Any, test: Callable[[Any], Optional[bool]]) -> Tuple[Optional[bool], List[Any]]:
    """Whether every item of a list (or the value) passes; the items that do not."""
    if isinstance(value, Unknown) and value.parts is None:
        return UNKNOWN, []
    bad, unknown = [], False
    for item in _items(value):
        ok = test(item)
        if ok is False:
            bad.append(item)
        elif ok is UNKNOWN:
            unknown = True
    if bad:
        return False, bad
    return (UNKNOWN if unknown else True), []


def _missing(value: Any) -> bool:
    return value is None


def op_exists(value: Any, argument: Any, ignore_case: bool):
    if isinstance(value, Unknown):
        return UNKNOWN, ""  # written, but it may evaluate to null
    present = value is not None
    return (present if argument else not present), ("is set" if present else "is not set")


def op_absent(value: Any, argument: Any, ignore_case: bool):
    return op_exists(value, not argument, ignore_case)


def op_equals(value: Any, argument: Any, ignore_case: bool):
    if _missing(value):
        return False, "is not set"
    same = _same(value, argument, ignore_case)
    return same, f"is {_show(value)}, not {_show(argument)}" if same is False else f"is {_show(value)}"


def _one_of(value: Any, allowed: Sequence[Any], ignore_case: bool) -> Optional[bool]:
    results = [_same(value, a, ignore_case) for a in allowed]
    if any(r is True for r in results):
        return True
    return UNKNOWN if any(r is UNKNOWN for r in results) else False


def op_one_of(value: Any, argument: Any, ignore_case: bool):
    if _missing(value):
        return False, "is not set"
    truth, bad = _every(value, lambda v: _one_of(v, argument, ignore_case))
    if truth is False:
        return False, f"has {', '.join(_show(b) for b in bad)}, not one of {', '.join(_show(a) for a in argument)}"
    return truth, f"is {_show(value)}"


def op_not_one_of(value: Any, argument: Any, ignore_case: bool):
    if _missing(value):
        return True, "is not set"
    truth, bad = _every(value, lambda v: _flip(_one_of(v, argument, ignore_case)))
    if truth is False:
        return False, f"has {', '.join(_show(b) for b in bad)}"
    return truth, f"is {_show(value)}"


def _flip(truth: Optional[bool]) -> Optional[bool]:
    return truth if truth is UNKNOWN else not truth


def op_matches(value: Any, argument: Any, ignore_case: bool):
    from emrlint.policies.regex import compile_pattern

    if _missing(value):
        return False, "is not set"
    patterns = [compile_pattern(p, ignore_case) for p in _items(argument)]

    def test(item: Any) -> Optional[bool]:
        text = _text(item)
        if text is None:
            return UNKNOWN
        found = [p.search(text) for p in patterns]
        return True if True in found else (UNKNOWN if UNKNOWN in found else False)

    truth, bad = _every(value, test)
    if truth is False:
        return False, f"is {', '.join(_show(b) for b in bad)}, which does not match {' or '.join(_items(argument))}"
    return truth, f"is {_show(value)}"


def _glob_literal(pattern: str) -> str:
    for i, ch in enumerate(pattern):
        if ch in "*?[":
            return pattern[:i]
    return pattern


def _glob_one(item: Any, pattern: str, ignore_case: bool) -> Optional[bool]:
    if isinstance(item, Unknown):
        lead = leading_text(item)
        literal = _glob_literal(pattern)
        if ignore_case:
            lead, literal = lead.lower(), literal.lower()
        if lead and not (lead.startswith(literal) or literal.startswith(lead)):
            return False  # it starts with something the pattern cannot start with
        if lead.startswith(literal) and pattern[len(literal):] == "*":
            return True  # "prefix*": the known start proves it
        return UNKNOWN
    text = _text(item)
    if text is None:
        return UNKNOWN
    if ignore_case:
        return fnmatch.fnmatchcase(text.lower(), pattern.lower())
    return fnmatch.fnmatchcase(text, pattern)


def op_glob(value: Any, argument: Any, ignore_case: bool):
    if _missing(value):
        return False, "is not set"

    def test(item: Any) -> Optional[bool]:
        found = [_glob_one(item, p, ignore_case) for p in _items(argument)]
        return True if True in found else (UNKNOWN if UNKNOWN in found else False)

    truth, bad = _every(value, test)
    if truth is False:
        return False, f"is {', '.join(_show(b) for b in bad)}, which does not match {' or '.join(_items(argument))}"
    return truth, f"is {_show(value)}"


def _compare(symbol: str, test: Callable[[float, float], bool]):
    def op(value: Any, argument: Any, ignore_case: bool):
        if _missing(value):
            return False, "is not set"

        def one(item: Any) -> Optional[bool]:
            number = known_number(item.strip() if isinstance(item, str) else item)
            return UNKNOWN if number is None else test(number, float(argument))

        truth, bad = _every(value, one)
        if truth is False:
            return False, f"is {', '.join(_show(b) for b in bad)}, not {symbol} {argument:g}"
        return truth, f"is {_show(value)}"
    return op


def op_contains(value: Any, argument: Any, ignore_case: bool):
    if _missing(value):
        return False, "is not set"
    wanted = _items(argument)
    if isinstance(value, dict):
        keys = [str(k) for k in value]
        missing = [w for w in wanted if not any(_same(k, w, ignore_case) for k in keys)]
        return (not missing), (f"has no {', '.join(str(m) for m in missing)} key{'s' if len(missing) > 1 else ''}"
                               if missing else f"has {', '.join(str(w) for w in wanted)}")
    if isinstance(value, list):
        missing, unknown = [], False
        for w in wanted:
            found = [_same(v, w, ignore_case) for v in value]
            if True in found:
                continue
            if UNKNOWN in found:
                unknown = True
            else:
                missing.append(w)
        if missing:
            return False, f"does not contain {', '.join(_show(m) for m in missing)}"
        return (UNKNOWN if unknown else True), f"contains {', '.join(_show(w) for w in wanted)}"
    return UNKNOWN, ""


OPERATORS: Dict[str, Callable[..., Any]] = {
    "exists": op_exists,
    "absent": op_absent,
    "equals": op_equals,
    "one_of": op_one_of,
    "not_one_of": op_not_one_of,
    "matches": op_matches,
    "glob": op_glob,
    "gt": _compare(">", lambda a, b: a > b),
    "gte": _compare(">=", lambda a, b: a >= b),
    "lt": _compare("<", lambda a, b: a < b),
    "lte": _compare("<=", lambda a, b: a <= b),
    "contains": op_contains,
}
# what each operator's argument must be, for its check and for a parameter's type
ARGUMENTS = {
    "exists": "bool", "absent": "bool", "equals": "scalar", "one_of": "list", "not_one_of": "list",
    "matches": "strings", "glob": "strings", "gt": "number", "gte": "number", "lt": "number", "lte": "number",
    "contains": "strings",
}


# ---------------------------------------------------------------------------
# compiling a condition from its YAML
# ---------------------------------------------------------------------------

COMBINATORS = ("and", "or", "not")
QUANTIFIERS = ("all", "any", "none")
LEAF_KEYS = ("field", "ignore_case")


def _line(node: Any, key: Any = None) -> Optional[int]:
    from emrlint.jsonpos import key_position

    if key is not None:
        pos = key_position(node, key)
        if pos:
            return pos[0]
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and getattr(lc, "line", None) is not None else None


class Compiler:
    """Compiles one policy's conditions for one resource kind."""

    def __init__(self, kind: str, schema: KindDoc, params: Dict[str, Any]):
        self.kind = kind
        self.schema = schema
        self.params = params  # parameter name -> rulekit.Param

    def condition(self, node: Any, schema: Any, line: Optional[int], where: str) -> Condition:
        if not isinstance(node, dict) or not node:
            raise CompileError(f"{where}: expected a condition (a mapping such as {{field: log_uri, exists: true}})",
                               line)
        heads = [k for k in node if k in COMBINATORS + QUANTIFIERS]
        if heads:
            head = heads[0]
            line = _line(node, head) or line
            allowed = {head} | ({"require", "where"} if head in QUANTIFIERS else set())
            extra = [k for k in node if k not in allowed]
            if extra:
                raise CompileError(f"{where}: {head!r} cannot be combined with {extra[0]!r} in one condition"
                                   + (" (a quantifier takes require: and where:)" if head in QUANTIFIERS else ""),
                                   _line(node, extra[0]) or line)
            cond = self._compound(head, node, schema, line, where)
        elif "field" in node:
            cond = self._leaf(node, schema, _line(node, "field") or line, where)
        else:
            first = next(iter(node))
            raise CompileError(f"{where}: unknown condition {first!r} (a condition is field: with an operator, "
                               f"{', '.join(COMBINATORS)}, or {', '.join(QUANTIFIERS)} with require:)",
                               _line(node, first) or line)
        cond.line = line
        return cond

    def _compound(self, head: str, node: Any, schema: Any, line: Optional[int], where: str) -> Condition:
        value = node[head]
        if head in ("and", "or"):
            if not isinstance(value, list) or not value:
                raise CompileError(f"{where}: {head} expects a list of conditions", line)
            return (And if head == "and" else Or)([
                self.condition(v, schema, _line(value, i) or line, f"{where}.{head}[{i}]") for i, v in enumerate(value)])
        if head == "not":
            return Not(self.condition(value, schema, line, f"{where}.not"))
        if not isinstance(value, str) or not value.strip():
            raise CompileError(f"{where}: {head} names the sections it is about (instance_groups, "
                               "bootstrap_actions...)", line)
        if "require" not in node:
            raise CompileError(f"{where}: {head}: {value} needs require: (what each section must satisfy)", line)
        path = value.strip().split(".")
        target_schema = schema
        for i, part in enumerate(path):
            sections = target_schema.sections
            if part not in sections:
                raise CompileError(self._unknown(part, target_schema, "section", where), line)
            sub = sections[part]
            if i < len(path) - 1 and (sub.repeated or sub.collection):
                raise CompileError(f"{where}: {part} is repeated: quantify it with its own {head}:", line)
            if sub.collection and i:
                raise CompileError(f"{where}: {part} is a list of the resource itself: quantify it first", line)
            target_schema = sub
        inner_where = f"{where}.{head}({value})"
        require = self.condition(node["require"], target_schema, _line(node, "require") or line,
                                 f"{inner_where}.require")
        filt = (self.condition(node["where"], target_schema, _line(node, "where") or line, f"{inner_where}.where")
                if "where" in node else None)
        return Quantified(head, path, target_schema, require, filt)

    def _unknown(self, name: str, schema: Any, what: str, where: str) -> str:
        fields, sections = _members(schema)
        known = sorted(set(fields) | set(sections))
        owner = self.kind if schema is self.schema else "this section"
        import difflib

        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        return (f"{where}: unknown {what} {name!r} of {owner}{hint} (known: {', '.join(known)}; "
                "see docs/model.md)")

    def _leaf(self, node: Any, schema: Any, line: Optional[int], where: str) -> Condition:
        path_text = node["field"]
        if not isinstance(path_text, str) or not path_text.strip():
            raise CompileError(f"{where}: field: expects a field name (log_uri, ec2_attributes.subnet_id)", line)
        ops = [k for k in node if k not in LEAF_KEYS]
        if len(ops) != 1:
            raise CompileError(f"{where}: field: {path_text} needs exactly one operator "
                               f"({', '.join(OPERATORS)}), found {len(ops) or 'none'}"
                               + (f": {', '.join(map(str, ops))}" if ops else ""), line)
        op = ops[0]
        op_line = _line(node, op) or line
        if op not in OPERATORS:
            import difflib

            close = difflib.get_close_matches(str(op), list(OPERATORS), n=1)
            raise CompileError(f"{where}: unknown operator {op!r}" + (f"; did you mean {close[0]}?" if close else "")
                               + f" (operators: {', '.join(OPERATORS)})", op_line)
        ignore_case = node.get("ignore_case", False)
        if not isinstance(ignore_case, bool):
            raise CompileError(f"{where}: ignore_case expects true or false", _line(node, "ignore_case") or line)
        path = path_text.strip().split(".")
        attributes: List[str] = []
        formats: Optional[Tuple[str, ...]] = None
        is_section = False
        current = schema
        for i, part in enumerate(path):
            fields, sections = _members(current)
            last = i == len(path) - 1
            if part in fields:
                doc = fields[part]
                attributes.append(doc.attribute)
                formats = doc.formats
                if not last and not doc.open:
                    raise CompileError(f"{where}: {part} is a {doc.type}, not a map: {'.'.join(path[i + 1:])} "
                                       "cannot be read from it", line)
                if doc.attribute and i:
                    raise CompileError(f"{where}: {part} can only be read on the resource itself", line)
                attributes += [""] * (len(path) - i - 1)
                break
            if part in sections:
                sub = sections[part]
                attributes.append("")
                if last:
                    is_section = True
                    if op not in ("exists", "absent"):
                        raise CompileError(f"{where}: {part} is a section: only exists/absent apply to it; use "
                                           f"all/any/none, or name one of its fields", op_line)
                    if sub.collection:
                        raise CompileError(f"{where}: {part} is a list emrlint assembles; test it with any:", op_line)
                elif sub.repeated or sub.collection:
                    raise CompileError(f"{where}: {part} is repeated: use all:, any: or none: {part} with "
                                       f"require: {{field: {'.'.join(path[i + 1:])}, ...}}", line)
                current = sub
                continue
            raise CompileError(self._unknown(part, current, "field", where), line)
        argument = self._argument(op, node[op], op_line, where, ignore_case)
        return Leaf(path, op, argument, OPERATORS[op], is_section, formats, attributes, ignore_case)

    def _argument(self, op: str, value: Any, line: Optional[int], where: str, ignore_case: bool) -> Any:
        from emrlint.jsonpos import plain

        want = ARGUMENTS[op]
        if isinstance(value, dict) and set(value) == {"param"}:
            name = value["param"]
            spec = self.params.get(name) if isinstance(name, str) else None
            if spec is None:
                raise CompileError(f"{where}: {op}: unknown parameter {name!r} (declare it under params:)", line)
            fits = {"bool": ("bool",), "scalar": ("string", "number", "integer", "bool"), "list": ("list",),
                    "strings": ("string", "list"), "number": ("number", "integer")}[want]
            if spec.type not in fits:
                raise CompileError(f"{where}: {op} needs a {want} argument; parameter {name} is a {spec.type}", line)
            return ParamRef(name)
        value = plain(value)
        ok = {
            "bool": isinstance(value, bool),
            "scalar": isinstance(value, (str, int, float, bool)),
            "list": isinstance(value, list) and bool(value) and all(isinstance(v, (str, int, float, bool))
                                                                    for v in value),
            "strings": isinstance(value, str) or (isinstance(value, list) and bool(value)
                                                  and all(isinstance(v, str) for v in value)),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        }[want]
        if not ok:
            expected = {"bool": "true or false", "scalar": "a string, number or boolean",
                        "list": "a list of values", "strings": "a string or a list of strings",
                        "number": "a number"}[want]
            raise CompileError(f"{where}: {op} expects {expected}, got {value!r}", line)
        if op in ("exists", "absent") and value is not True:
            raise CompileError(f"{where}: write {op}: true (for the opposite, use "
                               f"{'absent' if op == 'exists' else 'exists'}: true)", line)
        if op == "matches":
            from emrlint.policies.regex import RegexError, compile_pattern

            for pattern in _items(value):
                try:
                    compile_pattern(pattern, ignore_case)
                except RegexError as exc:
                    raise CompileError(f"{where}: matches: invalid regular expression {pattern!r}: {exc}",
                                       line) from None
        return value
