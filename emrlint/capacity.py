"""Capacity: what an EMR cluster or EMR Serverless application can run, read from the model.

Rules, the cost estimator and policies ask these questions here, so that a rule, a cost
line and a policy condition read the same answer (``rules/`` keeps only rules):

* EMR Serverless: amounts written with units (``"4 vCPU"``, ``"16 GB"``), the
  ``maximum_capacity`` block, and the pre-initialized (initial) capacity read from every
  source shape: Terraform and plans (``initial_capacity { initial_capacity_type,
  initial_capacity_config { worker_count, worker_configuration { cpu, memory, disk } } }``),
  CloudFormation (``InitialCapacity: [{Key, Value}]``, mapped by the loader to the same names)
  and CreateApplication requests (``initialCapacity: {"DRIVER": {workerCount,
  workerConfiguration}}``, a map keyed by worker type), with its proven total;
* EMR on EC2: the instance groups and fleets of a cluster (inline and attached), the
  instance types each may launch with their weighted capacity and EBS volumes, autoscaling
  constraints, managed scaling limits, and the largest and smallest number of instances of
  each group or fleet, with managed scaling units converted by ``unit_type`` (``Instances``,
  ``InstanceFleetUnits``, ``VCPU``).

Nothing here raises: values may be None, an Unknown, a number, a string, a list or a dict.
What cannot be read is an :class:`Amount` without a value that names the attribute (in the
user's spelling) and says why, never a guess.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from emrlint.findings import Loc
from emrlint.model import Field, Section, known_number
from emrlint.record import dataclass, field
from emrlint.text import quote
from emrlint.values import Unknown, refs_of
from emrlint.lazyre import lazy_re

# ---------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------

UNIT_LABEL = {"cpu": "vCPU", "memory": "GB", "disk": "GB"}
_UNIT_RE = {
    "cpu": lazy_re(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:vcpus?)?\s*$", re.I),
    "memory": lazy_re(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:gb)?\s*$", re.I),
    "disk": lazy_re(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:gb)?\s*$", re.I),
}


def parse_amount(value: Any, dimension: str) -> Optional[float]:
    """``"4 vCPU"``/``"4vCPU"``/``"4"``/``4`` -> 4.0 (cpu); ``"16 GB"``/``"16GB"``/``"16"`` -> 16.0
    (memory, disk). None when absent, unknown or not written in a unit EMR Serverless reads."""
    if value is None or isinstance(value, (bool, Unknown)):
        return None
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:  # an integer too large for a float is no amount EMR Serverless reads
            return None
    if not isinstance(value, str):
        return None
    pattern = _UNIT_RE.get(dimension)
    m = pattern.match(value) if pattern is not None else None
    return float(m.group(1)) if m else None


def fmt(amount: float, dimension: str) -> str:
    return f"{amount:g} {UNIT_LABEL.get(dimension, '')}".strip()


# ---------------------------------------------------------------------------
# initial capacity
# ---------------------------------------------------------------------------


@dataclass
class InitialWorkers:
    """One worker type of an application's pre-initialized capacity."""

    label: str  # "Driver", "Executor", "HiveDriver"... ("#2" when the type is not known)
    type: Optional[str]  # the worker type as written, None when unknown
    loc: Any  # where the worker type is written (the initial_capacity block or map entry)
    count: Field  # worker_count
    worker: Optional[Section]  # worker_configuration, None when absent
    maybe: bool  # may not exist (dynamic block with unknown for_each, unresolvable intrinsic)

    def amount(self, dimension: str) -> Optional[float]:
        """worker_count x per-worker size of this dimension; None when anything is unknown."""
        count = known_number(self.count.value)
        if count is None or count < 0 or self.worker is None:
            return None
        size = parse_amount(self.worker.field(dimension).value, dimension)
        return None if size is None else count * size

    def size(self, dimension: str) -> Optional[float]:
        return None if self.worker is None else parse_amount(self.worker.field(dimension).value, dimension)


def _first(sections: List[Section]) -> Optional[Section]:
    return sections[0] if sections else None


def initial_capacity(app) -> List[InitialWorkers]:
    """Every worker type of the application's ``initial_capacity``, in every source shape."""
    out: List[InitialWorkers] = []
    try:
        blocks = app.body.sections("initial_capacity")
    except Exception:  # pragma: no cover - defensive: a section implementation we do not know
        return out
    for index, block in enumerate(blocks):
        type_f = block.field("initial_capacity_type")
        configs = block.sections("initial_capacity_config")
        if not type_f.present and not configs and not getattr(block, "unknown", False):
            # CreateApplication: {"DRIVER": {"workerCount": 1, "workerConfiguration": {...}}}
            mapping = app.field("initial_capacity").value
            if isinstance(mapping, dict):
                for key in mapping:
                    for entry in block.sections(str(key)):
                        out.append(InitialWorkers(str(key), str(key), entry.loc, entry.field("worker_count"),
                                                  _first(entry.sections("worker_configuration")),
                                                  bool(block.maybe or entry.maybe)))
            continue
        type_v = type_f.value
        known_type = type_v if isinstance(type_v, str) and type_v else None
        label = known_type or f"#{index + 1}"
        config = _first(configs)
        if config is None:
            out.append(InitialWorkers(label, known_type, block.loc, Field(None, False, block.loc), None, block.maybe))
            continue
        worker = _first(config.sections("worker_configuration"))
        maybe = bool(block.maybe or config.maybe or (worker is not None and worker.maybe))
        out.append(InitialWorkers(label, known_type, block.loc, config.field("worker_count"), worker, maybe))
    return out


def maximum_capacity(app) -> Optional[Section]:
    """The application's ``maximum_capacity`` block, or None when absent or possibly absent."""
    blocks = app.body.sections("maximum_capacity")
    if not blocks or any(b.maybe for b in blocks):
        return None
    return blocks[0]


def initial_total(workers: List[InitialWorkers], dimension: str) -> Tuple[float, List[Tuple[InitialWorkers, float]]]:
    """A proven lower bound of the pre-initialized capacity of one dimension: the sum over
    worker types whose existence, type, count and size are known (each worker type counted
    once, at its largest), with the parts that make it up."""
    best: Dict[str, Tuple[InitialWorkers, float]] = {}
    for w in workers:
        if w.maybe or w.type is None:
            continue
        amount = w.amount(dimension)
        if amount is None:
            continue
        key = w.type.strip().lower()
        if key not in best or amount > best[key][1]:
            best[key] = (w, amount)
    parts = list(best.values())
    return sum(a for _, a in parts), parts


# ---------------------------------------------------------------------------
# amounts, and how the user spells what sets them
# ---------------------------------------------------------------------------

# formats whose documents use the EMR API's PascalCase (or camelCase) names
DOCUMENT_FORMATS = ("cloudformation", "run-job-flow", "stepfunctions")
CAMEL_FORMATS = ("create-application",)
_SEGMENT = lazy_re(r"^([a-z0-9_]+)(.*)$")


def spell(res: Any, path: str) -> str:
    """A normalised attribute path (``maximum_capacity.cpu``) as the resource's format
    writes it: ``MaximumCapacity.Cpu`` in CloudFormation and EMR API documents,
    ``maximumCapacity.cpu`` in CreateApplication requests, unchanged in Terraform."""
    fmt = getattr(res, "source_format", "")
    if fmt not in DOCUMENT_FORMATS and fmt not in CAMEL_FORMATS:
        return path
    out = []
    for seg in path.split("."):
        m = _SEGMENT.match(seg)
        if m is None:
            out.append(seg)
            continue
        words = [w for w in m.group(1).split("_") if w]
        name = "".join(w[:1].upper() + w[1:] for w in words)
        if fmt in CAMEL_FORMATS:
            name = name[:1].lower() + name[1:]
        out.append(name + m.group(2))
    return ".".join(out)


def join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


@dataclass
class Amount:
    """A number the configuration sets (or its default), or why it cannot be known.

    ``name`` is where it is set, in the user's spelling (``core_instance_group.instance_count``,
    ``Instances.CoreInstanceGroup.InstanceCount``); ``field`` the written attribute (None for a
    default or a figure derived from several); ``why`` says why ``value`` is None."""

    value: Optional[float]
    name: str = ""
    field: Optional[Field] = None
    why: str = ""
    note: str = ""  # how a known value was reached, when it is not simply written ("the default")

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def loc(self) -> Optional[Loc]:
        """Where a finding about this amount points: where its value is written."""
        if self.field is None:
            return None
        try:
            return self.field.loc
        except Exception:  # an origin that cannot be resolved: the attribute is the next best place
            return self.field.attr_loc


def unknown_reason(value: Any, source_format: str = "") -> str:
    """Why an Unknown is unknown, in words: where it comes from, when the model says."""
    refs = sorted(refs_of(value))
    later = {"cloudformation": "when the stack is deployed", "stepfunctions": "when the state machine runs",
             "run-job-flow": "when the request is made"}.get(source_format, "after apply")
    data = [r for r in refs if r.startswith("data.")]
    if data:
        return f"comes from {data[0]}, known only {later}"
    if source_format == "terraform-plan":
        return "is known only after apply"
    made = [r for r in refs if not r.startswith(("var.", "local.", "each.", "count.", "path.", "terraform."))]
    if made:
        return f"is known only {later} (it comes from {made[0]})"
    return "cannot be evaluated"


def whole(value: Any) -> Optional[float]:
    """A count: a known whole number of at least 0 (written as a number or a string), else None."""
    try:
        number = known_number(value.strip() if isinstance(value, str) else value)
    except OverflowError:
        return None
    if number is None or not math.isfinite(number) or number < 0 or not float(number).is_integer():
        return None
    return float(number)


def read_number(f: Field, name: str, default: Optional[float] = None, source_format: str = "") -> Amount:
    """An :class:`Amount` from a field that holds a count (instances, units, GB, workers): its
    value, the default when absent or null, or why not (unknown, or not a whole number >= 0)."""
    value = f.value
    if value is None:
        if default is None:
            return Amount(None, name, f if f.present else None, "is not set")
        return Amount(float(default), name, f if f.present else None, note="the default" if not f.present else "")
    if isinstance(value, Unknown):
        return Amount(None, name, f, unknown_reason(value, source_format))
    number = whole(value)
    if number is None:
        return Amount(None, name, f, "is not a whole number of at least 0")
    return Amount(number, name, f)


def _show(value: Any) -> str:
    return quote(value, 40)


_BARE_REFERENCE = lazy_re(r"^(?:var\.[A-Za-z_][\w-]*|!Ref\s+\S+|\{\s*\"Ref\"\s*:\s*\"[^\"]*\"\s*\}|\"?\$\{var\.[\w-]+\}\"?)$")


def written(f: Optional[Field], lines_of: Callable[[str], List[str]]) -> str:
    """The value text of a written attribute (``var.core_count``, ``!Ref CoreCount``), from the
    first line of the attribute; "" when it cannot be read."""
    if f is None or not f.present:
        return ""
    loc = f.attr_loc
    lines = lines_of(loc.path)
    if not 0 < loc.line <= len(lines):
        return ""
    text = lines[loc.line - 1]
    if loc.end_line == loc.line and loc.end_column > loc.column:
        text = text[loc.column - 1:loc.end_column - 1]
    else:
        text = text[loc.column - 1:]
    m = re.match(r'^\s*"?[\w.-]+"?\s*[=:]\s*(.*?)\s*,?\s*$', text)
    value = (m.group(1) if m else text.strip()).strip()
    return value if len(value) <= 60 else value[:57] + "..."


def describe(a: Amount, lines_of: Callable[[str], List[str]]) -> str:
    """Why an amount is unknown, naming the value: ``core_instance_group.instance_count =
    var.core_count has no value``."""
    text = written(a.field, lines_of)
    why = a.why or "cannot be evaluated"
    if why == "cannot be evaluated" and _BARE_REFERENCE.match(text):
        why = "has no value"
    sep = ":" if a.name[:1].isupper() or ("." in a.name and a.name.split(".")[-1][:1].isupper()) else " ="
    return f"{a.name}{sep} {text} {why}" if text else f"{a.name} {why}"


# ---------------------------------------------------------------------------
# instance groups and fleets: their sections
# ---------------------------------------------------------------------------


class _ApiVolume(Section):
    """An ``EbsBlockDeviceConfigs`` item read with the API spelling (``VolumeSpecification.VolumeType``...),
    for sections whose loader did not map them to ``ebs_config`` (the separate CloudFormation
    ``AWS::EMR::InstanceGroupConfig`` / ``InstanceFleetConfig`` resources)."""

    _SPEC = {"type": "volume_type", "size": "size_in_gb", "iops": "iops", "throughput": "throughput"}

    def __init__(self, device: Section):
        self._device = device
        self.loc = device.loc
        self.maybe = bool(getattr(device, "maybe", False))

    def field(self, name: str) -> Field:
        if name in self._SPEC:
            specs = self._device.sections("volume_specification")
            if not specs:
                return Field(None, False, self._device.loc)
            return specs[0].field(self._SPEC[name])
        return self._device.field(name)

    def sections(self, name: str) -> List[Section]:
        return self._device.sections(name)


def volumes(section: Section) -> List[Section]:
    """The EBS volume blocks of a group or of a fleet's instance type config."""
    found = list(section.sections("ebs_config"))
    if found:
        return found
    out: List[Section] = []
    for ebs in section.sections("ebs_configuration"):
        if getattr(ebs, "unknown", False):
            out.append(ebs)  # a whole unknown block: its fields are unknown
            continue
        for device in ebs.sections("ebs_block_device_configs"):
            out.append(_ApiVolume(device))
    return out


def instance_type(section: Section) -> Optional[str]:
    v = section.field("instance_type").value
    return v if isinstance(v, str) and v else None


def type_configs(fleet: Section) -> List[Tuple[Section, str, str]]:
    """(instance type config, key part, description) of a fleet: keyed by instance type when known."""
    out = []
    configs = fleet.sections("instance_type_configs")
    for i, tc in enumerate(configs):
        itype = instance_type(tc)
        part = f"instance_type_configs[{itype}]" if itype else f"instance_type_configs[{i}]"
        out.append((tc, part, itype or f"instance type config #{i + 1}"))
    return out


# ---------------------------------------------------------------------------
# instance groups and fleets of a cluster
# ---------------------------------------------------------------------------

ROLES = ("master", "core", "task")
ROLE_WORD = {"master": "primary (master)", "core": "core", "task": "task"}
_DOC_PLACE = {  # CloudFormation AWS::EMR::Cluster: where each role's groups and fleets are written
    ("master", "group"): "Instances.MasterInstanceGroup", ("core", "group"): "Instances.CoreInstanceGroup",
    ("task", "group"): "Instances.TaskInstanceGroups", ("master", "fleet"): "Instances.MasterInstanceFleet",
    ("core", "fleet"): "Instances.CoreInstanceFleet", ("task", "fleet"): "Instances.TaskInstanceFleets",
}


@dataclass
class NodeType:
    """One instance type a group or fleet launches: for a group its own ``instance_type``,
    for a fleet each of its ``instance_type_configs``."""

    instance_type: Field
    name: str  # where it is written: core_instance_fleet.instance_type_configs[1]
    type_label: str  # its instance type attribute: core_instance_fleet.instance_type_configs[1].instance_type
    weight: Amount  # weighted capacity: the units one instance gives toward a fleet's target (1 for groups)
    volumes: List[Section]  # the EBS volumes written for it (none: EMR's default layout applies)
    source_format: str = ""

    @property
    def type_name(self) -> Optional[str]:
        v = self.instance_type.value
        return v.strip().lower() if isinstance(v, str) and v.strip() else None

    def type_problem(self) -> Optional[Amount]:
        """Why the instance type is not known (an Amount naming it), or None when it is."""
        v = self.instance_type.value
        if self.type_name is not None:
            return None
        if v is None:
            return Amount(None, self.type_label, None, "is not set")
        if isinstance(v, Unknown):
            return Amount(None, self.type_label, self.instance_type, unknown_reason(v, self.source_format))
        return Amount(None, self.type_label, self.instance_type, f"is {_show(v)}, not an instance type")


@dataclass
class NodeGroup:
    """An instance group or fleet of a cluster, inline or attached (``aws_emr_instance_group``,
    ``aws_emr_instance_fleet``, ``AWS::EMR::InstanceGroupConfig``/``InstanceFleetConfig``)."""

    role: str  # "master", "core", "task"
    kind: str  # "group" or "fleet"
    section: Section
    name: str  # where it is written, in the user's spelling: core_instance_group, aws_emr_instance_group.task
    address: str = ""  # the attached resource's address, "" when inline
    maybe: bool = False  # it may not exist (dynamic block, attached group that may not be this cluster's)
    types: List[NodeType] = field(default_factory=list)
    target: Amount = field(default_factory=lambda: Amount(None))  # instance count (groups), target units (fleets)
    target_parts: List[Amount] = field(default_factory=list)  # fleets: on-demand and spot targets
    # an autoscaling policy's (MinCapacity, MaxCapacity); None without a policy; unknown amounts
    # when a policy is written but cannot be read
    autoscaling: Optional[Tuple[Amount, Amount]] = None

    @property
    def label(self) -> str:
        return f"{ROLE_WORD[self.role]} instance {self.kind}"


def _format(res: Any) -> str:
    return getattr(res, "source_format", "")


def _group_name(cluster: Any, role: str, kind: str, index: int, total: int) -> str:
    """Where an inline group or fleet is written, in the format's own spelling."""
    fmt = _format(cluster)
    if fmt == "cloudformation":
        return _DOC_PLACE[(role, kind)] + (f"[{index}]" if role == "task" else "")
    if fmt in DOCUMENT_FORMATS:  # RunJobFlow, Step Functions createCluster: a list with roles
        return f"Instances.Instance{'Groups' if kind == 'group' else 'Fleets'}[{role.upper()}]" + (
            f"[{index}]" if total > 1 else "")
    return f"{role}_instance_{kind}" + (f"[{index}]" if total > 1 else "")


def _autoscaling(res: Any, section: Section, name: str) -> Optional[Tuple[Amount, Amount]]:
    """An autoscaling policy's ``Constraints`` (MinCapacity, MaxCapacity): JSON text in
    Terraform, a structure in CloudFormation and API documents."""
    f = section.field("autoscaling_policy")
    value = f.value
    if value is None:
        return None
    fmt = _format(res)
    pname = join(name, spell(res, "autoscaling_policy"))
    if isinstance(value, str):
        text = value.strip()
        if not text or text in ("null", "{}"):
            return None
        try:
            value = json.loads(text)
        except ValueError:
            bad = Amount(None, pname, f, "is not JSON")
            return bad, bad
    if isinstance(value, Unknown):
        bad = Amount(None, pname, f, unknown_reason(value, fmt))
        return bad, bad
    if not isinstance(value, dict):
        return None if not value else (Amount(None, pname, f, "cannot be read"),) * 2
    constraints = _get(value, "constraints")
    out = []
    for key in ("min_capacity", "max_capacity"):
        v = _get(constraints, key) if isinstance(constraints, dict) else None
        what = f"{pname} Constraints.{'MinCapacity' if key == 'min_capacity' else 'MaxCapacity'}"
        if isinstance(v, Unknown):
            out.append(Amount(None, what, f, unknown_reason(v, fmt)))
            continue
        n = whole(v)
        out.append(Amount(n, what, f) if n is not None else Amount(None, what, f, "is not set" if v is None
                                                                   else "is not a whole number"))
    return out[0], out[1]


def _get(mapping: Any, name: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    want = name.replace("_", "").lower()
    for k, v in mapping.items():
        if str(k).replace("_", "").lower() == want:
            return v
    return None


def _node_group(cluster: Any, role: str, kind: str, section: Section, name: str, address: str,
                maybe: bool, default_count: int) -> NodeGroup:
    fmt = _format(cluster)
    g = NodeGroup(role, kind, section, name, address, maybe)
    if kind == "group":
        g.types.append(NodeType(section.field("instance_type"), name, join(name, spell(cluster, "instance_type")),
                                Amount(1.0, note="one instance"), volumes(section), fmt))
        g.target = read_number(section.field("instance_count"), join(name, spell(cluster, "instance_count")),
                               default_count, fmt)
        g.autoscaling = _autoscaling(cluster, section, name)
        return g
    for i, tc in enumerate(section.sections("instance_type_configs")):
        tname = join(name, spell(cluster, f"instance_type_configs[{i}]"))
        weight = read_number(tc.field("weighted_capacity"), join(tname, spell(cluster, "weighted_capacity")), 1, fmt)
        g.types.append(NodeType(tc.field("instance_type"), tname, join(tname, spell(cluster, "instance_type")),
                                weight, volumes(tc), fmt))
    parts = [read_number(section.field(n), join(name, spell(cluster, n)), 0, fmt)
             for n in ("target_on_demand_capacity", "target_spot_capacity")]
    g.target_parts = parts
    unknown = next((p for p in parts if not p.known), None)
    if unknown is not None:
        g.target = Amount(None, unknown.name, unknown.field, unknown.why)
    else:
        biggest = max(parts, key=lambda p: p.value)
        g.target = Amount(parts[0].value + parts[1].value, biggest.name, biggest.field)
    return g


def node_groups(cluster: Any) -> List[NodeGroup]:
    """Every instance group and fleet of a cluster: inline ones by role, then attached ones."""
    out: List[NodeGroup] = []
    groups = list(getattr(cluster, "instance_groups", None) or [])
    fleets = list(getattr(cluster, "instance_fleets", None) or [])
    for units, kind in ((groups, "group"), (fleets, "fleet")):
        for role in ROLES:
            mine = [u for u in units if u.role == role and not u.address]
            for i, u in enumerate(mine):
                out.append(_node_group(cluster, role, kind, u.section, _group_name(cluster, role, kind, i, len(mine)),
                                       "", bool(u.maybe or getattr(u.section, "maybe", False)),
                                       getattr(u, "default_count", 1)))
    for units, kind in ((groups, "group"), (fleets, "fleet")):
        for u in units:
            if u.address:
                out.append(_node_group(cluster, u.role, kind, u.section, u.address, u.address, bool(u.maybe),
                                       getattr(u, "default_count", 0)))
    order = {r: i for i, r in enumerate(ROLES)}
    out.sort(key=lambda g: order[g.role])  # stable: inline before attached within a role
    return out


# ---------------------------------------------------------------------------
# managed scaling
# ---------------------------------------------------------------------------

UNIT_TYPES = ("Instances", "InstanceFleetUnits", "VCPU")


@dataclass
class ScalingLimits:
    """A managed scaling policy's compute limits."""

    unit_type: Optional[str]  # "Instances", "InstanceFleetUnits", "VCPU"; None when unknown
    unit_type_amount: Amount  # why the unit type is unknown
    minimum: Amount
    maximum: Amount
    maximum_core: Amount  # maximum_core_capacity_units (the maximum when not set)
    section: Section
    name: str  # managed_scaling_policy.compute_limits, aws_emr_managed_scaling_policy.this.compute_limits


def managed_scaling(cluster: Any) -> Tuple[Optional[ScalingLimits], str]:
    """The cluster's managed scaling limits: (limits, "") when it has a policy; (None, "") when
    it has none; (None, why) when one may apply whose limits cannot be known."""
    fmt = _format(cluster)
    if getattr(cluster, "scaling_incomplete", False):
        return None, ("a managed scaling policy whose cluster_id cannot be evaluated may apply to this cluster")
    policies = list(getattr(cluster, "scaling_policies", None) or [])
    if not policies:
        return None, ""
    policy = policies[0]
    name = f"{policy.address}.compute_limits" if policy.address else spell(cluster, "managed_scaling_policy.compute_limits")
    if len(policies) > 1:
        return None, "more than one managed scaling policy may apply to this cluster"
    limits = policy.limits
    if policy.maybe or getattr(policy.section, "unknown", False):
        return None, f"{policy.address or spell(cluster, 'managed_scaling_policy')} may or may not apply to this cluster"
    if limits is None:
        return None, f"{spell(cluster, 'managed_scaling_policy')} has no {spell(cluster, 'compute_limits')}"
    if limits.maybe or getattr(limits, "unknown", False):
        return None, f"{name} cannot be evaluated"
    ut_f = limits.field("unit_type")
    ut = ut_f.value
    ut_name = join(name, spell(cluster, "unit_type"))
    unit_type = None
    if isinstance(ut, str) and ut.strip() in UNIT_TYPES:
        unit_type = ut.strip()
        ut_amount = Amount(None, ut_name, ut_f)
    elif isinstance(ut, Unknown):
        ut_amount = Amount(None, ut_name, ut_f, unknown_reason(ut, fmt))
    else:
        ut_amount = Amount(None, ut_name, ut_f if ut_f.present else None,
                           "is not set" if ut is None else f"is {_show(ut)}, not one of {', '.join(UNIT_TYPES)}")

    def number(attr: str, default: Optional[Amount] = None) -> Amount:
        a = read_number(limits.field(attr), join(name, spell(cluster, attr)), None, fmt)
        if default is not None and a.why == "is not set":
            return Amount(default.value, default.name, default.field, default.why, "maximum_capacity_units applies")
        return a

    maximum = number("maximum_capacity_units")
    return ScalingLimits(unit_type, ut_amount, number("minimum_capacity_units"), maximum,
                         number("maximum_core_capacity_units", maximum), limits, name), ""


# ---------------------------------------------------------------------------
# how many instances: per group or fleet, and with managed scaling
# ---------------------------------------------------------------------------


@dataclass
class Count:
    """The largest (or smallest) number of instances of one group or fleet."""

    value: Optional[int]
    how: str  # "instance_count = 4", "managed scaling maximum_capacity_units 40 InstanceFleetUnits, ..."
    set_by: Optional[Amount] = None  # the value that sets it (a finding points there)
    unknown: List[Amount] = field(default_factory=list)  # what makes it unknown
    at_least: Optional[int] = None  # a proven lower bound when the value is unknown
    node_type: Optional[NodeType] = None  # the instance type it is counted with (fleets)


@dataclass
class Plan:
    """The largest (``most``) and smallest (``least``) number of instances of every group and
    fleet of a cluster, and the limits that decide them.  ``problems`` name what makes the
    plan incomplete (capacity that may be attached unseen, managed scaling that cannot be read)."""

    groups: List[NodeGroup]
    most: List[Count]
    least: List[Count]
    scaling: Optional[ScalingLimits] = None
    problems: List[str] = field(default_factory=list)  # the largest counts are unknown because...
    notes: List[str] = field(default_factory=list)


def _ceil(x: float) -> int:
    return int(math.ceil(x - 1e-9))


def _fixed(group: NodeGroup, largest: bool, weight_of: Callable[[NodeType], Amount]) -> Count:
    """The count of a group or fleet that managed scaling does not decide."""
    if group.kind == "group" and group.autoscaling is not None and group.role != "master":
        low, high = group.autoscaling
        bound = high if largest else low
        if bound.known:
            return Count(int(bound.value), f"{bound.name} = {bound.value:g}", bound)
        at_least = int(group.target.value) if largest and group.target.known else None
        return Count(None, f"{bound.name} {bound.why}", bound, [bound], at_least)
    target = group.target
    if not target.known:
        return Count(None, f"{target.name} {target.why}", target, [target], 0 if largest else None)
    if group.kind == "group":
        shown = f"{target.name} = {target.value:g}" + (f" ({target.note})" if target.note else "")
        return Count(int(target.value), shown, target)
    weights = [(t, weight_of(t)) for t in group.types]
    if not weights:
        return Count(None, f"{group.name} lists no instance types", None, [Amount(None, group.name, None,
                                                                                  "lists no instance types")])
    unknown = [w for _, w in weights if not w.known or w.value <= 0]
    if unknown:
        w = unknown[0]
        return Count(None, f"{w.name} {w.why or 'is not a positive number'}", w,
                     [w if w.why else Amount(None, w.name, w.field, "is not a positive number")],
                     1 if largest and target.value > 0 else None)
    pick = min if largest else max
    t, w = pick(weights, key=lambda tw: tw[1].value)
    n = _ceil(target.value / w.value)
    unit = "units" if w.value != 1 else "unit"
    how = (f"target {target.value:g} units ({' + '.join(f'{p.name} {p.value:g}' for p in group.target_parts)}) / "
           f"{'smallest' if largest else 'largest'} weighted capacity {w.value:g} {unit} ({t.type_name or t.name})"
           f", rounded up = {n}")
    if len(weights) == 1 and w.value == 1:
        how = f"target {target.value:g} ({' + '.join(f'{p.name} {p.value:g}' for p in group.target_parts)})"
    return Count(n, how, target, node_type=t)


def unit_size(group: NodeGroup, unit_type: str, nt: NodeType, vcpus: Callable[[Optional[str]], Optional[int]]) -> Amount:
    """How many managed scaling units one instance of ``nt`` counts for."""
    if unit_type == "Instances":
        return Amount(1.0, note="1 instance")
    if unit_type == "VCPU":
        problem = nt.type_problem()
        if problem is not None:
            return problem
        n = vcpus(nt.type_name)
        if n is None:
            return Amount(None, nt.type_label, nt.instance_type,
                          f"is {nt.type_name}, whose vCPU count emrlint's instance table does not have")
        return Amount(float(n), note=f"{n} vCPU ({nt.type_name})")
    if group.kind == "group":
        return Amount(None, group.name, None, "is an instance group, which InstanceFleetUnits do not measure")
    return nt.weight


def _default_vcpus(name: Optional[str]) -> Optional[int]:
    if not name:
        return None
    from emrlint.data import instance_type as lookup

    row = lookup(name)
    return row.vcpu if row is not None else None


def capacity_plan(cluster: Any, value: Optional[Callable[[NodeGroup, Optional[NodeType], bool], Optional[float]]] = None,
                  vcpus: Callable[[Optional[str]], Optional[int]] = _default_vcpus,
                  groups: Optional[List[NodeGroup]] = None) -> Plan:
    """The largest and smallest number of instances of each group and fleet of a cluster.

    Without managed scaling, a group runs ``instance_count`` instances (between an autoscaling
    policy's ``MinCapacity`` and ``MaxCapacity`` when it has one) and a fleet its target units
    (on-demand + spot) divided by its smallest weighted capacity at most, by its largest at
    least, rounded up.  With managed scaling, core and task capacity together lie between
    ``minimum_capacity_units`` and ``maximum_capacity_units`` (core alone at most
    ``maximum_core_capacity_units``), counted in instances, vCPUs or fleet units
    (``unit_type``): the largest case is the allocation of those units over the core and task
    groups and fleets that maximises ``value(group, type, largest=True)`` per instance (the
    number of instances when ``value`` is None), the smallest the allocation of the minimum
    that minimises ``value(group, type, largest=False)``; every cluster keeps at least one core
    instance when it has a core group or fleet.  The primary node is never scaled.  ``groups``:
    the cluster's :func:`node_groups`, when the caller has them already."""
    groups = node_groups(cluster) if groups is None else groups
    plan = Plan(groups, [], [])
    limits, why = managed_scaling(cluster)
    plan.scaling = limits
    if why:
        plan.problems.append(why)
    if getattr(cluster, "capacity_incomplete", False):
        plan.problems.append("an instance group or fleet whose cluster_id cannot be evaluated may add capacity "
                             "to this cluster")
    scaled = [g for g in groups if g.role != "master"] if limits is not None else []
    for g in groups:
        if g in scaled:
            continue
        plan.most.append(_fixed(g, True, lambda t: t.weight))
        plan.least.append(_fixed(g, False, lambda t: t.weight))
    if not scaled:
        return plan
    if any(g.kind == "group" and g.autoscaling is not None for g in scaled):
        plan.notes.append("managed scaling applies, so the autoscaling policies of its groups do not")
    most, least = _scaled(scaled, limits, value, vcpus)
    by_group = {id(g): (m, l) for g, m, l in zip(scaled, most, least)}
    # keep the order of the groups
    plan.most, plan.least = [], []
    for g in groups:
        if id(g) in by_group:
            m, l = by_group[id(g)]
        else:
            m, l = _fixed(g, True, lambda t: t.weight), _fixed(g, False, lambda t: t.weight)
        plan.most.append(m)
        plan.least.append(l)
    return plan


MAX_CHOICES = 200_000  # allocations tried exactly; beyond, a proven bound is used instead


def _scaled(groups: List[NodeGroup], limits: ScalingLimits, value, vcpus) -> Tuple[List[Count], List[Count]]:
    unit_type = limits.unit_type
    unit = unit_type or "units"
    if unit_type is None:
        bad = limits.unit_type_amount
        return ([Count(None, f"{bad.name} {bad.why}", bad, [bad], _floor_at_least(g)) for g in groups],
                [Count(None, f"{bad.name} {bad.why}", bad, [bad]) for g in groups])
    # per group: (units per instance, type) for the largest count (its smallest units) and the smallest
    sizes_most, sizes_least, unknown = [], [], []
    for g in groups:
        options = [(unit_size(g, unit_type, t, vcpus), t) for t in g.types]
        bad = [a for a, _ in options if not a.known or a.value <= 0]
        if not options:
            bad = [Amount(None, g.name, None, "lists no instance types")]
        if bad:
            unknown.append(bad[0] if bad[0].why else Amount(None, bad[0].name, bad[0].field, "is not a positive number"))
            sizes_most.append(None)
            sizes_least.append(None)
            continue
        sizes_most.append(min(options, key=lambda o: o[0].value))
        sizes_least.append(max(options, key=lambda o: o[0].value))
    maximum, minimum, core_max = limits.maximum, limits.minimum, limits.maximum_core
    most: List[Count] = []
    least: List[Count] = []
    blockers = [a for a in (maximum, core_max) if not a.known] + unknown
    if blockers:
        b = blockers[0]
        most = [Count(None, f"{b.name} {b.why}", b, [b], _floor_at_least(g)) for g in groups]
    else:
        items = []
        for g, (size, t) in zip(groups, sizes_most):
            per = value(g, t, True) if value is not None else 1.0
            items.append((g.role == "core", size.value, per, 1 if g.role == "core" and not g.maybe else 0))
        counts, exact = _maximise(items, maximum.value, core_max.value)
        how_limit = f"{maximum.name} = {maximum.value:g} {unit}"
        if core_max.field is not None and core_max is not maximum and core_max.value < maximum.value:
            how_limit += f" (core at most {core_max.name} = {core_max.value:g})"
        for g, (size, t), n in zip(groups, sizes_most, counts):
            per = "" if unit_type == "Instances" else f" ({size.value:g} {unit} per instance" + (
                f", {size.note})" if size.note else ")")
            how = f"managed scaling: {how_limit}; {n} instance{'s' if n != 1 else ''} here in the " \
                  f"{'largest' if value is None else 'costliest'} allocation{per}"
            if not exact:
                how += "; an upper bound (too many allocations to try them all)"
            setter = core_max if g.role == "core" and core_max.value < maximum.value and core_max.field is not None \
                else maximum
            most.append(Count(n, how, setter, node_type=t))
    if minimum.known and not unknown:
        items = []
        for g, (size, t) in zip(groups, sizes_least):
            per = value(g, t, False) if value is not None else 1.0
            items.append((g.role == "core", size.value, per, 1 if g.role == "core" and not g.maybe else 0))
        counts, exact_least = _minimise(items, minimum.value)
        for g, (size, t), n in zip(groups, sizes_least, counts):
            if g.maybe:
                n = 0
            how = (f"managed scaling: {minimum.name} = {minimum.value:g} {unit}; {n} instance"
                   f"{'s' if n != 1 else ''} here in the {'smallest' if value is None else 'cheapest'} allocation")
            if not exact_least:
                how += " (too many allocations to try them all: not proven the least)"
            least.append(Count(n, how, minimum, node_type=t))
    else:
        b = minimum if not minimum.known else unknown[0]
        least = [Count(None, f"{b.name} {b.why}", b, [b]) for g in groups]
    return most, least


def _floor_at_least(g: NodeGroup) -> Optional[int]:
    """What a group or fleet runs at least when its scaled maximum is unknown: nothing proven
    beyond one core instance."""
    return 1 if g.role == "core" and not g.maybe else 0


def _maximise(items: Sequence[Tuple[bool, float, Optional[float], int]], limit: float,
              core_limit: float) -> Tuple[List[int], bool]:
    """Instance counts n_i (at least ``lo_i``) with sum(size_i x n_i) <= limit and the core items'
    sum <= core_limit that maximise sum(value_i x n_i): exact by enumeration when there are few
    allocations, else each item at its own cap (an upper bound).  An item without a value counts 0."""
    core_limit = min(core_limit, limit)
    caps = []
    for is_core, size, _, lo in items:
        cap = int(math.floor((core_limit if is_core else limit) / size + 1e-9))
        caps.append(max(cap, lo))
    values = [v if v is not None else 0.0 for _, _, v, _ in items]
    if not items:
        return [], True
    choices = 1
    for (_, _, _, lo), cap in zip(items[:-1], caps[:-1]):
        choices *= max(1, cap - lo + 1)
    if choices > MAX_CHOICES:
        return caps, False
    best: List[Any] = [None, None]

    def walk(i: int, used: float, core_used: float, counts: List[int], total: float) -> None:
        is_core, size, _, lo = items[i]
        room = (core_limit - core_used) if is_core else float("inf")
        room = min(room, limit - used)
        if i == len(items) - 1:
            n = max(lo, min(caps[i], int(math.floor(room / size + 1e-9)))) if values[i] > 0 else lo
            score = total + n * values[i]
            if best[0] is None or score > best[0] + 1e-12:
                best[0], best[1] = score, counts + [n]
            return
        top = max(lo, min(caps[i], int(math.floor(max(room, 0) / size + 1e-9))))
        for n in range(lo, top + 1):
            walk(i + 1, used + n * size, core_used + (n * size if is_core else 0), counts + [n], total + n * values[i])

    walk(0, 0.0, 0.0, [], 0.0)
    del walk  # a function that calls itself is a reference cycle (a scan runs without the cyclic GC)
    return best[1], True


def _minimise(items: Sequence[Tuple[bool, float, Optional[float], int]], need: float) -> Tuple[List[int], bool]:
    """Instance counts n_i >= lo_i whose units reach ``need`` at the least sum(value_i x n_i):
    exact by enumeration when there are few allocations, else the cheapest item per unit takes
    what the minimums leave (rounded up to whole instances; not proven the least)."""
    counts = [lo for _, _, _, lo in items]
    have = sum(size * n for (_, size, _, _), n in zip(items, counts))
    if have >= need or not items:
        return counts, True
    values = [v if v is not None else 0.0 for _, _, v, _ in items]
    caps = [lo + _ceil(max(need - have, 0) / size) for (_, size, _, lo) in items]
    choices = 1
    for (_, _, _, lo), cap in zip(items[:-1], caps[:-1]):
        choices *= max(1, cap - lo + 1)
    if choices > MAX_CHOICES:
        best = min(range(len(items)), key=lambda i: (values[i] / items[i][1], -items[i][1]))
        counts[best] += _ceil((need - have) / items[best][1])
        return counts, False
    best_found: List[Any] = [None, None]

    def walk(i: int, units: float, counts_so_far: List[int], total: float) -> None:
        _, size, _, lo = items[i]
        if i == len(items) - 1:
            n = max(lo, _ceil(max(need - units, 0) / size))
            score = total + n * values[i]
            if best_found[0] is None or score < best_found[0] - 1e-12:
                best_found[0], best_found[1] = score, counts_so_far + [n]
            return
        for n in range(lo, caps[i] + 1):
            walk(i + 1, units + n * size, counts_so_far + [n], total + n * values[i])

    walk(0, 0.0, [], 0.0)
    del walk  # a reference cycle otherwise (see _maximise)
    return best_found[1], True
