"""Shared helpers for the EMR5xx/EMR6xx rules: the instance groups and fleets of a
resource, their EBS volumes and Spot specifications, value display, and merging of
findings that point at the same written value.

Not a rule (the name starts with ``_``).  Everything here reads emrlint's model only and
never raises on odd values (None, Unknown, lists, dicts, numbers as strings).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List, Optional, Tuple

from emrlint.capacity import ROLE_WORD, ROLES, join, type_configs, volumes
from emrlint.findings import Loc
from emrlint.model import Field, Section, known_number
from emrlint.rulekit import is_unknown


class Unit:
    """An instance group or fleet to check: inline in a cluster, or a separate resource
    (``aws_emr_instance_group``/``_fleet``, ``AWS::EMR::InstanceGroupConfig``/``InstanceFleetConfig``)."""

    __slots__ = ("kind", "role", "section", "label", "path", "standalone")

    def __init__(self, kind: str, role: str, section: Section, label: str, path: str, standalone: bool):
        self.kind = kind  # "group" or "fleet"
        self.role = role
        self.section = section
        self.label = label  # "core instance group", "task instance fleet", "instance group"
        self.path = path  # key prefix: "core_instance_group", "task_instance_group[1]", "" (separate resource)
        self.standalone = standalone

    @property
    def maybe(self) -> bool:
        return bool(getattr(self.section, "maybe", False))

    def field(self, name: str) -> Field:
        return self.section.field(name)


def units(res: Any) -> List[Unit]:
    """The groups and fleets a resource defines itself.  A cluster's attached groups and
    fleets are left out: they are resources of their own and are checked there."""
    out: List[Unit] = []
    kind = getattr(res, "kind", "")
    if kind == "cluster":
        groups = [g for g in (getattr(res, "instance_groups", None) or []) if not getattr(g, "address", "")]
        fleets = [f for f in (getattr(res, "instance_fleets", None) or []) if not getattr(f, "address", "")]
        for role in ROLES:
            mine = [g for g in groups if g.role == role]
            for i, g in enumerate(mine):
                path = f"{role}_instance_group" + (f"[{i}]" if len(mine) > 1 else "")
                out.append(Unit("group", role, g.section, f"{ROLE_WORD[role]} instance group", path, False))
            mine = [f for f in fleets if f.role == role]
            for i, f in enumerate(mine):
                path = f"{role}_instance_fleet" + (f"[{i}]" if len(mine) > 1 else "")
                out.append(Unit("fleet", role, f.section, f"{ROLE_WORD[role]} instance fleet", path, False))
    elif kind == "instance_group":
        out.append(Unit("group", "task", res.body, "instance group", "", True))
    elif kind == "instance_fleet":
        out.append(Unit("fleet", "task", res.body, "instance fleet", "", True))
    return out


# ---------------------------------------------------------------------------
# EBS volumes
# ---------------------------------------------------------------------------


def ebs_volumes(unit: Unit) -> Iterator[Tuple[Section, str, str]]:
    """(volume section, key prefix, where) for every EBS volume of a group or fleet."""
    if unit.kind == "group":
        vols = volumes(unit.section)
        for i, v in enumerate(vols):
            yield v, join(unit.path, "ebs_config" + (f"[{i}]" if len(vols) > 1 else "")), unit.label
        return
    for tc, part, desc in type_configs(unit.section):
        vols = volumes(tc)
        for i, v in enumerate(vols):
            key = join(unit.path, f"{part}.ebs_config" + (f"[{i}]" if len(vols) > 1 else ""))
            yield v, key, f"{unit.label} ({desc})"


def spot_specifications(fleet: Section) -> Tuple[List[Section], bool]:
    """The ``launch_specifications.spot_specification`` blocks of a fleet, and whether
    any of them (or their enclosing block) may or may not exist."""
    specs: List[Section] = []
    maybe = False
    for ls in fleet.sections("launch_specifications"):
        if getattr(ls, "maybe", False):
            maybe = True
        for spec in ls.sections("spot_specification"):
            if getattr(spec, "maybe", False):
                maybe = True
            specs.append(spec)
    return specs, maybe


# ---------------------------------------------------------------------------
# values
# ---------------------------------------------------------------------------


def text_value(value: Any) -> Optional[str]:
    """A known scalar as the string AWS would receive, or None (absent, unknown, list, dict, bool)."""
    if value is None or is_unknown(value) or isinstance(value, (bool, list, dict)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return show_number(value)
    return None


def number(value: Any) -> Optional[float]:
    """A known number (numbers written as strings included), or None."""
    if isinstance(value, str):
        value = value.strip()
    return known_number(value)


def show_number(n: Any) -> str:
    try:
        f = float(n)
    except (TypeError, ValueError):
        return str(n)
    return str(int(f)) if f.is_integer() else f"{f:g}"


def show(value: Any) -> str:
    """A value as it would be written in the configuration."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return show_number(value)
    return str(value)


def where_loc(f: Field) -> Loc:
    """Where to point for this field: its written value (or the attribute when null)."""
    try:
        return f.loc
    except Exception:  # an origin that cannot be resolved: the attribute is the next best place
        return f.attr_loc


def is_terraform(res: Any) -> bool:
    return str(getattr(res, "source_format", "")).startswith("terraform")


def places(wheres: List[str]) -> str:
    """``["core instance fleet (a)", "core instance fleet (b)", "task group"]`` ->
    "the core instance fleet (a, b) and the task group"."""
    unique: List[str] = []
    details: Dict[str, List[str]] = {}
    for w in wheres:
        label, sep, rest = w.partition(" (")
        if sep and rest.endswith(")"):
            details.setdefault(label, [])
            if label not in unique:
                unique.append(label)
            if rest[:-1] not in details[label]:
                details[label].append(rest[:-1])
        elif w not in unique:
            unique.append(w)
    unique = [f"{u} ({', '.join(details[u])})" if details.get(u) else u for u in unique]
    if len(unique) <= 1:
        return f"the {unique[0]}" if unique else "this resource"
    return "the " + ", the ".join(unique[:-1]) + f" and the {unique[-1]}"


class Merged:
    """Findings about the same written value (one variable default feeding several groups,
    a literal inside a dynamic block) are reported once, naming every place that uses it."""

    def __init__(self) -> None:
        self._items: Dict[Tuple[str, Loc], Dict[str, Any]] = {}

    def add(self, check: str, loc: Loc, key: str, where: str, **data: Any) -> None:
        item = self._items.get((check, loc))
        if item is None:
            self._items[(check, loc)] = {"check": check, "loc": loc, "key": key, "wheres": [where], **data}
        else:
            item["wheres"].append(where)

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        return iter(list(self._items.values()))
