"""What a cluster or serverless application can cost per hour, and how that was reached.

The cost model (docs/cost.md):

* EMR on EC2: every instance group and fleet (inline and attached) at the largest number of
  instances the configuration allows (:func:`emrlint.capacity.capacity_plan`: instance
  counts, fleet targets over weighted capacities, autoscaling ``MaxCapacity``, managed
  scaling limits by ``unit_type``), each instance at its type's EC2 On-Demand rate plus its
  EMR rate plus its EBS volumes (the GB-month rate of their type / 730, EMR's default layout
  for the instance size when none is written). A fleet is priced at its most expensive
  listed type for the worst case and its cheapest for the floor. The floor is the smallest
  number of instances (fixed counts, autoscaling ``MinCapacity``, the managed scaling minimum).
* EMR Serverless: ``maximum_capacity`` vCPU x vCPU-hour + GB x GB-hour + storage above the
  20 GB each worker gets free x storage GB-hour, at the rates of its ``architecture``; the
  floor is the pre-initialized (initial) capacity, billed while the application is started.
* Rates are On-Demand (Spot is bounded above by On-Demand; emrlint never guesses a Spot
  discount). A value emrlint cannot evaluate, or a rate the price table lacks, makes the
  figure unknown and names it; a proven lower bound is kept as ``at_least``.

Estimates are plain data (they cross process boundaries and go into caches and reports).
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

from emrlint.capacity import (
    Amount,
    NodeGroup,
    NodeType,
    capacity_plan,
    describe,
    node_groups,
    initial_capacity,
    maximum_capacity,
    parse_amount,
    read_number,
    spell,
    unknown_reason,
)
from emrlint.cost.pricing import HOURS_PER_MONTH, PriceSettings, Pricing
from emrlint.record import asdict, dataclass, field
from emrlint.values import Unknown

GP3_IOPS, GP3_MIBPS = 3000.0, 125.0  # what every gp3 volume includes (Amazon EBS pricing)
FREE_DISK_GB = 20.0  # EMR Serverless: each worker's first 20 GB of ephemeral storage is free
KINDS = ("cluster", "serverless_application")


@dataclass
class Figure:
    """A dollar figure per hour (or month): ``usd``, or None when unknown, with ``at_least``
    a proven lower bound (None when nothing is proven), how it was reached, and what is unknown."""

    usd: Optional[float]
    how: str = ""
    unknown: List[str] = field(default_factory=list)
    at_least: Optional[float] = None

    @property
    def known(self) -> bool:
        return self.usd is not None

    def bound(self) -> float:
        """The figure, or what is proven of it."""
        return self.usd if self.usd is not None else (self.at_least or 0.0)


class Tally:
    """A sum of figures: known while every part is."""

    def __init__(self) -> None:
        self.total = 0.0
        self.unknown: List[str] = []
        self.parts: List[str] = []

    def add(self, fig: Figure, label: str = "") -> None:
        self.total += fig.bound()
        for u in fig.unknown:
            if u not in self.unknown:
                self.unknown.append(u)
        if label:
            self.parts.append(label)

    def missing(self, reason: str) -> None:
        if reason not in self.unknown:
            self.unknown.append(reason)

    def figure(self, how: str) -> Figure:
        if self.unknown:
            return Figure(None, how, list(self.unknown), self.total if self.total > 0 else None)
        return Figure(self.total, how)


@dataclass
class Line:
    """One line of an estimate's breakdown: a group or fleet of a cluster, or the maximum or
    initial capacity of a serverless application."""

    role: str  # "master", "core", "task"; "maximum capacity", "initial capacity"
    name: str  # where it is written: core_instance_group, aws_emr_instance_group.task, Driver
    worst: Figure
    floor: Figure
    # EMR on EC2 (per instance, of the type the worst case is priced at)
    instance_type: Optional[str] = None
    floor_instance_type: Optional[str] = None
    max_count: Optional[int] = None
    min_count: Optional[int] = None
    ec2_hourly: Optional[float] = None
    emr_hourly: Optional[float] = None
    ebs_hourly: Optional[float] = None
    ebs: str = ""  # the volumes: "2 x 100 GB gp3"
    count_how: str = ""
    floor_count_how: str = ""
    # EMR Serverless
    architecture: Optional[str] = None
    workers: Optional[float] = None
    vcpu: Optional[float] = None
    memory_gb: Optional[float] = None
    disk_gb: Optional[float] = None  # billed storage (above the free 20 GB per worker)
    vcpu_hour: Optional[float] = None
    gb_hour: Optional[float] = None
    storage_gb_hour: Optional[float] = None


@dataclass
class Estimate:
    kind: str  # "cluster" or "serverless_application"
    type: str  # aws_emr_cluster, AWS::EMR::Cluster, elasticmapreduce:RunJobFlow...
    address: str
    path: str  # absolute
    line: int
    column: int
    root: str
    source_format: str
    call_sites: List[Tuple[str, str, int]]  # (module address, absolute path, line) outermost first
    region: str
    region_how: str
    rates: str  # where the rates come from: "emrlint price table of 2023-02-03"
    worst: Figure
    floor: Figure
    monthly: Figure
    lines: List[Line] = field(default_factory=list)
    notes: List[str] = field(default_factory=list)
    maybe: str = ""  # why the resource may not exist ("its count cannot be evaluated"), "" when it does
    # what sets the worst case, for EMR107: (description, path, line, column) of the count, the
    # managed scaling maximum or the instance type that dominates it
    driver: Optional[Tuple[str, str, int, int]] = None
    max_instances: Optional[int] = None
    max_instances_at_least: Optional[int] = None

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def from_dict(d: Dict[str, Any]) -> Estimate:
    """An :class:`Estimate` from :meth:`Estimate.to_dict` (a cache entry)."""
    def fig(x):
        return Figure(**x)

    lines = [Line(**{**ln, "worst": fig(ln["worst"]), "floor": fig(ln["floor"])}) for ln in d.get("lines", [])]
    out = dict(d, worst=fig(d["worst"]), floor=fig(d["floor"]), monthly=fig(d["monthly"]), lines=lines,
               call_sites=[tuple(c) for c in d.get("call_sites", [])],
               driver=tuple(d["driver"]) if d.get("driver") else None)
    return Estimate(**out)


def money(x: Optional[float]) -> str:
    """Dollars to the cent; below a cent, four significant digits (an instance's EBS per hour)."""
    if x is None:
        return "unknown"
    return f"${x:,.2f}" if abs(x) >= 0.01 or x == 0 else f"${x:.4g}"


def exact(x: float) -> str:
    """Dollars to six decimals, trailing zeros dropped: a per-instance figure a reader can recompute."""
    return "$" + (f"{x:.6f}".rstrip("0").rstrip(".") or "0")


def rate(x: float) -> str:
    """A rate as the table gives it (no rounding to cents)."""
    return f"${x:g}"


# ---------------------------------------------------------------------------
# EMR on EC2
# ---------------------------------------------------------------------------


@dataclass
class _InstancePrice:
    """What one instance of a type costs per hour: EC2 + EMR + EBS, or what is unknown."""

    type_name: Optional[str]
    ec2: Optional[float] = None
    emr: Optional[float] = None
    ebs: Optional[float] = None
    ebs_text: str = ""
    unknown: List[str] = field(default_factory=list)

    @property
    def total(self) -> Optional[float]:
        if self.unknown:
            return None
        return (self.ec2 or 0.0) + (self.emr or 0.0) + (self.ebs or 0.0)

    @property
    def at_least(self) -> float:
        return (self.ec2 or 0.0) + (self.emr or 0.0) + (self.ebs or 0.0)

    def text(self) -> str:
        parts = [f"EC2 {rate(self.ec2)}" if self.ec2 is not None else "EC2 unknown",
                 f"EMR {rate(self.emr)}" if self.emr is not None else "EMR unknown"]
        if self.ebs_text:
            parts.append(f"EBS {self.ebs_text} = {exact(self.ebs) if self.ebs is not None else 'unknown'}")
        total = self.total
        return f"{self.type_name}: {' + '.join(parts)}" + (f" = {exact(total)} per instance-hour" if total is not None
                                                            else "")


class _Context:
    def __init__(self, res: Any, pricing: Pricing, lines_of: Callable[[str], List[str]]):
        self.res = res
        self.pricing = pricing
        self.lines_of = lines_of
        self.region, self.region_how, _ = pricing.region_for(res)
        self.rates = pricing.rates(self.region)
        self._prices: Dict[Tuple[int, bool], Tuple[NodeType, _InstancePrice]] = {}

    def why(self, a: Amount) -> str:
        return describe(a, self.lines_of)

    def no_region(self) -> str:
        return (f"the price table has no rates for {self.region} ({self.region_how}); its regions are "
                f"{', '.join(self.pricing.regions())}")

    def instance_price(self, nt: NodeType, largest: bool = True) -> _InstancePrice:
        """One instance's hourly price; ``largest``: where the configuration leaves a choice
        (EMR's default volumes are gp2 or gp3), the dearer (else the cheaper) choice."""
        key = (id(nt), largest)
        cached = self._prices.get(key)
        if cached is None or cached[0] is not nt:
            cached = self._prices[key] = (nt, self._price(nt, largest))  # nt kept alive: its id stays its own
        return cached[1]

    def _price(self, nt: NodeType, largest: bool) -> _InstancePrice:
        problem = nt.type_problem()
        if problem is not None:
            return _InstancePrice(None, unknown=[self.why(problem)])
        name = nt.type_name
        out = _InstancePrice(name)
        if self.rates is None:
            out.unknown.append(self.no_region())
            return out
        row = self.rates.instance(name)
        where = f"{name} in {self.region}"
        if row is None or row.ec2_hourly is None:
            out.unknown.append(f"the price table has no EC2 rate for {where}")
        else:
            out.ec2 = row.ec2_hourly
        if row is None or row.emr_hourly is None:
            out.unknown.append(f"the price table has no EMR rate for {where}")
        else:
            out.emr = row.emr_hourly
        self._ebs(nt, out, largest)
        return out

    def _ebs(self, nt: NodeType, out: _InstancePrice, largest: bool) -> None:
        """EBS per instance-hour: the volumes written, or EMR's default layout for the size."""
        fmt = self.res.source_format
        if not nt.volumes:
            from emrlint.data import instance_type as lookup

            row = lookup(out.type_name)
            if row is None or row.ebs_only is None:
                out.unknown.append(f"emrlint's instance table does not know whether {out.type_name} has instance "
                                   "storage, so its default EBS volumes are unknown")
                return
            if row.ebs_only is False or row.default_ebs is None:
                if row.ebs_only:
                    out.unknown.append(f"emrlint's instance table has no default EBS layout for {out.type_name}")
                else:
                    out.ebs, out.ebs_text = 0.0, "none (instance storage)"  # EMR attaches no EBS volume by default
                return
            layout = row.default_ebs
            choices = [t.strip().lower() for t in layout.volume_type.split(" or ") if t.strip()]
            rates = {t: self.rates.ebs(t) if self.rates is not None else None for t in choices}
            missing = [t for t, r in rates.items() if r is None]
            if missing:
                out.ebs_text = f"{layout.volumes} x {layout.size_gib} GB {layout.volume_type} (EMR's default)"
                out.unknown.append(f"the price table has no EBS {' or '.join(missing)} rate for {self.region}")
                return
            pick = (max if largest else min)(choices, key=lambda t: rates[t])
            either = f" ({layout.volume_type}: the {'dearer' if largest else 'cheaper'})" if len(choices) > 1 else ""
            self._volume_cost(out, layout.volumes, layout.size_gib, pick,
                              f"{layout.volumes} x {layout.size_gib} GB {pick}{either}, EMR's default")
            return
        for v in nt.volumes:
            prefix = f"{nt.name}.{spell(self.res, 'ebs_config')}"
            if getattr(v, "unknown", False) or getattr(v, "maybe", False):
                why = ("is known only after apply" if fmt == "terraform-plan" else
                       "may or may not exist" if getattr(v, "maybe", False) and not getattr(v, "unknown", False)
                       else "cannot be evaluated")
                out.unknown.append(f"{prefix} {why}")
                continue
            size = read_number(v.field("size"), f"{prefix}.{spell(self.res, 'size')}", None, fmt)
            count = read_number(v.field("volumes_per_instance"), f"{prefix}.{spell(self.res, 'volumes_per_instance')}",
                                1, fmt)
            vtype_f = v.field("type")
            vtype = vtype_f.value
            bad = [a for a in (size, count) if not a.known]
            if isinstance(vtype, Unknown):
                bad.append(Amount(None, f"{prefix}.{spell(self.res, 'type')}", vtype_f, unknown_reason(vtype, fmt)))
            elif not isinstance(vtype, str) or not vtype.strip():
                bad.append(Amount(None, f"{prefix}.{spell(self.res, 'type')}", vtype_f if vtype_f.present else None,
                                  "is not set"))
            if bad:
                out.unknown.extend(self.why(a) for a in bad)
                continue
            vtype = vtype.strip().lower()
            self._volume_cost(out, count.value, size.value, vtype, f"{count.value:g} x {size.value:g} GB {vtype}")
            self._provisioned(out, v, prefix, count.value, vtype)

    def _provisioned(self, out: _InstancePrice, v: Any, prefix: str, count: float, vtype: str) -> None:
        """What a volume provisions beyond its storage: gp3 IOPS above 3,000 and throughput above
        125 MiB/s (what every gp3 volume includes), io1 IOPS (all of them)."""
        fmt = self.res.source_format
        for attr, included, unit, lookup in (("iops", GP3_IOPS if vtype == "gp3" else 0, "IOPS", "iops"),
                                             ("throughput", GP3_MIBPS, "MiB/s", "throughput")):
            if (attr == "iops" and vtype not in ("gp3", "io1")) or (attr == "throughput" and vtype != "gp3"):
                continue
            a = read_number(v.field(attr), f"{prefix}.{spell(self.res, attr)}", None, fmt)
            if a.why == "is not set":
                if vtype == "io1":  # io1 volumes provision their IOPS: AWS requires them
                    out.unknown.append(self.why(a))
                continue
            if not a.known:
                out.unknown.append(self.why(a))
                continue
            extra = max(0.0, a.value - included)
            if extra == 0:
                continue
            per_month = (self.rates.ebs_iops_month(vtype) if lookup == "iops" else
                         self.rates.ebs_throughput_mibps_month(vtype)) if self.rates is not None else None
            above = f" ({extra:g} above the {included:g} included)" if included else ""
            out.ebs_text += f" + {count:g} x {a.value:g} {unit}{above}"
            if per_month is None:
                out.unknown.append(f"the price table has no EBS {vtype} {unit} rate for {self.region}")
                continue
            out.ebs = (out.ebs or 0.0) + count * extra * per_month / HOURS_PER_MONTH
            out.ebs_text += f" at {rate(per_month)}/{unit}-month"

    def _volume_cost(self, out: _InstancePrice, count: float, size: float, vtype: str, text: str) -> None:
        out.ebs_text = f"{out.ebs_text} + {text}" if out.ebs_text else text
        gb_month = self.rates.ebs(vtype) if self.rates is not None else None
        if gb_month is None:
            out.unknown.append(f"the price table has no EBS {vtype} rate for {self.region}")
            return
        out.ebs = (out.ebs or 0.0) + count * size * gb_month / HOURS_PER_MONTH
        out.ebs_text += f" at {rate(gb_month)}/GB-month"


def _priced(ctx: _Context, group: NodeGroup, largest: bool) -> Optional[Tuple[NodeType, _InstancePrice]]:
    """The type a group or fleet is priced at: its most expensive (worst) or cheapest (floor)
    listed type, by what is known of each."""
    options = [(t, ctx.instance_price(t, largest)) for t in group.types]
    if not options:
        return None
    unknown = [o for o in options if o[1].total is None]
    if largest and unknown:  # the most expensive may be one whose price is unknown
        return max(unknown, key=lambda o: o[1].at_least)
    known = [o for o in options if o[1].total is not None]
    if not largest and known and not unknown:
        return min(known, key=lambda o: o[1].total)
    if not largest:
        return min(options, key=lambda o: o[1].at_least)
    return max(options, key=lambda o: o[1].total)


def estimate_cluster(res: Any, pricing: Pricing, lines_of: Callable[[str], List[str]]) -> Estimate:
    ctx = _Context(res, pricing, lines_of)

    def value(group: NodeGroup, nt: Optional[NodeType], largest: bool) -> Optional[float]:
        picked = _priced(ctx, group, largest)
        return picked[1].at_least if picked is not None else None

    # managed scaling gives its units to the costliest groups; when a group's price is not
    # known at all, to the most instances (the worst case is unknown then, and so is its count)
    groups = node_groups(res)
    priced = all((_priced(ctx, g, True) or (None, _InstancePrice(None)))[1].at_least > 0 for g in groups
                 if g.role != "master")
    plan = capacity_plan(res, value if priced else None, groups=groups)
    worst_tally, floor_tally = Tally(), Tally()
    lines: List[Line] = []
    heaviest: Optional[Tuple[float, Any]] = None
    for group, most, least in zip(plan.groups, plan.most, plan.least):
        w_pick, f_pick = _priced(ctx, group, True), _priced(ctx, group, False)
        worst = _times(ctx, most, w_pick, group)
        floor = Figure(0.0, "it may not exist") if group.maybe else _times(ctx, least, f_pick, group)
        price = w_pick[1] if w_pick is not None else _InstancePrice(None)
        lines.append(Line(
            group.role, group.name, worst, floor,
            instance_type=price.type_name, floor_instance_type=f_pick[1].type_name if f_pick else None,
            max_count=most.value, min_count=0 if group.maybe else least.value,
            ec2_hourly=price.ec2, emr_hourly=price.emr, ebs_hourly=price.ebs, ebs=price.ebs_text,
            count_how=most.how + (f" (at least {most.at_least})" if most.value is None and most.at_least else ""),
            floor_count_how="it may not exist" if group.maybe else least.how))
        worst_tally.add(worst, group.name)
        floor_tally.add(floor, group.name)
        weight = worst.bound()
        if heaviest is None or weight > heaviest[0]:
            heaviest = (weight, (group, most, w_pick))
    for problem in plan.problems:
        worst_tally.missing(problem)
    if not plan.groups:
        worst_tally.missing(f"{res.address} has no instance groups or fleets emrlint can read")
    notes = list(plan.notes)
    worst = worst_tally.figure(_sum_how(lines, "worst", ctx))
    floor = floor_tally.figure(_sum_how(lines, "floor", ctx))
    est = _estimate(res, ctx, worst, floor, lines, notes)
    # the most instances: the allocation of managed scaling units with the most of them
    counts = capacity_plan(res, None, groups=groups) if plan.scaling is not None else plan
    instances = sum(m.value if m.value is not None else (m.at_least or 0) for m in counts.most)
    instances_unknown = bool(counts.problems) or any(m.value is None for m in counts.most)
    est.max_instances = None if instances_unknown else instances
    est.max_instances_at_least = instances if instances_unknown and instances else None
    if heaviest is not None:
        est.driver = _driver(res, *heaviest[1])
    return est


def _times(ctx: _Context, count: Any, picked: Optional[Tuple[NodeType, _InstancePrice]], group: NodeGroup) -> Figure:
    """count x per-instance price, with what is unknown of either."""
    unknown = [ctx.why(a) for a in count.unknown]
    if picked is None:
        return Figure(None, f"{group.name} lists no instance types", unknown + [f"{group.name} lists no instance types"])
    nt, price = picked
    n = count.value
    if n is not None and n == 0:
        return Figure(0.0, f"0 instances ({count.how})")
    unknown += price.unknown
    how = f"{n if n is not None else '?'} x {price.text()}"
    if unknown:
        proven = (n if n is not None else (count.at_least or 0)) * price.at_least
        return Figure(None, how, unknown, proven if proven > 0 else None)
    return Figure(n * price.total, how)


def _sum_how(lines: List[Line], which: str, ctx: _Context) -> str:
    parts = []
    for ln in lines:
        fig = ln.worst if which == "worst" else ln.floor
        n = ln.max_count if which == "worst" else ln.min_count
        t = ln.instance_type if which == "worst" else ln.floor_instance_type
        amount = money(fig.usd) if fig.known else (f"at least {money(fig.at_least)}" if fig.at_least else "unknown")
        parts.append(f"{ln.role} {n if n is not None else '?'} x {t or '?'} {amount}")
    return " + ".join(parts)


def _driver(res: Any, group: NodeGroup, most: Any, picked: Any) -> Optional[Tuple[str, str, int, int]]:
    """Where the capacity that dominates the worst case is set: the count (or managed scaling
    maximum) of the costliest group, or its instance type when it runs one instance."""
    setter = most.set_by
    if setter is not None and setter.loc is not None and not (most.value == 1 and picked is not None):
        loc = setter.loc
        return (setter.name, loc.path, loc.line, loc.column)
    if picked is not None:
        nt = picked[0]
        f = nt.instance_type
        try:
            loc = f.loc if f.present else group.section.loc
        except Exception:
            loc = f.attr_loc
        return (nt.type_label, loc.path, loc.line, loc.column)
    loc = group.section.loc
    return (group.name, loc.path, loc.line, loc.column)


# ---------------------------------------------------------------------------
# EMR Serverless
# ---------------------------------------------------------------------------


def _serverless_rates(ctx: _Context, app: Any) -> Tuple[Optional[str], Any, List[str]]:
    """(architecture, rates, what is unknown) of an application."""
    f = app.field("architecture")
    value = f.value
    if value is None:
        arch = "X86_64"
    elif isinstance(value, str) and value.strip().upper() in ("X86_64", "ARM64"):
        arch = value.strip().upper()
    else:
        a = Amount(None, spell(app, "architecture"), f,
                   unknown_reason(value, app.source_format) if isinstance(value, Unknown) else
                   f"is {value!r}, not X86_64 or ARM64")
        return None, None, [ctx.why(a)]
    if ctx.rates is None:
        return arch, None, [ctx.no_region()]
    return arch, ctx.rates.serverless_rates(arch), []


def _rate_parts(ctx: _Context, arch: str, rates: Any, need: Tuple[str, ...]) -> Tuple[Dict[str, float], List[str]]:
    out, unknown = {}, []
    words = {"vcpu_hour": "vCPU-hour", "gb_hour": "GB-hour", "storage_gb_hour": "storage GB-hour"}
    for key in need:
        v = getattr(rates, key, None) if rates is not None else None
        if v is None:
            unknown.append(f"the price table has no EMR Serverless {arch} {words[key]} rate for {ctx.region}")
        else:
            out[key] = v
    return out, unknown


def estimate_serverless(app: Any, pricing: Pricing, lines_of: Callable[[str], List[str]]) -> Estimate:
    ctx = _Context(app, pricing, lines_of)
    arch, rates, arch_unknown = _serverless_rates(ctx, app)
    lines: List[Line] = []
    notes: List[str] = []

    # the floor: pre-initialized capacity, billed while the application is started
    floor_tally = Tally()
    workers = initial_capacity(app)
    for w in workers:
        line = _initial_line(ctx, app, arch, rates, arch_unknown, w)
        if line is None:
            continue
        lines.append(line)
        floor_tally.add(line.floor, line.name)
    floor_how = " + ".join(f"{ln.name} {money(ln.floor.usd) if ln.floor.known else 'unknown'}" for ln in lines) or \
        "no initial capacity: nothing is pre-initialized, so it bills only while jobs run"
    floor = floor_tally.figure(floor_how)

    # the worst case: maximum capacity for an hour
    maximum = maximum_capacity(app)
    block = spell(app, "maximum_capacity")
    if maximum is None:
        reason = (f"{block} may not exist" if app.body.sections("maximum_capacity") else
                  f"{block} is not set: the application can scale to the account's EMR Serverless quota")
        at_least = floor.bound()
        worst = Figure(None, reason, [reason], at_least if at_least > 0 else None)
        lines.insert(0, Line("maximum capacity", block, worst, Figure(0.0), architecture=arch))
    else:
        worst, line = _maximum_line(ctx, app, arch, rates, arch_unknown, maximum, block, floor)
        lines.insert(0, line)
    return _estimate(app, ctx, worst, floor, lines, notes)


def _amount(ctx: _Context, app: Any, section: Any, dimension: str, name: str) -> Amount:
    f = section.field(dimension)
    value = f.value
    if value is None:
        return Amount(None, name, None, "is not set")
    if isinstance(value, Unknown):
        return Amount(None, name, f, unknown_reason(value, app.source_format))
    n = parse_amount(value, dimension)
    if n is None or not math.isfinite(n) or n < 0:
        return Amount(None, name, f, "is not an amount EMR Serverless reads")
    return Amount(n, name, f)


def _maximum_line(ctx, app, arch, rates, arch_unknown, maximum, block, floor) -> Tuple[Figure, Line]:
    cpu = _amount(ctx, app, maximum, "cpu", f"{block}.{spell(app, 'cpu')}")
    memory = _amount(ctx, app, maximum, "memory", f"{block}.{spell(app, 'memory')}")
    disk = _amount(ctx, app, maximum, "disk", f"{block}.{spell(app, 'disk')}")
    unknown = list(arch_unknown)
    for a in (cpu, memory):
        if not a.known:
            unknown.append(ctx.why(a))
    need = ("vcpu_hour", "gb_hour") + (("storage_gb_hour",) if disk.known else ())
    got, missing = _rate_parts(ctx, arch or "X86_64", rates, need) if arch else ({}, [])
    unknown += missing
    billed_disk = max(0.0, disk.value - FREE_DISK_GB) if disk.known else None
    if disk.why == "is not set":
        unknown.append(f"{disk.name} is not set, so storage above the {FREE_DISK_GB:g} GB each worker gets free "
                       "is not bounded")
    elif not disk.known:
        unknown.append(ctx.why(disk))
    parts, total = [], 0.0
    if cpu.known and "vcpu_hour" in got:
        total += cpu.value * got["vcpu_hour"]
        parts.append(f"{cpu.value:g} vCPU x {rate(got['vcpu_hour'])} = {money(cpu.value * got['vcpu_hour'])}")
    if memory.known and "gb_hour" in got:
        total += memory.value * got["gb_hour"]
        parts.append(f"{memory.value:g} GB x {rate(got['gb_hour'])} = {money(memory.value * got['gb_hour'])}")
    if billed_disk is not None and "storage_gb_hour" in got:
        total += billed_disk * got["storage_gb_hour"]
        parts.append(f"{billed_disk:g} GB of storage ({disk.value:g} GB less the {FREE_DISK_GB:g} GB a worker gets "
                     f"free) x {rate(got['storage_gb_hour'])} = {money(billed_disk * got['storage_gb_hour'])}")
    how = f"{block} for an hour ({arch or 'architecture unknown'}): " + (" + ".join(parts) or "nothing known")
    if unknown:
        proven = max(total, floor.bound())
        worst = Figure(None, how, unknown, proven if proven > 0 else None)
    else:
        worst = Figure(total, how)
    line = Line("maximum capacity", block, worst, Figure(0.0, "not part of the floor"), architecture=arch,
                vcpu=cpu.value, memory_gb=memory.value, disk_gb=billed_disk, vcpu_hour=got.get("vcpu_hour"),
                gb_hour=got.get("gb_hour"), storage_gb_hour=got.get("storage_gb_hour"))
    return worst, line


def _initial_line(ctx, app, arch, rates, arch_unknown, w) -> Optional[Line]:
    block = spell(app, "initial_capacity")
    name = f"{block}[{w.label}]"
    if w.maybe:
        return Line("initial capacity", name, Figure(0.0, "may not exist"), Figure(0.0, "it may not exist"),
                    architecture=arch)
    fmt = app.source_format
    count = read_number(w.count, f"{name}.{spell(app, 'worker_count')}", None, fmt)
    unknown = list(arch_unknown)
    if not count.known:
        unknown.append(ctx.why(count))
    sizes = {}
    for dim in ("cpu", "memory", "disk"):
        if w.worker is None:
            a = Amount(None, f"{name}.{spell(app, 'worker_configuration')}", None, "is not set")
        else:
            a = _amount(ctx, app, w.worker, dim, f"{name}.{spell(app, 'worker_configuration')}.{spell(app, dim)}")
        if dim == "disk" and a.why == "is not set":
            a = Amount(FREE_DISK_GB, a.name, None, note="the default")
        if not a.known:
            unknown.append(ctx.why(a))
        sizes[dim] = a
    billed_disk = max(0.0, sizes["disk"].value - FREE_DISK_GB) if sizes["disk"].known else None
    need = ("vcpu_hour", "gb_hour") + (("storage_gb_hour",) if billed_disk else ())
    got, missing = _rate_parts(ctx, arch or "X86_64", rates, need) if arch else ({}, [])
    unknown += missing
    if getattr(rates, "storage_gb_hour", None) is not None:
        got.setdefault("storage_gb_hour", rates.storage_gb_hour)  # shown, though nothing is billed at it
    n = count.value
    how = f"{name}: {n:g} worker{'s' if n != 1 else ''}" if n is not None else f"{name}: ? workers"
    total = None
    if not unknown:
        per = sizes["cpu"].value * got["vcpu_hour"] + sizes["memory"].value * got["gb_hour"] + (
            billed_disk * got["storage_gb_hour"] if billed_disk else 0.0)
        total = n * per
        how += (f" x ({sizes['cpu'].value:g} vCPU x {rate(got['vcpu_hour'])} + {sizes['memory'].value:g} GB x "
                f"{rate(got['gb_hour'])}"
                + (f" + {billed_disk:g} GB of storage x {rate(got['storage_gb_hour'])}" if billed_disk else "")
                + f") = {money(total)}")
    floor = Figure(total, how) if total is not None else Figure(None, how, unknown)
    return Line("initial capacity", name, Figure(0.0, "part of the maximum capacity"), floor, architecture=arch,
                workers=n, vcpu=_mul(n, sizes["cpu"].value), memory_gb=_mul(n, sizes["memory"].value),
                disk_gb=_mul(n, billed_disk), vcpu_hour=got.get("vcpu_hour"), gb_hour=got.get("gb_hour"),
                storage_gb_hour=got.get("storage_gb_hour"))


def _mul(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return a * b if a is not None and b is not None else None


# ---------------------------------------------------------------------------
# every resource of a model
# ---------------------------------------------------------------------------


def _estimate(res: Any, ctx: _Context, worst: Figure, floor: Figure, lines: List[Line], notes: List[str]) -> Estimate:
    rates = ctx.pricing.describe(ctx.rates)
    monthly = Figure(worst.usd * HOURS_PER_MONTH if worst.known else None,
                     f"the worst case for {HOURS_PER_MONTH} hours", list(worst.unknown),
                     worst.at_least * HOURS_PER_MONTH if worst.at_least is not None else None)
    loc = res.loc
    return Estimate(res.kind, res.type, res.address, loc.path, loc.line, loc.column, res.root, res.source_format,
                    [(c.address, c.loc.path, c.loc.line) for c in res.call_sites], ctx.region, ctx.region_how, rates,
                    worst, floor, monthly, lines, notes, res.maybe_reason or ("it may not be created" if res.maybe
                                                                               else ""))


def estimate(res: Any, pricing: Pricing, lines_of: Callable[[str], List[str]]) -> Optional[Estimate]:
    """The estimate of one resource (a cluster or a serverless application), else None."""
    if res.kind == "cluster":
        return estimate_cluster(res, pricing, lines_of)
    if res.kind == "serverless_application":
        return estimate_serverless(res, pricing, lines_of)
    return None


def estimate_model(model: Any, settings: Optional[PriceSettings], sources: Any, errors: List[Any]) -> List[Estimate]:
    """Every cluster and serverless application of ``model``, estimated. A resource that is
    both in Terraform source and in a plan of it is estimated once, from the source; an
    estimator bug on one resource is an internal error for it (appended to ``errors``)."""
    from emrlint.engine import internal_error

    pricing = Pricing(settings, model)
    lines: Dict[str, List[str]] = {}

    def lines_of(path: str) -> List[str]:
        got = lines.get(path)
        if got is None:
            got = lines[path] = sources.lines(path)
        return got

    sourced = {(r.root, r.address) for r in model.resources if r.source_format == "terraform" and r.kind in KINDS}
    out: List[Estimate] = []
    for res in model.resources:
        if res.kind not in KINDS:
            continue
        if res.source_format == "terraform-plan" and _in_source(res, sourced):
            continue
        try:
            found = estimate(res, pricing, lines_of)
        except Exception as exc:  # a bug in the estimator: reported for this resource, never a traceback
            errors.append(internal_error(exc, f"estimating the cost of {res.address} failed", res.file, res.address))
            continue
        if found is not None:
            out.append(found)
    return out


def _in_source(res: Any, sourced: set) -> bool:
    """Whether a planned resource is also in the Terraform source it was planned from (the
    plan file's directory, or a directory above it)."""
    directory = os.path.dirname(res.file)
    while True:
        if (directory, res.address) in sourced:
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            return False
        directory = parent
