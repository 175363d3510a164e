"""JSON and YAML documents: safe loading with positions, and sections over them.

Documents are loaded with ruamel.yaml's round-trip loader (positions for every
key and item; no Python objects are ever constructed) after JSON's strict
parser has checked JSON syntax.  Tags that ask for Python objects, alias
expansion beyond a size budget and excessive nesting are refused as EMR001.

:class:`DocSection` reads a mapping with emrlint's normalised (Terraform,
snake_case) names: ``release_label`` finds ``ReleaseLabel``, ``releaseLabel`` or
``release_label``; a schema gives the paths of names whose place differs
(CloudFormation keeps instance groups under ``Instances``...).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

from emrlint.findings import CallSite, Loc
from emrlint.jsonpos import DocumentError, load_document
from emrlint.model import Field, Section
from emrlint.values import UNKNOWN, Unknown


def parse(text: str, kind: str) -> Any:
    """Parse JSON ("json") or YAML ("yaml") text safely; raise :class:`DocumentError`
    (see :func:`emrlint.jsonpos.load_document`)."""
    return load_document(text, kind)


# ---------------------------------------------------------------------------
# positions
# ---------------------------------------------------------------------------


def key_loc(path: str, container: Any, key: Any, fallback: Loc) -> Loc:
    try:
        if isinstance(container, CommentedMap):
            line, col = container.lc.key(key)
        elif isinstance(container, CommentedSeq):
            line, col = container.lc.item(key)
        else:
            return fallback
    except (KeyError, IndexError, TypeError, AttributeError):
        return fallback
    return Loc(path, line + 1, col + 1)


# ---------------------------------------------------------------------------
# resolving values: intrinsic functions (CloudFormation), JSONPath (Step Functions)
# ---------------------------------------------------------------------------


class NoValue:
    """CloudFormation's ``AWS::NoValue``: the property is absent."""


NOVALUE = NoValue()


class Resolver:
    """Turns document values into plain values.  The base class resolves nothing:
    every value is taken as written."""

    def select(self, raw: Any) -> Any:
        """A container or scalar after choosing conditional branches; UNKNOWN if unknowable."""
        return raw

    def value(self, raw: Any) -> Any:
        """The plain value of a document node."""
        raw = self.select(raw)
        if isinstance(raw, (Unknown, NoValue)):
            return raw
        if isinstance(raw, dict):
            out = {}
            for k, v in raw.items():
                key = str(k)
                if key.endswith(".$"):  # Step Functions JSONPath: known only at run time
                    out[key[:-2]] = UNKNOWN
                    continue
                val = self.value(v)
                if not isinstance(val, NoValue):
                    out[key] = val
            return out
        if isinstance(raw, list):
            return [v for v in (self.value(x) for x in raw) if not isinstance(v, NoValue)]
        if isinstance(raw, TaggedScalar):
            return UNKNOWN
        if isinstance(raw, bool) or raw is None:
            return raw
        if isinstance(raw, int):
            return int(raw)
        if isinstance(raw, float):
            return float(raw)
        return str(raw)

    def origin(self, raw: Any) -> Optional[Loc]:
        """Where a value really comes from, when not where it is written (a parameter default)."""
        return None


# ---------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------

# A schema maps a normalised name to where it is in the document when that is not the
# key spelled in Pascal/camel case: a dotted key path ("a.b|c" tries "a.b", then "c"),
# optionally with a sub-schema for the sections found there and a filter on the items'
# values; or a function computing the field from the section.
Spec = Union[str, Tuple[str, "Schema"], Tuple[str, "Schema", Dict[str, Sequence[str]]], Callable]
Schema = Dict[str, Spec]


def _norm(key: Any) -> str:
    key = str(key)
    if key.endswith(".$"):
        key = key[:-2]
    return key.replace("_", "").replace("-", "").lower()


Locator = Callable[[Any, Any, Loc], Loc]


class Document:
    """One parsed document: its path, root node and resolver.  ``locator`` replaces
    the positions ruamel.yaml records, for documents decoded from a string (a state
    machine ``definition`` in Terraform, a CloudFormation ``DefinitionString``)."""

    def __init__(self, path: str, root: Any, resolver: Optional[Resolver] = None, call_sites: Tuple[CallSite, ...] = (),
                 locator: Optional[Locator] = None):
        self.path = path
        self.root = root
        self.resolver = resolver or Resolver()
        self.call_sites = call_sites
        self.locator = locator

    def loc_of(self, container: Any, key: Any, fallback: Optional[Loc] = None) -> Loc:
        fallback = fallback or Loc(self.path, 1, 1)
        if self.locator is not None:
            return self.locator(container, key, fallback)
        return key_loc(self.path, container, key, fallback)


def find_key(mapping: Any, name: str) -> Optional[Any]:
    """The key of ``mapping`` that spells ``name`` (any case, with or without ``_``; ``.$`` included)."""
    if not isinstance(mapping, dict):
        return None
    want = _norm(name)
    for key in mapping.keys():
        if _norm(key) == want:
            return key
    return None


class DocSection(Section):
    def __init__(self, doc: Document, node: Any, loc: Loc, schema: Optional[Schema] = None, maybe: bool = False,
                 unknown: bool = False):
        self.doc = doc
        self.node = node if isinstance(node, dict) else {}
        self.loc = loc
        self.schema = schema or {}
        self.maybe = maybe
        self.unknown = unknown  # the whole block is an unknown value (an unresolvable intrinsic)
        self._keys: Optional[Dict[str, Any]] = None  # normalised name -> first key of the node spelling it

    # -- navigation -----------------------------------------------------------------

    def _walk(self, path: str) -> Tuple[Any, Any, bool]:
        """(container, key, found) for a dotted path of key names from this node."""
        container: Any = self.node
        parts = path.split(".")
        for i, part in enumerate(parts):
            container = self.doc.resolver.select(container) if i else container
            if isinstance(container, Unknown):
                return UNKNOWN, None, True
            key = find_key(container, part) if i else self._own_key(part)
            if key is None:
                return container, None, False
            if i == len(parts) - 1:
                return container, key, True
            container = container[key]
        return container, None, False  # pragma: no cover

    def _own_key(self, name: str) -> Optional[Any]:
        """find_key(self.node, name), with the node's keys normalised once (rules ask a
        resource for dozens of fields)."""
        if self._keys is None:
            self._keys = {}
            for key in self.node.keys():
                self._keys.setdefault(_norm(key), key)
        return self._keys.get(_norm(name))

    def _locate(self, name: str) -> Tuple[Any, Any, bool]:
        spec = self.schema.get(name)
        if spec is None:
            return self._walk(name)
        if callable(spec):
            return UNKNOWN, None, False
        found = (self.node, None, False)
        for path in (spec if isinstance(spec, str) else spec[0]).split("|"):  # alternatives
            found = self._walk(path)
            if found[2]:
                return found
        return found

    def field(self, name: str) -> Field:
        if self.unknown:
            return Field(UNKNOWN, True, self.loc, call_sites=self.doc.call_sites)
        spec = self.schema.get(name)
        if callable(spec):
            return spec(self)
        container, key, found = self._locate(name)
        if isinstance(container, Unknown):
            return Field(UNKNOWN, True, self.loc, call_sites=self.doc.call_sites)
        if not found:
            return Field(None, False, self.loc, call_sites=self.doc.call_sites)
        f = self._field_at(container, key)
        return _tag_map(f) if name == "tags" and spec is None else f

    def _field_at(self, container: Any, key: Any) -> Field:
        loc = self.doc.loc_of(container, key, self.loc)
        if str(key).endswith(".$"):
            return Field(UNKNOWN, True, loc, call_sites=self.doc.call_sites)
        raw = container[key]
        value = self.doc.resolver.value(raw)
        if isinstance(value, NoValue):  # written, but evaluates to nothing: point at the property
            return Field(None, True, loc, call_sites=self.doc.call_sites)
        origin = self.doc.resolver.origin(raw)
        call_sites = self.doc.call_sites
        return Field(value, True, loc, (lambda: (origin, call_sites)) if origin else None, call_sites=call_sites)

    def sections(self, name: str) -> List[Section]:
        if self.unknown:
            return [DocSection(self.doc, {}, self.loc, None, maybe=True, unknown=True)]
        spec = self.schema.get(name)
        sub: Optional[Schema] = None
        where: Dict[str, Sequence[str]] = {}
        if isinstance(spec, tuple):
            sub = spec[1]
            if len(spec) > 2:
                where = spec[2]
        container, key, found = self._locate(name)
        if isinstance(container, Unknown):
            return [DocSection(self.doc, {}, self.loc, sub, maybe=True, unknown=True)]
        if not found:
            return []
        raw = self.doc.resolver.select(container[key])
        loc = self.doc.loc_of(container, key, self.loc)
        if isinstance(raw, Unknown) or str(key).endswith(".$"):
            return [DocSection(self.doc, {}, loc, sub, maybe=True, unknown=True)]
        items = raw if isinstance(raw, list) else [raw]
        out: List[Section] = []
        for i, item in enumerate(items):
            item = self.doc.resolver.select(item)
            item_loc = self.doc.loc_of(raw, i, loc) if isinstance(raw, list) else loc
            if isinstance(item, Unknown):
                out.append(DocSection(self.doc, {}, item_loc, sub, maybe=True, unknown=True))
                continue
            if not isinstance(item, dict):
                continue
            if where and not _matches(self.doc, item, where):
                continue
            out.append(DocSection(self.doc, item, item_loc, sub, self.maybe))
        return out

    def empty_block_loc(self, name: str) -> Optional[Loc]:
        """A property written for ``name`` that gives no block (``!Ref AWS::NoValue``, directly or
        through ``!If``; null; an empty list): where it is written."""
        if self.unknown or self.sections(name):
            return None
        container, key, found = self._locate(name)
        if not found or isinstance(container, Unknown) or key is None:
            return None
        return self.doc.loc_of(container, key, self.loc)


def _tag_map(f: Field) -> Field:
    """Tags as Terraform writes them, a map: CloudFormation's and the API's lists of
    ``{Key, Value}`` become ``{key: value}`` (a key that is unknown makes the map unknown)."""
    if not isinstance(f.value, list):
        return f
    tags: Any = {}
    for item in f.value:
        key = find_key(item, "Key") if isinstance(item, dict) else None
        name = item[key] if key is not None else None
        if not isinstance(name, str):
            tags = Unknown(name.refs) if isinstance(name, Unknown) else UNKNOWN
            break
        value_key = find_key(item, "Value")
        tags[name] = item[value_key] if value_key is not None else None
    return Field(tags, True, f.attr_loc, lambda: (f.origin, f.origin_call_sites), call_sites=f.origin_call_sites)


def _matches(doc: Document, item: Dict[Any, Any], where: Dict[str, Sequence[str]]) -> bool:
    for names, allowed in where.items():
        key = next((k for k in (find_key(item, n) for n in names.split("|")) if k is not None), None)
        value = doc.resolver.value(item[key]) if key is not None else None
        if isinstance(value, Unknown):
            return False
        if not isinstance(value, str) or value.upper() not in allowed:
            return False
    return True


