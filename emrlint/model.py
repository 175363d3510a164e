"""emrlint's normalised model of EMR configuration.

Every loader (Terraform today; CloudFormation and job documents share the same
shapes) produces :class:`Resource` objects whose values are :class:`Field` s:
an evaluated value plus the places a finding should point at.  Rules read this
model only, never parser output, so one rule serves every source format.

Nested configuration (``maximum_capacity``, ``ebs_config``...) is a
:class:`Section`: fields and sub-sections by their normalised (Terraform,
snake_case) names.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from emrlint.findings import CallSite, Loc
from emrlint.record import dataclass, field
from emrlint.values import EvalError, Unknown, is_unknown, leading_text, refs_of

OriginFn = Callable[[], Tuple[Loc, Tuple[CallSite, ...]]]
LocateFn = Callable[[Tuple[Any, ...]], Optional[Tuple[Loc, Tuple[CallSite, ...]]]]


class Field:
    """One attribute: its value and where to point.

    ``value`` is ``None`` when the attribute is absent or evaluates to null.
    ``attr_loc`` is where the attribute is written (the enclosing block's first
    line when it is absent); ``origin`` is where its value was written, which
    may be a variable default, a module input or a tfvars line."""

    __slots__ = ("value", "present", "attr_loc", "_origin_fn", "_origin", "locate")

    def __init__(self, value: Any, present: bool, attr_loc: Loc, origin_fn: Optional[OriginFn] = None,
                 call_sites: Tuple[CallSite, ...] = (), locate: Optional[LocateFn] = None):
        self.value = value
        self.present = present
        self.attr_loc = attr_loc
        self._origin_fn = origin_fn
        self._origin = None if origin_fn else (attr_loc, call_sites)
        # where an element of a structured value (a list of classifications, an object) was
        # written, by its path of keys and indexes; None when the loader cannot tell
        self.locate = locate

    def element(self, path: Tuple[Any, ...], value: Any) -> "Field":
        """A field for the element at ``path`` of this value (``(0, "Properties", "dfs.replication")``),
        pointing where that element was written when the loader can tell, else where this value was."""
        def origin():
            found = self.locate(path) if self.locate is not None else None
            return found if found is not None else (self.origin, self.origin_call_sites)

        return Field(value, True, self.attr_loc, origin)

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def unknown(self) -> bool:
        return isinstance(self.value, Unknown)

    @property
    def known(self) -> bool:
        return not isinstance(self.value, Unknown)

    def _resolve(self) -> Tuple[Loc, Tuple[CallSite, ...]]:
        if self._origin is None:
            self._origin = self._origin_fn()
        return self._origin

    @property
    def origin(self) -> Loc:
        return self._resolve()[0]

    @property
    def origin_call_sites(self) -> Tuple[CallSite, ...]:
        return self._resolve()[1]

    @property
    def loc(self) -> Loc:
        """Where a finding about this value points: the attribute when the value
        is missing (absent or null), else where the value was written."""
        return self.attr_loc if self.value is None else self.origin

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Field({self.value!r}, present={self.present})"


class Section:
    """A block of configuration: fields and nested sections by name."""

    loc: Loc
    maybe: bool = False  # the block may or may not exist (dynamic block with unknown for_each)

    def field(self, name: str) -> Field:  # pragma: no cover - interface
        raise NotImplementedError

    def sections(self, name: str) -> List["Section"]:  # pragma: no cover - interface
        raise NotImplementedError

    def section(self, name: str) -> Optional["Section"]:
        found = self.sections(name)
        return found[0] if found else None

    def value(self, name: str) -> Any:
        return self.field(name).value

    def blocks_origin(self, name: str) -> Optional[Loc]:
        """Where the set of nested blocks ``name`` was written when it comes from one collection
        (a ``dynamic`` block's ``for_each`` list: a module input at the call site, a variable
        default, a local), None when the blocks are written one by one.  A finding about how
        many there are points there."""
        return None

    def empty_block_loc(self, name: str) -> Optional[Loc]:
        """Where a nested block ``name`` is written that evaluates to no block at all (a ``dynamic``
        block whose ``for_each`` is empty, CloudFormation ``!Ref AWS::NoValue``), None when it
        is not written: a finding about the missing block points there (ground rule 9)."""
        return None


class DictSection(Section):
    """A section over already-evaluated values (documents, tests)."""

    def __init__(self, loc: Loc, fields: Optional[Dict[str, Field]] = None,
                 sections: Optional[Dict[str, List[Section]]] = None, maybe: bool = False):
        self.loc = loc
        self._fields = fields or {}
        self._sections = sections or {}
        self.maybe = maybe

    def field(self, name: str) -> Field:
        f = self._fields.get(name)
        return f if f is not None else Field(None, False, self.loc)

    def sections(self, name: str) -> List[Section]:
        return list(self._sections.get(name, ()))


@dataclass
class Resource:
    kind: str  # "cluster", "instance_group", "instance_fleet", "serverless_application", "s3_object", ...
    type: str  # the source's own type name: aws_emr_cluster, AWS::EMR::Cluster...
    address: str  # aws_emr_cluster.spark, module.etl.aws_emr_cluster.this
    body: Section
    file: str
    call_sites: Tuple[CallSite, ...] = ()
    maybe: bool = False  # existence unknown (count/for_each could not be evaluated)
    source_format: str = "terraform"
    root: str = ""  # the configuration it belongs to: a Terraform root module directory, a document
    # why it may not exist ("its count cannot be evaluated"): a resource that may exist is checked
    # as if it exists, and its findings say so
    maybe_reason: str = ""

    @property
    def loc(self) -> Loc:
        return self.body.loc

    def field(self, name: str) -> Field:
        return self.body.field(name)


# ---------------------------------------------------------------------------
# EMR on EC2
# ---------------------------------------------------------------------------


@dataclass
class InstanceGroup:
    """A master/core/task instance group, inline or attached to a cluster."""

    role: str  # "master", "core", "task"
    section: Section
    maybe: bool = False
    address: str = ""  # the attached resource's address, "" when inline
    default_count: int = 1  # instance_count when not set (aws_emr_instance_group: 0)

    @property
    def loc(self) -> Loc:
        return self.section.loc

    def on_spot(self) -> Any:
        """True, False or an Unknown."""
        bid = self.section.field("bid_price").value
        market = self.section.field("market").value
        for v in (bid, market):
            if isinstance(v, Unknown):
                return v
        if isinstance(market, str) and market.upper() == "SPOT":
            return True
        return bid not in (None, "")

    def units(self) -> Any:
        count = self.section.field("instance_count").value
        return self.default_count if count is None else count


@dataclass
class InstanceFleet:
    role: str
    section: Section
    maybe: bool = False
    address: str = ""

    @property
    def loc(self) -> Loc:
        return self.section.loc

    def spot_units(self) -> Any:
        v = self.section.field("target_spot_capacity").value
        return 0 if v is None else v

    def on_demand_units(self) -> Any:
        v = self.section.field("target_on_demand_capacity").value
        return 0 if v is None else v

    def on_spot(self) -> Any:
        units = self.spot_units()
        if isinstance(units, Unknown):
            return units
        try:
            return float(units) > 0
        except (TypeError, ValueError):
            return Unknown()


@dataclass
class BootstrapAction:
    section: Section  # fields: name, path, args
    maybe: bool = False

    @property
    def loc(self) -> Loc:
        return self.section.loc


@dataclass
class ScalingPolicy:
    """A managed scaling policy: inline (CloudFormation and RunJobFlow ``ManagedScalingPolicy``) or
    attached (an ``aws_emr_managed_scaling_policy`` whose ``cluster_id`` refers to the cluster).
    Its section holds ``scaling_strategy``, ``utilization_performance_index`` and ``compute_limits``."""

    section: Section
    maybe: bool = False
    address: str = ""  # the attached resource's address, "" when inline

    @property
    def loc(self) -> Loc:
        return self.section.loc

    @property
    def limits(self) -> Optional[Section]:
        """The ``compute_limits`` block, None when absent."""
        return self.section.section("compute_limits")

    def limit(self, name: str) -> Any:
        """A compute limit (``minimum_capacity_units``, ``maximum_capacity_units``,
        ``maximum_core_capacity_units``, ``maximum_ondemand_capacity_units``) as a number; None when
        absent; an Unknown when it cannot be evaluated (or its block may not exist)."""
        limits = self.limits
        if limits is None:
            return None
        if limits.maybe or getattr(limits, "unknown", False):
            return Unknown()
        value = limits.field(name).value
        if value is None or isinstance(value, Unknown):
            return value
        number = known_number(value.strip() if isinstance(value, str) else value)
        return Unknown() if number is None else number

    def scales(self) -> Any:
        """True when the limits let the cluster grow (maximum above minimum), False when they
        pin it (minimum = maximum), an Unknown when either limit is unknown or absent."""
        low, high = self.limit("minimum_capacity_units"), self.limit("maximum_capacity_units")
        if not isinstance(low, float) or not isinstance(high, float):
            return Unknown()
        return high > low

    def uncapped(self, name: str) -> bool:
        """True when the policy lets the cluster grow and the cap ``name``
        (``maximum_core_capacity_units``, ``maximum_ondemand_capacity_units``) is absent or not
        below ``maximum_capacity_units``, so it limits nothing; False when it limits, or when
        that cannot be known."""
        if self.scales() is not True:
            return False
        cap = self.limit(name)
        return cap is None or (not isinstance(cap, Unknown) and cap >= self.limit("maximum_capacity_units"))


def scaling_policies(res: Resource) -> List[ScalingPolicy]:
    """The managed scaling policies a resource writes itself: a cluster's inline policies, or an
    ``aws_emr_managed_scaling_policy`` (attached policies are checked at their own resource)."""
    if res.kind == "managed_scaling_policy":
        return [ScalingPolicy(res.body, maybe=res.maybe, address=res.address)]
    return [p for p in getattr(res, "scaling_policies", ()) if not p.address]


def limits_field(policy: ScalingPolicy, name: str) -> Field:
    """A compute limit's field (for its location); the policy block's when compute_limits is absent."""
    limits = policy.limits
    return limits.field(name) if limits is not None else Field(None, False, policy.loc)


@dataclass
class CoreBound:
    """The fewest core nodes a cluster can run with, and the written value that allows it."""

    count: int
    reason: str  # "instance_count", "target capacity", "managed scaling", "automatic scaling"
    field: Field  # the value that sets it (instance_count, minimum_capacity_units, MinCapacity...)


def _autoscaling_min(group: "InstanceGroup") -> Any:
    """The ``Constraints.MinCapacity`` of a group's automatic scaling policy: a number, None when the
    group has no policy, an Unknown when it has one that cannot be read."""
    f = group.section.field("autoscaling_policy")
    value = f.value
    if value is None:
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        decoded = decoded_json(f)
        value = decoded.value if decoded is not None else Unknown()
    if not isinstance(value, dict):
        return Unknown()
    constraints = get_ci(value, "constraints")
    low = get_ci(constraints, "min_capacity") if isinstance(constraints, dict) else None
    number = known_number(low)
    return Unknown() if number is None else number


def _ceil(x: float) -> int:
    return int(-(-x // 1))


@dataclass
class Cluster(Resource):
    instance_groups: List[InstanceGroup] = field(default_factory=list)
    instance_fleets: List[InstanceFleet] = field(default_factory=list)
    bootstrap_actions: List[BootstrapAction] = field(default_factory=list)
    steps: List[Section] = field(default_factory=list)  # each step's hadoop_jar_step (inline and attached)
    # managed scaling policies: inline (CloudFormation, RunJobFlow) and attached
    # (aws_emr_managed_scaling_policy); `scaling_incomplete` when one may be attached unseen
    scaling_policies: List[ScalingPolicy] = field(default_factory=list)
    scaling_incomplete: bool = False
    # True when more groups/fleets may be attached than the scan can see
    # (e.g. an aws_emr_instance_group whose cluster_id could not be evaluated)
    capacity_incomplete: bool = False

    def units(self, roles=("core", "task")) -> Iterator[Any]:
        for g in self.instance_groups:
            if g.role in roles:
                yield g
        for f in self.instance_fleets:
            if f.role in roles:
                yield f

    @property
    def managed_scaling(self) -> List[Section]:
        """The ``compute_limits`` blocks of every managed scaling policy of the cluster."""
        return [s for p in self.scaling_policies for s in p.section.sections("compute_limits")]

    def core_lower_bound(self) -> Optional[CoreBound]:
        """The fewest core nodes the cluster can run with, when the configuration proves it: its
        core instance group's ``instance_count`` (or a core fleet's target units over its largest
        weighted capacity), lowered by what scaling may shrink it to (managed scaling removes task
        nodes first, then core nodes, down to ``minimum_capacity_units`` and at most
        ``maximum_core_capacity_units``; an automatic scaling policy down to its ``MinCapacity``).
        None when any of that cannot be evaluated."""
        cores = list(self.units(("core",)))
        if len(cores) != 1 or cores[0].maybe or self.scaling_incomplete:
            return None
        core = cores[0]
        if isinstance(core, InstanceGroup):
            f = core.section.field("instance_count")
            count = known_number(core.units())
            bound = None if count is None or not math.isfinite(count) else CoreBound(int(count), "instance_count", f)
            low = _autoscaling_min(core)
            if isinstance(low, Unknown) or (low is not None and not math.isfinite(low)):
                return None
            if bound is not None and low is not None and low < bound.count:
                bound = CoreBound(int(low), "automatic scaling", core.section.field("autoscaling_policy"))
        else:
            weights = []
            for tc in core.section.sections("instance_type_configs"):
                w = tc.field("weighted_capacity").value
                weights.append(1.0 if w is None else known_number(w))
                if tc.maybe:
                    return None
            od, spot = known_number(core.on_demand_units()), known_number(core.spot_units())
            if not weights or any(w is None or w <= 0 for w in weights) or od is None or spot is None:
                return None
            if not all(math.isfinite(x) for x in weights + [od, spot]):
                return None  # a number too large for a float: no bound the configuration proves
            weight = max(weights)
            f = core.section.field("target_on_demand_capacity" if od else "target_spot_capacity")
            bound = CoreBound(_ceil((od + spot) / weight), "target capacity", f)
        if bound is None:
            return None
        for policy in self.scaling_policies:
            if policy.maybe:
                return None
            kind = policy.limits.field("unit_type").value if policy.limits is not None else None
            low, cap = policy.limit("minimum_capacity_units"), policy.limit("maximum_core_capacity_units")
            if not isinstance(low, float) or isinstance(cap, Unknown):
                return None
            floor = min([low] + ([cap] if cap is not None else []))
            if not math.isfinite(floor):
                return None
            if kind == "Instances":
                nodes = int(floor)
            elif kind == "InstanceFleetUnits" and isinstance(core, InstanceFleet):
                nodes = _ceil(floor / weight)
            else:
                return None  # vCPU limits (or units that do not fit the core) need the instance sizes
            if nodes < bound.count:
                name = "maximum_core_capacity_units" if cap is not None and cap < low else "minimum_capacity_units"
                bound = CoreBound(max(nodes, 0), "managed scaling", limits_field(policy, name))
        return bound

    def spot_capacity(self) -> Any:
        """Whether the cluster runs core or task capacity on Spot: True when a group or fleet that
        certainly exists is on Spot; False when none is (and nothing unseen may be attached); an
        Unknown when that depends on what cannot be evaluated."""
        units = list(self.units(("core", "task")))
        states = [u.on_spot() for u in units]
        if any(s is True and not u.maybe for u, s in zip(units, states)):
            return True
        if self.capacity_incomplete or any(isinstance(s, Unknown) or s is True for s in states):
            return Unknown()
        return False

    # ``configurations_json`` decoded: a list of {"Classification", "Properties",
    # "Configurations"} objects (Unknown where not evaluable); None when absent
    configurations: Optional[Field] = None


@dataclass
class InstanceTypeUse:
    """An instance type a resource writes: a group's ``instance_type`` or a fleet's
    ``instance_type_configs[].instance_type``."""

    field: Field
    where: str  # "The core instance group", "The task instance fleet"
    key: str  # what a finding about it is about: "core_instance_group.instance_type"


def instance_type_uses(res: Resource) -> List[InstanceTypeUse]:
    """Every instance type a cluster writes in its own groups and fleets (attached ones are
    resources of their own), or that a separate instance group or fleet writes."""
    out: List[InstanceTypeUse] = []

    def fleet(section: Section, prefix: str, where: str) -> None:
        for config in section.sections("instance_type_configs"):
            f = config.field("instance_type")
            suffix = f"|{f.value.strip()}" if isinstance(f.value, str) else ""
            out.append(InstanceTypeUse(f, where, f"{prefix}instance_type_configs.instance_type{suffix}"))

    if res.kind == "instance_group":
        out.append(InstanceTypeUse(res.field("instance_type"), "The task instance group", "instance_type"))
    elif res.kind == "instance_fleet":
        fleet(res.body, "", "The task instance fleet")
    elif isinstance(res, Cluster):
        groups = [g for g in res.instance_groups if not g.address]
        for role in ("master", "core", "task"):
            mine = [g for g in groups if g.role == role]
            for index, g in enumerate(mine):
                selector = ""
                if len(mine) > 1:
                    name = g.section.field("name").value
                    selector = f'["{name}"]' if isinstance(name, str) and name else f"[#{index + 1}]"
                out.append(InstanceTypeUse(g.section.field("instance_type"), f"The {role} instance group",
                                           f"{role}_instance_group{selector}.instance_type"))
        for f in res.instance_fleets:
            if not f.address:
                fleet(f.section, f"{f.role}_instance_fleet.", f"The {f.role} instance fleet")
    return out


def classification_properties(configurations: Any, classification: str) -> Any:
    """The merged ``Properties`` of every entry with this classification (nested
    ``Configurations`` included): a dict, an Unknown, or None when there is none."""
    if isinstance(configurations, Unknown):
        return Unknown(configurations.refs)
    if not isinstance(configurations, list):
        return None
    found: Optional[Dict[str, Any]] = None
    for entry in configurations:
        if isinstance(entry, Unknown):
            return Unknown(entry.refs)
        if not isinstance(entry, dict):
            continue
        name = get_ci(entry, "classification")
        if isinstance(name, Unknown):
            return Unknown(name.refs)
        if name == classification:
            props = get_ci(entry, "properties")
            if props is None:
                props = get_ci(entry, "configuration_properties") or {}
            if isinstance(props, Unknown):
                return props
            if isinstance(props, dict):
                found = {**(found or {}), **props}
        nested = get_ci(entry, "configurations")
        if nested:
            inner = classification_properties(nested, classification)
            if isinstance(inner, Unknown):
                return inner
            if inner is not None:
                found = {**(found or {}), **inner}
    return found


class Candidates:
    """Resources that references may point at, indexed by address (and by name when a
    known string is looked up), so that resolving every reference of a large plan or
    tree is not quadratic."""

    def __init__(self, resources: List[Resource]):
        self.resources = resources
        self._sorted = sorted((r.address, i) for i, r in enumerate(resources))
        self._keys = [a for a, _ in self._sorted]
        self._names: Optional[Dict[Any, List[int]]] = None

    def prefixed(self, prefix: str) -> Iterator[Tuple[str, int]]:
        """(address, position) of the resources whose address starts with ``prefix``."""
        import bisect

        i = bisect.bisect_left(self._keys, prefix)
        while i < len(self._keys) and self._keys[i].startswith(prefix):
            yield self._sorted[i]
            i += 1

    def named(self, name: str) -> List[int]:
        if self._names is None:
            self._names = {}
            for i, r in enumerate(self.resources):
                value = r.field("name").value
                if isinstance(value, str):
                    self._names.setdefault(value, []).append(i)
        return self._names.get(name, [])


def referenced(value: Any, candidates: Any) -> Tuple[List[Resource], List[Resource]]:
    """(exact, possible) resources among ``candidates`` (a list or :class:`Candidates`)
    that ``value`` refers to.

    References are the addresses (or CloudFormation logical IDs) an Unknown carries;
    a reference to a whole module whose instances are unknown may mean any resource
    inside it (possible).  A known string matches a resource whose ``name`` it is
    (security configurations are referred to by name)."""
    index = candidates if isinstance(candidates, Candidates) else Candidates(candidates)
    resources = index.resources
    values = value if isinstance(value, list) else [value]
    exact: List[Resource] = []
    possible: List[Resource] = []
    for v in values:
        matched_exact: set = set()
        matched_possible: set = set()
        for r in refs_of(v):
            for address, i in index.prefixed(r):
                rest = address[len(r):]
                if not rest or rest[0] == "[":
                    matched_exact.add(i)
                elif rest[0] == ".":
                    matched_possible.add(i)
        if isinstance(v, str) and v:
            matched_exact.update(index.named(v))
        for i in sorted(matched_exact):
            if resources[i] not in exact:
                exact.append(resources[i])
        for i in sorted(matched_possible - matched_exact):
            if resources[i] not in possible:
                possible.append(resources[i])
    return exact, [c for c in possible if c not in exact]


def attach_units(resources: List[Resource]) -> None:
    """Attach separately declared parts of clusters (``aws_emr_instance_group``/``_fleet``,
    ``AWS::EMR::InstanceGroupConfig``, ``aws_emr_managed_scaling_policy``, ``AWS::EMR::Step``)
    through their ``cluster_id``, and separate ingress rules to their security groups."""
    clusters = Candidates([r for r in resources if isinstance(r, Cluster)])
    groups = Candidates([r for r in resources if isinstance(r, SecurityGroup)])
    for res in resources:
        if res.kind == "security_group_rule":
            exact, possible = referenced(res.field("security_group_id").value, groups)
            for g in exact + possible:
                g.ingress.extend(res.rules)
            continue
        if res.kind not in ("instance_group", "instance_fleet", "managed_scaling_policy", "step"):
            continue
        cid = res.field("cluster_id").value
        if isinstance(cid, str):
            continue  # an existing cluster outside the scan
        exact, possible = referenced(cid, clusters)
        for c, maybe in [(c, res.maybe) for c in exact] + [(c, True) for c in possible]:
            if res.kind == "instance_group":
                c.instance_groups.append(InstanceGroup("task", res.body, maybe=maybe, address=res.address, default_count=0))
            elif res.kind == "instance_fleet":
                c.instance_fleets.append(InstanceFleet("task", res.body, maybe=maybe, address=res.address))
            elif res.kind == "managed_scaling_policy":
                c.scaling_policies.append(ScalingPolicy(res.body, maybe=maybe, address=res.address))
            else:
                c.steps.extend(res.body.sections("hadoop_jar_step"))
        if not exact and not possible and isinstance(cid, Unknown) and not refs_of(cid):
            # cluster_id unknown and from nowhere in particular: it may belong to any cluster here
            for c in clusters.resources:
                if res.kind == "managed_scaling_policy":
                    c.scaling_incomplete = True
                elif res.kind in ("instance_group", "instance_fleet"):
                    unit = InstanceGroup("task", res.body) if res.kind == "instance_group" else InstanceFleet("task", res.body)
                    if unit.on_spot() is not False:
                        c.capacity_incomplete = True


# ---------------------------------------------------------------------------
# Security
# ---------------------------------------------------------------------------


@dataclass
class SecurityConfiguration(Resource):
    """An EMR security configuration; ``settings`` is its decoded JSON
    (``EncryptionConfiguration``, ``AuthenticationConfiguration``...)."""

    settings: Optional[Field] = None


WORLD = ("0.0.0.0/0", "::/0")


@dataclass
class IngressRule:
    """One ingress permission: its CIDR fields (lists or single values), ports and protocol."""

    loc: Loc
    cidrs: List[Field] = field(default_factory=list)
    from_port: Optional[Field] = None
    to_port: Optional[Field] = None
    protocol: Optional[Field] = None
    address: str = ""  # the separate rule resource, "" when inline

    def open_to_world(self) -> Any:
        """The field that opens it to 0.0.0.0/0 or ::/0; None; or an Unknown."""
        unknown = None
        for f in self.cidrs:
            values = f.value if isinstance(f.value, list) else [f.value]
            for v in values:
                if isinstance(v, Unknown):
                    unknown = v
                elif isinstance(v, str) and v.strip() in WORLD:
                    return f
        return unknown


@dataclass
class SecurityGroup(Resource):
    ingress: List[IngressRule] = field(default_factory=list)


@dataclass
class SecurityGroupRule(Resource):
    """A separately declared ingress rule (``aws_security_group_rule``,
    ``aws_vpc_security_group_ingress_rule``, ``AWS::EC2::SecurityGroupIngress``)."""

    rules: List[IngressRule] = field(default_factory=list)


def ingress_rule(section: Section, address: str = "") -> IngressRule:
    """An ingress rule from any spelling: Terraform blocks and rule resources, CloudFormation."""
    cidrs = [section.field(n) for n in ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6", "cidr_ip",
                                         "cidr_ipv6_block")]
    protocol = section.field("protocol")
    if not protocol.present:
        protocol = section.field("ip_protocol")
    return IngressRule(section.loc, [f for f in cidrs if f.present], section.field("from_port"),
                       section.field("to_port"), protocol, address)


# ---------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------


@dataclass
class SparkSubmit:
    """Spark settings of a job: ``sparkSubmitParameters`` tokenised like a shell command
    line, plus ``spark-defaults`` from the job's configuration overrides."""

    conf: Dict[str, Field] = field(default_factory=dict)  # spark.* -> value
    options: Dict[str, Field] = field(default_factory=dict)  # --packages, --jars, --py-files, --archives, --class...
    entry_point: Optional[Field] = None
    known: bool = True  # False when the parameters could not be read (unknown or unbalanced quotes)


SPARK_OPTION_CONF = {"--packages": "spark.jars.packages", "--jars": "spark.jars", "--py-files": "spark.submit.pyFiles",
                     "--archives": "spark.archives", "--num-executors": "spark.executor.instances",
                     "--executor-memory": "spark.executor.memory", "--executor-cores": "spark.executor.cores",
                     "--driver-memory": "spark.driver.memory", "--driver-cores": "spark.driver.cores"}


def _submit_words(value: Any) -> Tuple[List[str], bool, bool]:
    """(words, known, last word continues into an unknown part) of a spark-submit parameter
    string.  Of a partly known string only the words before its first unknown part are
    proven (the unknown text could hold spaces or quotes that regroup what follows); the
    word the unknown part starts inside keeps its known start."""
    from emrlint.shellwords import split

    known = isinstance(value, str)
    text = value if known else leading_text(value)
    try:
        words = split(text)
    except ValueError:  # unbalanced quotes (in the known start: a quote the unknown part closes)
        return [], False, False
    return words, known, bool(not known and words and text and not text[-1].isspace())


def parse_spark_submit(params: Field) -> SparkSubmit:
    """Read ``--conf k=v`` and the dependency options of a spark-submit parameter string.

    ``known`` is False when the string is not entirely known; what its known start proves
    (``--jars https://${var.host}/x.jar``: a jar fetched over HTTPS) is still read, the value
    cut at the unknown part being a partly known string."""
    out = SparkSubmit()
    value = params.value
    if value is None:
        return out
    words, out.known, open_end = _submit_words(value)
    refs = refs_of(value)

    def word(i: int, text: str) -> Any:
        """Word ``i`` (or the ``text`` cut from it); partly known when it runs into the unknown part."""
        return Unknown(refs, (text, Unknown(refs))) if open_end and i == len(words) - 1 else text

    def origin():
        return params.origin, params.origin_call_sites

    i = 0
    while i < len(words):
        text = words[i]
        name, eq, inline = text.partition("=") if text.startswith("--") else (text, "", "")
        if open_end and i == len(words) - 1 and not eq:
            break  # an option name cut by the unknown part
        if name in ("--conf", "-c") or (text.startswith("--") and name in SPARK_OPTION_CONF):
            if eq:
                arg_i, arg_text = i, inline
            elif i + 1 < len(words):
                i += 1
                arg_i, arg_text = i, words[i]
            else:
                break
            if name in ("--conf", "-c"):
                key, sep, val = arg_text.partition("=")
                if not sep and open_end and arg_i == len(words) - 1:
                    break  # the key itself is cut by the unknown part
                out.conf[key.strip()] = Field(word(arg_i, val), True, params.attr_loc, origin)
            else:
                out.options[name] = out.conf.setdefault(SPARK_OPTION_CONF[name],
                                                        Field(word(arg_i, arg_text), True, params.attr_loc, origin))
        i += 1
    return out


@dataclass
class ConfigurationFile(Resource):
    """A standalone EMR configuration classification list (``configurations.json``)."""

    configurations: Optional[Field] = None


@dataclass
class JobRun(Resource):
    """An EMR Serverless or EMR on EKS job run (StartJobRun, a Step Functions task,
    an ``aws_emrcontainers_job_template``)."""

    platform: str = "serverless"  # "serverless" or "eks"
    spark: SparkSubmit = field(default_factory=SparkSubmit)
    application_address: str = ""  # the serverless application, when it is in the scan


# ---------------------------------------------------------------------------
# EMR Serverless
# ---------------------------------------------------------------------------

# EMR Serverless API SchedulerConfiguration: maxConcurrentRuns 1-1000, default 15 once the
# scheduler is on; queueTimeoutMinutes 15-720, default 360.
DEFAULT_MAX_CONCURRENT_RUNS = 15
MAX_CONCURRENT_RUNS_RANGE = (1, 1000)


@dataclass
class JobQueue:
    """An EMR Serverless application's job concurrency and queuing (``scheduler_configuration``).

    ``state`` is "on" (a scheduler block, or a release that queues by default), "off" (a
    release that supports queuing, no block), "unsupported" (a release below emr-7.0.0 without
    a block) or None (unknown: the release or the block cannot be evaluated). ``max_runs`` is
    the effective maximum of concurrent runs when the queue is on and it is known."""

    state: Optional[str]
    block: Optional[Section] = None  # the scheduler_configuration block, when written
    max_runs: Optional[int] = None
    max_runs_field: Optional[Field] = None  # max_concurrent_runs, when written
    default_on: bool = False  # on because the release turns queuing on by default (no block)


def job_queue(app: Resource) -> JobQueue:
    """Whether an EMR Serverless application queues job runs beyond its concurrency, and how many
    it runs at once (EMR Serverless user guide, "Job concurrency and queuing": supported from
    emr-7.0.0, on by default for new applications from emr-7.3.0)."""
    from emrlint import data

    blocks = app.body.sections("scheduler_configuration")
    if any(b.maybe or getattr(b, "unknown", False) for b in blocks):
        return JobQueue(None)
    if blocks:
        block = blocks[0]
        f = block.field("max_concurrent_runs")
        if f.value is None:
            return JobQueue("on", block, DEFAULT_MAX_CONCURRENT_RUNS, None)
        runs = known_number(f.value)
        return JobQueue("on", block, int(runs) if runs is not None and float(runs).is_integer() else None, f)
    label = app.field("release_label").value
    if data.supports(label, data.SERVERLESS_SCHEDULER_DEFAULT_ON):
        return JobQueue("on", None, DEFAULT_MAX_CONCURRENT_RUNS, None, default_on=True)
    supported = data.supports(label, data.SERVERLESS_SCHEDULER)
    if supported is None:
        return JobQueue(None)
    return JobQueue("off" if supported else "unsupported")


# ---------------------------------------------------------------------------
# Step Functions
# ---------------------------------------------------------------------------

# Step Functions runs at most 40 iterations of an inline Map state at once, and a distributed
# Map without MaxConcurrency up to 10,000 child workflows (Step Functions developer guide,
# "Using Map state in Inline mode" and "Using Map state in Distributed mode").
INLINE_MAP_CONCURRENCY = 40
DISTRIBUTED_MAP_CONCURRENCY = 10_000
INFINITE = float("inf")


@dataclass
class EmrTask:
    """A Task state that starts EMR work: a cluster, a step, or an EMR Serverless / EMR on EKS job run."""

    state: str  # the Task state's name
    integration: str  # "elasticmapreduce:createCluster", "aws-sdk:emrserverless:startJobRun"...
    loc: Loc  # the state's first line


@dataclass
class MapState:
    """A ``Map`` state (inline, distributed, or with the legacy ``Iterator``) and the EMR
    tasks its iterations start, at any depth of its processor (nested Map and Parallel states)."""

    name: str
    section: Section  # the state itself: MaxConcurrency, MaxConcurrencyPath, Items, ItemsPath...
    mode: str  # "INLINE", "DISTRIBUTED", or "" when the mode is not known
    items: Optional[int]  # the length of a literal ``Items`` array, None otherwise
    tasks: List[EmrTask] = field(default_factory=list)
    # the most EMR tasks one iteration can have running at once (Parallel branches add up,
    # nested Maps multiply); INFINITE when a nested Map has no limit
    per_iteration: float = 0
    nested_unbounded: bool = False  # a Map state inside its processor is unbounded (and reported on its own)

    @property
    def loc(self) -> Loc:
        return self.section.loc

    def unbounded(self) -> bool:
        """No concurrency limit is written (``MaxConcurrency`` absent or 0, no ``MaxConcurrencyPath``)
        and its items are not a literal array: every item starts at once, as far as Step Functions allows."""
        return self.limit() is None and self.items is None

    @property
    def distributed(self) -> bool:
        return self.mode == "DISTRIBUTED"

    def limit(self) -> Any:
        """The concurrency limit written on the state: a positive number; None when there is
        none (``MaxConcurrency`` absent or 0, no ``MaxConcurrencyPath``); an Unknown when it is
        decided at run time (``MaxConcurrencyPath``, a JSONata expression) or cannot be read."""
        if self.section.field("max_concurrency_path").present:
            return Unknown()
        f = self.section.field("max_concurrency")
        value = f.value
        if value is None:
            return None
        number = known_number(value)
        if number is None or number < 0 or not float(number).is_integer():
            return Unknown(refs_of(value))
        return None if number == 0 else int(number)

    def concurrency(self) -> Any:
        """The most iterations that can run at once: the limit, capped by a literal ``Items``
        array and by the inline mode's 40; INFINITE with neither limit nor literal items in
        distributed (or unknown) mode; an Unknown when the limit is decided at run time."""
        limit = self.limit()
        if isinstance(limit, Unknown):
            return limit
        bound = INFINITE if limit is None else float(limit)
        if self.items is not None:
            bound = min(bound, float(self.items))
        if self.mode != "DISTRIBUTED":  # inline, or an unknown mode: the inline cap is the least it can be
            bound = min(bound, float(INLINE_MAP_CONCURRENCY))
        return bound

    def fanout(self) -> Any:
        """The most EMR tasks this state can have running at once (concurrency x per iteration)."""
        conc = self.concurrency()
        if isinstance(conc, Unknown):
            return conc
        return conc * self.per_iteration if self.per_iteration else 0.0


@dataclass
class StateMachine(Resource):
    """A Step Functions state machine; ``maps`` are its Map states that start EMR work."""

    maps: List[MapState] = field(default_factory=list)


def build_cluster(res: Resource) -> Cluster:
    """A cluster with its inline groups, fleets, bootstrap actions, steps and managed
    scaling, from any section that uses the normalised names (``master_instance_group``,
    ``task_instance_fleet``, ``step``, ``managed_scaling_policy``...)."""
    cluster = res if isinstance(res, Cluster) else Cluster(**vars(res))
    body = res.body
    for role in ("master", "core", "task"):
        for s in body.sections(f"{role}_instance_group"):
            cluster.instance_groups.append(InstanceGroup(role, s, maybe=s.maybe))
        for s in body.sections(f"{role}_instance_fleet"):
            cluster.instance_fleets.append(InstanceFleet(role, s, maybe=s.maybe))
    for s in body.sections("instance_group"):  # AWS provider 1.x: instance_group { instance_role = "CORE" }
        role = s.field("instance_role").value
        if isinstance(role, str) and role.strip().lower() in ("master", "core", "task"):
            cluster.instance_groups.append(InstanceGroup(role.strip().lower(), s, maybe=s.maybe))
        elif role is not None:
            cluster.capacity_incomplete = True  # a group whose role is unknown: it may be Spot task capacity
    for s in body.sections("bootstrap_action"):
        cluster.bootstrap_actions.append(BootstrapAction(s, maybe=s.maybe))
    for s in body.sections("step"):
        cluster.steps.extend(s.sections("hadoop_jar_step"))
    for s in body.sections("managed_scaling_policy"):
        cluster.scaling_policies.append(ScalingPolicy(s, maybe=s.maybe))
    return cluster


def security_group(res: Resource) -> SecurityGroup:
    group = SecurityGroup(**vars(res))
    for s in res.body.sections("ingress"):
        group.ingress.append(ingress_rule(s))
    return group


def security_group_rule(res: Resource) -> Resource:
    """A separate rule resource; egress rules (``type = "egress"``) are kept out."""
    kind = res.field("type").value
    if isinstance(kind, str) and kind.lower() == "egress":
        res.kind = "security_group_egress_rule"
        return res
    rule = SecurityGroupRule(**vars(res))
    rule.kind = "security_group_rule"
    rule.rules.append(ingress_rule(res.body, res.address))
    return rule


def build_job_run(res: Resource, platform: str, driver: Optional[Any] = None) -> JobRun:
    """A job run: Spark settings from ``sparkSubmitParameters`` (tokenised like a command line)
    and ``spark-defaults`` in the configuration overrides."""
    job = JobRun(**vars(res), platform=platform)
    body = driver if driver is not None else res.body
    submit = None
    for jd in body.sections("job_driver"):
        if getattr(jd, "unknown", False):
            job.spark.known = False
            continue
        submit = (jd.sections("spark_submit") or jd.sections("spark_submit_job_driver") or [None])[0]
    if submit is not None and getattr(submit, "unknown", False):
        job.spark.known = False
    elif submit is not None:
        params = submit.field("spark_submit_parameters")
        if not params.present:
            params = submit.field("spark_submit_params")
        job.spark = parse_spark_submit(params)
        job.spark.entry_point = submit.field("entry_point")
    overrides = body.field("configuration_overrides").value
    app_conf = get_ci(overrides, "application_configuration") if isinstance(overrides, dict) else None
    defaults = classification_properties(app_conf, "spark-defaults") if app_conf is not None else None
    if isinstance(defaults, dict) and job.spark.known:  # else the unknown parameters may override them
        loc = body.field("configuration_overrides").attr_loc
        for key, value in defaults.items():
            job.spark.conf.setdefault(key, Field(value, True, loc))
    elif isinstance(defaults, Unknown) or isinstance(overrides, Unknown):
        job.spark.known = False
    return job


def decoded_json(f: Field, locate: Optional[LocateFn] = None) -> Optional[Field]:
    """A JSON-text field (``configurations_json``, ``configuration``...) with its value decoded;
    ``locate`` tells where its elements were written (a ``jsonencode`` object in Terraform)."""
    if not f.present:
        return None
    value = f.value
    if isinstance(value, (str, Unknown)):
        try:
            from emrlint.terraform.functions import call_function

            value = call_function("jsondecode", None, [value])
        except EvalError:
            value = Unknown(refs_of(value))
    return Field(value, True, f.attr_loc, lambda: (f.origin, f.origin_call_sites), locate=locate)


def classification_property(configurations: Optional[Field], classification: str, key: str) -> Optional[Field]:
    """The property ``key`` of classification ``classification`` in a decoded classification list
    (nested ``Configurations`` included; a later entry wins, as EMR merges them), as a field that
    points where the property was written; None when no entry sets it, or when the list (or an
    entry that could be the classification) cannot be evaluated, in which case it is unknown."""
    if configurations is None:
        return None
    found: Optional[Tuple[Tuple[Any, ...], Any]] = None
    unknown = False
    stack: List[Tuple[Tuple[Any, ...], Any]] = [((), configurations.value)]
    while stack:
        path, entries = stack.pop(0)
        if isinstance(entries, Unknown):
            unknown = True
            continue
        if not isinstance(entries, list):
            continue
        for i, entry in enumerate(entries):
            if isinstance(entry, Unknown):
                unknown = True
                continue
            if not isinstance(entry, dict):
                continue
            name = get_ci(entry, "classification")
            props = get_ci(entry, "properties")
            if isinstance(name, Unknown):
                unknown = True
            elif name == classification:
                if isinstance(props, Unknown):
                    unknown = True
                elif isinstance(props, dict) and key in props:
                    found = (path + (i, _key_of(entry, "properties"), key), props[key])
            nested_key = _key_of(entry, "configurations")
            if nested_key is not None:
                stack.append((path + (i, nested_key), entry[nested_key]))
    if found is None:
        return Field(Unknown(), True, configurations.attr_loc) if unknown else None
    return configurations.element(*found)


def _key_of(mapping: Dict[str, Any], name: str) -> Optional[str]:
    want = name.replace("_", "").lower()
    return next((k for k in mapping if str(k).replace("_", "").lower() == want), None)


def get_ci(mapping: Dict[str, Any], name: str) -> Any:
    """``mapping[name]`` where the key may be spelled snake_case, camelCase or PascalCase."""
    want = name.replace("_", "").lower()
    for key, value in mapping.items():
        if str(key).replace("_", "").lower() == want:
            return value
    return None


# ---------------------------------------------------------------------------
# Supporting resources
# ---------------------------------------------------------------------------


@dataclass
class Script:
    """A script file in the scanned tree that is uploaded somewhere (S3)."""

    path: str  # absolute path on disk
    text: str
    uploaded_by: str  # resource address
    is_template: bool = False


# The model class of every kind that has one (every other kind is a plain Resource): a
# loader must hand the model a resource of its kind's class, whatever the input lacks.
KIND_CLASSES: Dict[str, type] = {
    "cluster": Cluster,
    "job_run": JobRun,
    "security_configuration": SecurityConfiguration,
    "security_group": SecurityGroup,
    "security_group_rule": SecurityGroupRule,
    "configurations": ConfigurationFile,
    "state_machine": StateMachine,
}


class Model:
    """All resources of one scan, with the lookups rules need."""

    def __init__(self) -> None:
        self.resources: List[Resource] = []
        self._s3_objects: List[Tuple[str, Any, Any, Script]] = []  # (root, bucket, key, script)
        # Terraform root module directory -> provider alias ("" default) -> (region, "main.tf:3"):
        # the region that prices its resources
        self.provider_regions: Dict[str, Dict[str, Tuple[str, str]]] = {}
        # (path, line) -> "--var name=value": a root variable whose value came from the command line
        self.cli_origins: Dict[Tuple[str, int], str] = {}
        self._memo: Dict[Any, Any] = {}  # lookups computed once per model (cleared by add)

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)
        self._memo.clear()

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per model and key: a lookup over every resource that each
        resource asks (without it, checking a large plan is quadratic)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def of_kind(self, kind: str, root: Optional[str] = None) -> List[Resource]:
        """Resources of a kind (in one configuration ``root``, if given)."""
        if root is None:
            return self.memo(("kind", kind), lambda: [r for r in self.resources if r.kind == kind])
        return self.memo(("kind", kind, root), lambda: [r for r in self.of_kind(kind) if r.root == root])

    def find(self, value: Any, kind: str, root: str) -> Tuple[List[Resource], List[Resource]]:
        """(exact, possible) resources of ``kind`` in configuration ``root`` that ``value`` refers to
        (see :func:`referenced`): a cluster's security configuration, groups and subnet, a job
        run's application."""
        return referenced(value, self.memo(("candidates", kind, root), lambda: Candidates(self.of_kind(kind, root))))

    def add_uploaded_script(self, root: str, bucket: Any, key: Any, script: Script) -> None:
        self._s3_objects.append((root, bucket, key, script))

    def script_for(self, s3_uri: Any, root: str) -> Optional[Script]:
        """The scanned-tree file that the configuration ``root`` uploads to ``s3_uri``
        (a string or a partially known string), when exactly one object matches."""
        if isinstance(s3_uri, Unknown):
            if not s3_uri.parts:
                return None
            tail = s3_uri.parts[-1]
            if not isinstance(tail, str):
                return None
            bucket = None
            uri_tail = tail
        elif isinstance(s3_uri, str):
            m = re.match(r"^s3[an]?://([^/]+)/(.+)$", s3_uri)
            if not m:
                return None
            bucket, uri_tail = m.group(1), "/" + m.group(2)
        else:
            return None
        matches = []
        for obj_root, obj_bucket, key, script in self._s3_objects:
            if obj_root != root or not isinstance(key, str) or not key:
                continue
            k = "/" + key.lstrip("/")
            if not uri_tail.endswith(k):
                continue
            if bucket is not None and isinstance(obj_bucket, str) and obj_bucket != bucket:
                continue
            if bucket is not None and uri_tail != k:
                continue
            matches.append(script)
        return matches[0] if len({m.path for m in matches}) == 1 else None


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def known_number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or is_unknown(value) or value is None:
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond a float's range
        return float("inf") if value > 0 else float("-inf")
    except (TypeError, ValueError):
        return None
