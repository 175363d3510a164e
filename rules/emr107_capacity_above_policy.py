"""Capacity above the ceiling this repository sets: serverless maximum capacity, managed scaling, hourly cost.

A maximum capacity (EMR101) or a managed scaling limit puts *a* ceiling on what an
application or cluster can spend; this rule checks that ceiling against the one your
organisation agreed on. It only runs when the repository sets a limit in its emrlint
config: every parameter defaults to "not set".

```yaml
params:
  EMR107:
    max_vcpu: 400
    max_memory_gb: 2000
    max_capacity_units: 100
    max_hourly_usd: 50
    max_cluster_hourly_usd: 60
    max_instances: 120
    max_idle_hourly_usd: 5
```

The worst-case hourly cost of an EMR Serverless application is its maximum capacity
running for an hour: `cpu` vCPU-hours plus `memory` GB-hours, at EMR Serverless on-demand
rates for the application's `architecture` (`X86_64` unless it says `ARM64`), from
emrlint's shipped, dated price table (`emrlint rules --data` shows its date and sources):
for example $0.052624 per vCPU-hour and $0.0057785 per GB-hour on x86 in us-east-1. The
table has x86 rates for 16 regions and no ARM64 rates: for an ARM64 application, set
`vcpu_hour_usd` and `gb_hour_usd` to your rates, or the cost is unknown and the cost check
stays silent. Rates change and differ by region and agreement: set `price_region` (one of
the table's regions), or `vcpu_hour_usd` and `gb_hour_usd` to your own rates. Ephemeral
storage above the free 20 GB per worker is not included.

The cluster and pre-initialized ceilings use the figures of `emrlint cost` (see its
documentation, docs/cost.md): a cluster's worst case is every group and fleet (inline and
attached) at the most instances its configuration allows (instance counts, fleet targets over
their smallest weighted capacity, autoscaling `MaxCapacity`, the managed scaling maximum
converted by `unit_type`), each instance at its EC2 On-Demand plus EMR rate plus its EBS
volumes; an application's pre-initialized floor is its `initial_capacity` workers at EMR
Serverless rates. Rates come from the price table (`prices:` / `--prices` add your own), in the
region of the config's `region` or `--region`, else of the root module's `provider "aws"`,
else us-east-1. A rate the table lacks leaves a figure unknown except for what is proven:
the check fires when the known part alone is above the ceiling, and says what was not priced.

## What fires

* an EMR Serverless application whose `maximum_capacity.cpu` is above `max_vcpu`, or whose
  `maximum_capacity.memory` is above `max_memory_gb` (CloudFormation `MaximumCapacity`,
  CreateApplication `maximumCapacity`);
* a managed scaling policy (`aws_emr_managed_scaling_policy`, inline CloudFormation or
  RunJobFlow `ManagedScalingPolicy`) whose `compute_limits.maximum_capacity_units` is above
  `max_capacity_units`;
* an EMR Serverless application whose worst-case hourly cost at its maximum capacity is
  above `max_hourly_usd`; the message gives the vCPU-hours and GB-hours, the rates, the
  region and the price table's date;
* an EMR on EC2 cluster (Terraform, plans, CloudFormation, RunJobFlow, Step Functions
  `createCluster`) whose worst-case hourly cost is above `max_cluster_hourly_usd`, or that
  can run more than `max_instances` instances (primary, core and task together); the finding
  points at the capacity that dominates it: the instance count, fleet target, autoscaling
  policy or managed scaling maximum of the costliest (or largest) group or fleet, or its
  instance type when it runs a single instance;
* an EMR Serverless application whose pre-initialized capacity (`initial_capacity`, billed
  while the application is started) costs more per hour than `max_idle_hourly_usd`; the
  finding points at the `worker_count` of the costliest worker type.

Findings point where the value is written (the attribute, a variable default, a module
input, a tfvars line, a CloudFormation parameter `Default`); the cost finding points at the
`maximum_capacity` block.

## What does not fire

* anything, when the repository sets no limit (the default);
* unknown capacities (a variable without a default, a `!Ref` to a parameter without
  `Default`), a `maximum_capacity` or `compute_limits` block that may not exist;
* a cluster or application whose figure is unknown (a count from a variable without a value,
  an instance type from a data source, a rate the price table lacks) unless the part that is
  known is already above the ceiling;
* an application without `maximum_capacity` (EMR101 reports it). When only one of `cpu`
  and `memory` is known, the cost check uses that part alone, and fires only if it already
  exceeds the budget. When the `architecture` is unknown, the cheaper of the x86 and ARM64
  rates is used, so without ARM64 rates the cost is unknown and does not fire; so is a rate
  the table does not have (an ARM64 application without `vcpu_hour_usd`/`gb_hour_usd`).

## How to fix

Lower the maximum to what the workload needs, or, when the larger ceiling is intended,
raise the repository's limit (or suppress the finding with the reason).

## Failing example

```hcl
resource "aws_emrserverless_application" "backfill" {
  name          = "history-backfill"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "2000 vCPU"
    memory = "8000 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "backfill" {
  name          = "history-backfill"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "800 GB"
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  BackfillApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: history-backfill
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 2000 vCPU
        Memory: 8000 GB
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  BackfillApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: history-backfill
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MaximumCapacity:
        Cpu: 200 vCPU
        Memory: 800 GB
```

## Failing example (a cluster above `max_instances`)

```hcl
resource "aws_emr_cluster" "batch" {
  name          = "batch"
  release_label = "emr-7.1.0"

  master_instance_group {
    instance_type = "m5.xlarge"
  }

  core_instance_group {
    instance_type  = "m5.xlarge"
    instance_count = 150
  }
}
```

## Passing example (a cluster within `max_instances`)

```hcl
resource "aws_emr_cluster" "batch" {
  name          = "batch"
  release_label = "emr-7.1.0"

  master_instance_group {
    instance_type = "m5.xlarge"
  }

  core_instance_group {
    instance_type  = "m5.xlarge"
    instance_count = 20
  }
}
```

## References

* [Amazon EMR pricing (EMR Serverless)](https://aws.amazon.com/emr/pricing/)
* [EMR Serverless maximum capacity](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html)
* [Using managed scaling in Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html)
* [Amazon EMR pricing (EMR on EC2)](https://aws.amazon.com/emr/pricing/),
  [Amazon EC2 On-Demand pricing](https://aws.amazon.com/ec2/pricing/on-demand/)
"""

from emrlint.capacity import capacity_plan, fmt, initial_capacity, maximum_capacity, parse_amount
from emrlint.cost.estimate import estimate_cluster, estimate_serverless, money
from emrlint.cost.pricing import Pricing
from emrlint.data import price_region_check
from emrlint.findings import Loc
from emrlint.model import known_number
from emrlint.rulekit import Param, Problem
from emrlint.values import Unknown

ID = "EMR107"
NAME = "capacity-above-policy"
SEVERITY = "error"
KIND = ("serverless_application", "managed_scaling_policy", "cluster")
_POSITIVE = dict(minimum=0, exclusive_minimum=True, accepted="a number above 0")
PARAMS = {
    "max_vcpu": Param("number", None, "Largest EMR Serverless maximum_capacity.cpu (vCPU) allowed; not set: no limit.",
                      **_POSITIVE),
    "max_memory_gb": Param("number", None,
                           "Largest EMR Serverless maximum_capacity.memory (GB) allowed; not set: no limit.", **_POSITIVE),
    "max_capacity_units": Param(
        "number", None, "Largest managed scaling compute_limits.maximum_capacity_units allowed; not set: no limit.",
        **_POSITIVE),
    "max_hourly_usd": Param("number", None,
                            "Largest worst-case hourly cost (USD) of an EMR Serverless application at its maximum "
                            "capacity; not set: no limit.", **_POSITIVE),
    "max_cluster_hourly_usd": Param("number", None,
                                    "Largest worst-case hourly cost (USD) of an EMR on EC2 cluster at the most "
                                    "instances its configuration allows; not set: no limit.", **_POSITIVE),
    "max_instances": Param("integer", None, "Most instances (primary, core and task together) an EMR on EC2 cluster "
                           "may run; not set: no limit.", minimum=1, accepted="a whole number of at least 1"),
    "max_idle_hourly_usd": Param("number", None,
                                 "Largest hourly cost (USD) of an EMR Serverless application's pre-initialized "
                                 "(initial) capacity, billed while it is started; not set: no limit.", **_POSITIVE),
    "price_region": Param("string", None,
                          "Region whose EMR Serverless rates price max_hourly_usd (`emrlint rules --data` lists "
                          "the price table's regions); not set: the config's region or --region, else the root "
                          "module's provider region, else us-east-1.",
                          check=price_region_check, accepted="one of the price table's regions"),
    "vcpu_hour_usd": Param("number", None, "USD per vCPU-hour, replacing the price table's rate.", **_POSITIVE),
    "gb_hour_usd": Param("number", None, "USD per GB-hour of memory, replacing the price table's rate.", **_POSITIVE),
}

_SPELLING = {
    "cloudformation": ("MaximumCapacity", "Cpu", "Memory"),
    "create-application": ("maximumCapacity", "cpu", "memory"),
}


def _limit(ctx, name):
    value = ctx.params.get(name)
    return known_number(value)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _rates(app, ctx):
    """(vCPU-hour rate, GB-hour rate, where they come from), or None when a rate is unknown."""
    arch_v = app.field("architecture").value
    notes = []
    if arch_v is None:
        archs = ["X86_64"]
    elif isinstance(arch_v, str) and arch_v.strip().upper() in ("X86_64", "ARM64"):
        archs = [arch_v.strip().upper()]
    else:
        archs = ["X86_64", "ARM64"]
        notes.append("the architecture is unknown, so the cheaper of the x86 and ARM64 rates")
    pricing = _pricing(ctx)
    region = ctx.params.get("price_region")
    region = region.strip().lower() if isinstance(region, str) and region.strip() else pricing.region_for(app)[0]
    override_v, override_g = known_number(ctx.params.get("vcpu_hour_usd")), known_number(ctx.params.get("gb_hour_usd"))
    if override_v is not None and override_g is not None:
        return override_v, override_g, "rates from this repository's vcpu_hour_usd and gb_hour_usd"
    table = pricing.rates(region)
    found = [table.serverless_rates(a) if table is not None else None for a in archs]
    vcpu = [r.vcpu_hour if r is not None else None for r in found]
    gb = [r.gb_hour if r is not None else None for r in found]
    vcpu_rate = override_v if override_v is not None else (None if None in vcpu else min(vcpu))
    gb_rate = override_g if override_g is not None else (None if None in gb else min(gb))
    if vcpu_rate is None or gb_rate is None:
        return None
    if override_v is not None:
        notes.append("vCPU rate from this repository's vcpu_hour_usd")
    if override_g is not None:
        notes.append("GB rate from this repository's gb_hour_usd")
    return vcpu_rate, gb_rate, "; ".join([f"{region} {'/'.join(archs)}, {table.describe()}"] + notes)


def _serverless(app, ctx):
    maximum = maximum_capacity(app)
    if maximum is None:
        return
    block_name, cpu_name, memory_name = _SPELLING.get(app.source_format, ("maximum_capacity", "cpu", "memory"))
    cpu_f, memory_f = maximum.field("cpu"), maximum.field("memory")
    cpu, memory = parse_amount(cpu_f.value, "cpu"), parse_amount(memory_f.value, "memory")

    max_vcpu = _limit(ctx, "max_vcpu")
    if max_vcpu is not None and cpu is not None and cpu > max_vcpu:
        yield Problem(
            cpu_f.origin,
            f"{block_name}.{cpu_name} is {fmt(cpu, 'cpu')}, above this repository's max_vcpu of {max_vcpu:g}; "
            f"the application can scale to (and bill for) that many vCPUs. Set {cpu_name} to {max_vcpu:g} vCPU "
            "or less, or raise max_vcpu if this application really needs it.",
            key="maximum_capacity.cpu",
        )
    max_memory = _limit(ctx, "max_memory_gb")
    if max_memory is not None and memory is not None and memory > max_memory:
        yield Problem(
            memory_f.origin,
            f"{block_name}.{memory_name} is {fmt(memory, 'memory')}, above this repository's max_memory_gb of "
            f"{max_memory:g}; the application can scale to (and bill for) that much memory. Set {memory_name} to "
            f"{max_memory:g} GB or less, or raise max_memory_gb if this application really needs it.",
            key="maximum_capacity.memory",
        )
    budget = _limit(ctx, "max_hourly_usd")
    if budget is None or (cpu is None and memory is None):
        return
    rates = _rates(app, ctx)
    if rates is None:
        return  # a rate the table does not have: the cost is unknown
    vcpu_rate, gb_rate, note = rates
    parts = []
    cost = 0.0
    if cpu is not None:
        cost += cpu * vcpu_rate
        parts.append(f"{cpu:g} vCPU-hours x ${vcpu_rate:g} = {_money(cpu * vcpu_rate)}")
    if memory is not None:
        cost += memory * gb_rate
        parts.append(f"{memory:g} GB-hours x ${gb_rate:g} = {_money(memory * gb_rate)}")
    if cost <= budget:
        return
    at = ", ".join(fmt(v, d) for v, d in ((cpu, "cpu"), (memory, "memory")) if v is not None)
    yield Problem(
        maximum.loc,
        f"At its {block_name} ({at}) this application can cost {_money(cost)} per hour: {' plus '.join(parts)} "
        f"({note}), above this repository's max_hourly_usd of {_money(budget)}. Lower {block_name} to fit the budget, "
        "or raise max_hourly_usd if this worst case is intended.",
        key="maximum_capacity.hourly_cost",
    )


def _pricing(ctx) -> Pricing:
    pricing = getattr(ctx, "pricing", None)
    return pricing if pricing is not None else Pricing(None, ctx.model)


def _lines(ctx):
    cache = {}

    def lines_of(path):
        if path not in cache:
            cache[path] = ctx.sources.lines(path) if ctx.sources is not None else []
        return cache[path]
    return lines_of


def _proven(fig):
    """The figure, or its proven lower bound (None when nothing is proven)."""
    return fig.usd if fig.usd is not None else fig.at_least


def _at(driver, fallback):
    if driver is None:
        return fallback, ""
    name, path, line, column = driver
    return Loc(path, line, column), name


def _cluster_cost(res, ctx):
    limit = _limit(ctx, "max_cluster_hourly_usd")
    if limit is None:
        return
    est = estimate_cluster(res, _pricing(ctx), _lines(ctx))
    cost = _proven(est.worst)
    if cost is None or cost <= limit:
        return
    loc, what = _at(est.driver, res.loc)
    figure = money(cost) if est.worst.usd is not None else f"at least {money(cost)}"
    unpriced = f"; not priced: {'; '.join(est.worst.unknown[:3])}" if est.worst.usd is None else ""
    yield Problem(
        loc,
        f"At the most instances its configuration allows, this cluster can cost {figure} per hour, above this "
        f"repository's max_cluster_hourly_usd of {money(limit)}: {est.worst.how} ({est.region_how}; {est.rates}"
        f"{unpriced}). Lower the capacity that dominates it ({what or 'this cluster'}), or raise "
        "max_cluster_hourly_usd if this worst case is intended.",
        key="cluster.hourly_cost",
    )


def _cluster_instances(res, ctx):
    limit = _limit(ctx, "max_instances")
    if limit is None:
        return
    plan = capacity_plan(res)
    total, unknown = 0, False
    parts = []
    biggest = None
    for group, most in zip(plan.groups, plan.most):
        n = most.value if most.value is not None else (most.at_least or 0)
        unknown = unknown or most.value is None
        total += n
        parts.append(f"{group.role} {n if most.value is not None else f'at least {n}'} ({most.how})")
        if most.set_by is not None and most.set_by.loc is not None and (biggest is None or n > biggest[0]):
            biggest = (n, most.set_by)
    unknown = unknown or bool(plan.problems)
    if total <= limit:
        return
    loc = biggest[1].loc if biggest is not None else res.loc
    what = biggest[1].name if biggest is not None else "this cluster"
    yield Problem(
        loc,
        f"This cluster can run {'at least ' if unknown else ''}{total} instances: {'; '.join(parts)}, above this "
        f"repository's max_instances of {limit:g}. Lower {what}, or raise max_instances if it needs that many.",
        key="cluster.instances",
    )


def _serverless_idle(app, ctx):
    limit = _limit(ctx, "max_idle_hourly_usd")
    if limit is None:
        return
    est = estimate_serverless(app, _pricing(ctx), _lines(ctx))
    cost = _proven(est.floor)
    if cost is None or cost <= limit:
        return
    initial = [ln for ln in est.lines if ln.role == "initial capacity"]
    # point at the worker count of the costliest worker type
    costliest = max(initial, key=lambda ln: ln.floor.usd if ln.floor.usd is not None else ln.floor.at_least or 0.0)
    loc = app.loc
    for w in initial_capacity(app):
        if costliest.name.endswith(f"[{w.label}]"):
            loc = w.count.loc if w.count.present else w.loc
            break
    figure = money(cost) if est.floor.usd is not None else f"at least {money(cost)}"
    yield Problem(
        loc,
        f"While it is started, this application's pre-initialized capacity costs {figure} per hour, above this "
        f"repository's max_idle_hourly_usd of {money(limit)}: {'; '.join(ln.floor.how for ln in initial)} "
        f"({est.region_how}; {est.rates}). Pre-initialize fewer or smaller workers (or let it auto-stop sooner), "
        "or raise max_idle_hourly_usd if this floor is intended.",
        key="initial_capacity.hourly_cost",
    )


def _compute_limits(res, sections, ctx, names):
    limit = _limit(ctx, "max_capacity_units")
    if limit is None:
        return
    for limits in sections:
        if limits.maybe:
            continue
        f = limits.field("maximum_capacity_units")
        units = known_number(f.value)
        if units is None or units <= limit:
            continue
        unit_type = limits.field("unit_type").value
        unit = f" {unit_type}" if isinstance(unit_type, str) and unit_type else ""
        yield Problem(
            f.origin,
            f"{names[1]} is {units:g}{unit}, above this repository's max_capacity_units of {limit:g}; managed scaling "
            f"can grow the cluster (and its bill) to that size. Set {names[0]} to {limit:g} or less, or raise "
            "max_capacity_units if this cluster really needs it.",
            key="managed_scaling_policy.compute_limits.maximum_capacity_units",
        )


def check(res, ctx):
    if res.kind == "serverless_application":
        yield from _serverless(res, ctx)
        yield from _serverless_idle(res, ctx)
    elif res.kind == "managed_scaling_policy":
        yield from _compute_limits(res, res.body.sections("compute_limits"), ctx,
                                   ("maximum_capacity_units", "compute_limits.maximum_capacity_units"))
    elif res.kind == "cluster":
        document = res.source_format in ("cloudformation", "run-job-flow", "stepfunctions")
        names = (("MaximumCapacityUnits", "ManagedScalingPolicy.ComputeLimits.MaximumCapacityUnits") if document
                 else ("maximum_capacity_units", "managed_scaling_policy.compute_limits.maximum_capacity_units"))
        for policy in res.body.sections("managed_scaling_policy"):
            if policy.maybe or isinstance(policy, Unknown):
                continue
            yield from _compute_limits(res, policy.sections("compute_limits"), ctx, names)
        yield from _cluster_cost(res, ctx)
        yield from _cluster_instances(res, ctx)
