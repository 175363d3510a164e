"""emrlint's shipped data: EC2 instance types, EMR releases and prices.

Every table is a plain JSON file in this package, with its date and its public sources,
rebuilt by a script kept in the repository (``data-build/``; the price table also by
``emrlint prices build`` from AWS Price List offer files). Rules, the cost estimator and
policies read the tables only through the functions below. A table is read the first time
one of its functions is called, never at import: a scan that needs no prices never opens
the price table.

Instance types::

    instance_type("m5.xlarge")       # InstanceType(vcpu=4, memory_gib=16.0, ...) or None
    instance_family("M5.xlarge ")    # "m5"
    previous_generation_successor("m4.xlarge")  # "m7g (Graviton) or m6i" (EMR112)

EMR releases::

    release("emr-7.1.0")             # Release(label, date, latest_patch, features) or None
    supports("emr-6.14.0", ROOT_VOLUME_IOPS_THROUGHPUT)  # False; None when unknowable

Prices::

    prices("us-east-1")              # RegionPrices or None; price_regions() lists regions
    prices("us-east-1").instance("m5.xlarge")  # InstancePrice(ec2_hourly, emr_hourly)
    prices("us-east-1").ebs("gp3")              # USD per GB-month; .ebs_iops_month("gp3"),
                                                # .ebs_throughput_mibps_month("gp3") above the included

Table metadata (``emrlint rules --data``)::

    tables()                         # [TableInfo(name, date, sources, regions, rows), ...]

Unknown is never a guess: a type, release, region or rate the table does not have is
``None``, and callers say so.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from emrlint.lazyre import lazy_re
from emrlint.record import dataclass, field

_HERE = os.path.dirname(os.path.abspath(__file__))
_CACHE: Dict[str, Dict[str, Any]] = {}

INSTANCE_TYPES = "instance-types"
RELEASES = "releases"
PRICES = "prices"
_FILES = {INSTANCE_TYPES: "instance_types.json", RELEASES: "releases.json", PRICES: "prices.json"}

# Features an EMR release enables (names used in releases.json).
SERVERLESS_SCHEDULER = "serverless_scheduler"
SERVERLESS_SCHEDULER_DEFAULT_ON = "serverless_scheduler_default_on"
SHUFFLE_OPTIMIZED_DISKS = "shuffle_optimized_disks"
MANAGED_SCALING = "managed_scaling"
ADVANCED_MANAGED_SCALING = "advanced_managed_scaling"
ROOT_VOLUME_IOPS_THROUGHPUT = "root_volume_iops_throughput"
OS_RELEASE_FLOATING = "os_release_floating"

# at most 6 digits a part: no release has more, and a longer run of digits (a fuzzed or hostile
# label) is not a label, rather than an integer Python refuses to convert
_LABEL = lazy_re(r"^emr-(\d{1,6})\.(\d{1,6})\.(\d{1,6})$")


def _table(name: str) -> Dict[str, Any]:
    table = _CACHE.get(name)
    if table is None:
        with open(os.path.join(_HERE, _FILES[name]), encoding="utf-8") as fh:
            table = json.load(fh)
        _CACHE[name] = table
    return table


# --------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class Source:
    """A public source of a table: what it is, where it is, and how it was retrieved."""

    title: str
    url: str
    retrieved: str = ""
    note: str = ""


@dataclass(frozen=True)
class TableInfo:
    name: str
    date: str
    sources: Tuple[Source, ...]
    rows: int
    regions: Tuple[str, ...] = ()
    missing: str = ""

    def age_days(self, today: Optional["_dt.date"] = None) -> int:
        """Days between the table's date and ``today`` (default: today)."""
        import datetime as _dt  # here: a scan never asks a table's age

        return ((today or _dt.date.today()) - _dt.date.fromisoformat(self.date)).days


def _sources(table: Dict[str, Any]) -> Tuple[Source, ...]:
    return tuple(Source(s.get("title", ""), s.get("url", ""), s.get("retrieved", ""), s.get("note", ""))
                 for s in table.get("sources", ()))


def table_info(name: str) -> TableInfo:
    """Date, sources and size of one table (``"instance-types"``, ``"releases"``, ``"prices"``)."""
    table = _table(name)
    if name == INSTANCE_TYPES:
        rows = len(table["types"])
    elif name == RELEASES:
        rows = len(table["releases"])
    else:
        rows = sum(len(r.get("instances", {})) for r in table["regions"].values())
    regions = tuple(sorted(table["regions"])) if name == PRICES else ()
    return TableInfo(name, table["date"], _sources(table), rows, regions, table.get("missing", ""))


def tables() -> List[TableInfo]:
    """Every shipped table's metadata."""
    return [table_info(name) for name in _FILES]


# --------------------------------------------------------------------------- instance types


@dataclass(frozen=True)
class EbsLayout:
    """EBS storage EMR attaches by default to an instance with EBS-only storage."""

    volumes: int
    size_gib: int
    volume_type: str

    @property
    def total_gib(self) -> int:
        return self.volumes * self.size_gib


@dataclass(frozen=True)
class InstanceType:
    """One EC2 instance type. A field the sources do not give is None."""

    name: str
    family: str
    size: str
    vcpu: Optional[int]
    memory_gib: Optional[float]
    generation: Optional[str]  # "current" | "previous"
    architecture: Optional[str]  # "x86_64" | "arm64" | ...
    emr_supported: Optional[bool]
    ebs_only: Optional[bool]
    default_ebs: Optional[EbsLayout]


def instance_family(name: Any) -> Optional[str]:
    """``"m4.xlarge"`` -> ``"m4"``; None for anything that is not an instance type string."""
    if not isinstance(name, str) or "." not in name:
        return None
    return name.strip().split(".", 1)[0].lower() or None


def _default_ebs(table: Dict[str, Any], size: str, ebs_only: Optional[bool]) -> Optional[EbsLayout]:
    if ebs_only is not True:
        return None
    ebs = table["emr_default_ebs"]
    layout = ebs["by_size"].get(size)
    if layout is None:
        return None
    return EbsLayout(layout[0], layout[1], ebs["volume_type"])


def instance_type(name: Any) -> Optional[InstanceType]:
    """The table's row for an EC2 instance type name (case and surrounding spaces ignored),
    or None when the name is not an EC2 instance type the table knows."""
    if not isinstance(name, str):
        return None
    key = name.strip().lower()
    table = _table(INSTANCE_TYPES)
    row = table["types"].get(key)
    if row is None:
        return None
    family, _, size = key.partition(".")
    ebs_only = row.get("ebs_only")
    return InstanceType(key, family, size, row.get("vcpu"), row.get("memory_gib"), row.get("generation"),
                        row.get("arch"), row.get("emr"), ebs_only, _default_ebs(table, size, ebs_only))


def instance_type_names() -> FrozenSet[str]:
    """Every instance type name in the table."""
    return frozenset(_table(INSTANCE_TYPES)["types"])


def previous_generation_successor(name: Any) -> Optional[str]:
    """For an instance type (``"m4.xlarge"``) of a family of generation 4 or older that has
    a cheaper like-for-like current successor, the suggested families (Graviton first);
    else None."""
    fam = instance_family(name)
    if not fam:
        return None
    row = _table(INSTANCE_TYPES)["families"].get(fam)
    return row.get("successor") if row else None


# --------------------------------------------------------------------------- releases


@dataclass(frozen=True)
class Release:
    label: str
    date: Optional[str]
    latest_patch: bool
    features: FrozenSet[str]


def parse_label(label: Any) -> Optional[Tuple[int, int, int]]:
    """``"emr-7.1.0"`` -> ``(7, 1, 0)``; None for anything that is not a full release label."""
    m = _LABEL.match(label.strip()) if isinstance(label, str) else None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def release(label: Any) -> Optional[Release]:
    """The table's row for a release label, or None when the table does not know it."""
    if not isinstance(label, str):
        return None
    key = label.strip()
    row = _table(RELEASES)["releases"].get(key)
    if row is None:
        return None
    return Release(key, row.get("date"), bool(row.get("latest_patch")), frozenset(row.get("features", ())))


def release_labels() -> List[str]:
    """Every label in the table, oldest first."""
    return sorted(_table(RELEASES)["releases"], key=lambda x: parse_label(x) or (0, 0, 0))


def feature(name: str) -> Dict[str, Any]:
    """A feature's definition: ``since`` (first label), ``except``, ``source``, ``note``."""
    return dict(_table(RELEASES)["features"][name])


def supports(label: Any, name: str) -> Optional[bool]:
    """Whether a release label enables a feature; None when it cannot be known (not a full
    label, or a feature that depends on the table's rows and a label the table lacks).

    Version thresholds apply to any full label, also one newer than the table;
    ``os_release_floating`` depends on which labels are the latest patch of their line,
    so it is known only for labels in the table."""
    version = parse_label(label)
    if version is None:
        return None
    spec = _table(RELEASES)["features"][name]
    if "lines_since" in spec:
        row = release(label)
        return None if row is None else name in row.features
    if label.strip() in spec.get("except", ()):
        return False
    return version >= parse_label(spec["since"])


# --------------------------------------------------------------------------- prices


@dataclass(frozen=True)
class InstancePrice:
    """On-Demand Linux USD per hour of one instance type in one region (None: not sourced)."""

    ec2_hourly: Optional[float]
    emr_hourly: Optional[float]


@dataclass(frozen=True)
class ServerlessRates:
    """EMR Serverless USD per vCPU-hour, per GB-hour of memory and per GB-hour of storage."""

    vcpu_hour: Optional[float]
    gb_hour: Optional[float]
    storage_gb_hour: Optional[float]


@dataclass(frozen=True)
class RegionPrices:
    """The rates in effect in one region. ``date`` is the shipped table's; ``price_file``
    names the user price file that replaced or extended its rows, if any."""

    region: str
    date: str
    instances: Dict[str, InstancePrice] = field(default_factory=dict)
    ebs_gb_month: Dict[str, float] = field(default_factory=dict)
    serverless: Dict[str, ServerlessRates] = field(default_factory=dict)
    price_file: Optional[str] = None
    ebs_provisioned: Dict[str, float] = field(default_factory=dict)

    def instance(self, name: Any) -> Optional[InstancePrice]:
        if not isinstance(name, str):
            return None
        return self.instances.get(name.strip().lower())

    def ebs(self, volume_type: Any) -> Optional[float]:
        """USD per GB-month of an EBS volume type (gp3, gp2, io1, st1, sc1, standard)."""
        return self.ebs_gb_month.get(volume_type.strip().lower()) if isinstance(volume_type, str) else None

    def ebs_iops_month(self, volume_type: Any) -> Optional[float]:
        """USD per provisioned IOPS-month: gp3 (IOPS above the 3,000 every gp3 volume includes)
        or io1 (every provisioned IOPS); None when unknown or not billed per IOPS."""
        if not isinstance(volume_type, str):
            return None
        return self.ebs_provisioned.get(f"{volume_type.strip().lower()}_iops_month")

    def ebs_throughput_mibps_month(self, volume_type: Any) -> Optional[float]:
        """USD per MiB/s-month of gp3 throughput above the 125 MiB/s every gp3 volume includes
        (the AWS Price List rate per GiB/s-month over 1024); None for other types or unknown."""
        if not isinstance(volume_type, str) or volume_type.strip().lower() != "gp3":
            return None
        rate = self.ebs_provisioned.get("gp3_throughput_gibps_month")
        return None if rate is None else rate / 1024

    def serverless_rates(self, architecture: Any = "X86_64") -> Optional[ServerlessRates]:
        """Rates for ``X86_64`` or ``ARM64``; None when no rate of that architecture is known."""
        arch = architecture.strip().upper() if isinstance(architecture, str) else "X86_64"
        return self.serverless.get(arch)

    def describe(self) -> str:
        """Where these rates come from, for messages: ``emrlint price table of 2023-02-03``."""
        text = f"emrlint price table of {self.date}"
        return f"{text} with rates from {self.price_file}" if self.price_file else text


def _rows(user: Any) -> Dict[str, Dict[str, Any]]:
    regions = _table(PRICES)["regions"]
    if user is None:
        return regions
    from emrlint.data.userprices import merge

    return merge(regions, user)


def price_regions(user: Any = None) -> Tuple[str, ...]:
    """The regions with rates: the shipped table's, and those of a user price file
    (:func:`emrlint.data.userprices.load_price_file`)."""
    return tuple(sorted(_rows(user)))


def prices(region: Any, user: Any = None) -> Optional[RegionPrices]:
    """The rates in effect in one region (the shipped table, or with ``user``, a loaded user
    price file, over it), or None when no rate of that region is known."""
    if not isinstance(region, str):
        return None
    key = region.strip().lower()
    row = _rows(user).get(key)
    if row is None:
        return None
    instances = {name: InstancePrice(v[0], v[1]) for name, v in row.get("instances", {}).items()}
    serverless = {arch: ServerlessRates(v.get("vcpu_hour"), v.get("gb_hour"), v.get("storage_gb_hour"))
                  for arch, v in row.get("serverless", {}).items()}
    return RegionPrices(key, _table(PRICES)["date"], instances, dict(row.get("ebs_gb_month", {})), serverless,
                        getattr(user, "path", None), dict(row.get("ebs_provisioned", {})))


def price_region_check(value: Any) -> str:
    """A parameter check: "" for a region of the shipped price table, else what is wrong."""
    if isinstance(value, str) and value.strip().lower() in price_regions():
        return ""
    return f"not a region of the price table ({', '.join(price_regions())})"
