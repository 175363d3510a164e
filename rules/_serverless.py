"""EMR Serverless capacity helpers shared by EMR104, EMR105 and EMR107.

* unit parsing: capacities are strings with units (``"4 vCPU"``, ``"4vCPU"``, ``"4"``;
  ``"16 GB"``, ``"16GB"``, ``"16"``; disk ``"20 GB"``), sometimes numbers;
* the table of worker sizes EMR Serverless accepts ("Supported worker configurations" in
  the EMR Serverless User Guide, checked 2026-11-25);
* the application's pre-initialized capacity read from every source shape: Terraform and
  plans (``initial_capacity { initial_capacity_type, initial_capacity_config { worker_count,
  worker_configuration { cpu, memory, disk } } }``), CloudFormation (``InitialCapacity: [{Key,
  Value}]``, mapped by the loader to the same names) and CreateApplication requests
  (``initialCapacity: {"DRIVER": {workerCount, workerConfiguration}}``, a map keyed by worker type);
* the capacity arithmetic (per-worker size x worker count, summed over worker types).

Nothing here raises: values may be None, an Unknown, a number, a string, a list or a dict;
whatever cannot be read is returned as None ("unknown") and callers stay silent on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from emrlint.model import Field, Section, known_number
from emrlint.values import Unknown

# ---------------------------------------------------------------------------
# units
# ---------------------------------------------------------------------------

UNIT_LABEL = {"cpu": "vCPU", "memory": "GB", "disk": "GB"}
_UNIT_RE = {
    "cpu": re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:vcpus?)?\s*$", re.I),
    "memory": re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:gb)?\s*$", re.I),
    "disk": re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(?:gb)?\s*$", re.I),
}


def parse_amount(value: Any, dimension: str) -> Optional[float]:
    """``"4 vCPU"``/``"4vCPU"``/``"4"``/``4`` -> 4.0 (cpu); ``"16 GB"``/``"16GB"``/``"16"`` -> 16.0
    (memory, disk). None when absent, unknown or not written in a unit EMR Serverless reads."""
    if value is None or isinstance(value, (bool, Unknown)):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        return None
    pattern = _UNIT_RE.get(dimension)
    m = pattern.match(value) if pattern is not None else None
    return float(m.group(1)) if m else None


# What the EMR Serverless API accepts (WorkerResourceConfig and MaximumAllowedResources patterns):
# a whole number, at most one space, and the unit, which is optional for cpu and memory and
# required for disk ("20 GB"; a bare "20" is rejected).
_API_PATTERN = {
    "cpu": re.compile(r"^[1-9][0-9]*\s?(vCPU|vcpu|VCPU)?$"),
    "memory": re.compile(r"^[1-9][0-9]*\s?(GB|gb|gB|Gb)?$"),
    "disk": re.compile(r"^[1-9][0-9]*\s?(GB|gb|gB|Gb)$"),
}


def is_malformed(value: Any, dimension: str) -> bool:
    """True when ``value`` is fully known and is not an amount EMR Serverless accepts for this
    dimension (``"4 cores"``, ``"16 GiB"``, ``"1.5 vCPU"``, a disk without its unit, a list...):
    the API rejects it."""
    if value is None or isinstance(value, (bool, Unknown)):
        return isinstance(value, bool)
    if isinstance(value, (int, float)):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        pattern = _API_PATTERN.get(dimension)
        return pattern is not None and pattern.match(value) is None
    return isinstance(value, (list, dict))


def lacks_unit(value: Any, dimension: str) -> bool:
    """A disk written as a bare number (``"20"``, ``20``): the one unit-less amount the API rejects."""
    if dimension != "disk" or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return False
    text = str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else str(value)
    return _API_PATTERN["memory"].match(text) is not None and _API_PATTERN["disk"].match(text) is None


def fmt(amount: float, dimension: str) -> str:
    return f"{amount:g} {UNIT_LABEL.get(dimension, '')}".strip()


# ---------------------------------------------------------------------------
# supported worker configurations
# ---------------------------------------------------------------------------

# vCPU -> (minimum memory GB, maximum memory GB, increment GB). Source: Amazon EMR Serverless
# User Guide, "Supported worker configurations"
# (https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html#worker-configs),
# checked 2026-11-25.
WORKER_MEMORY: Dict[int, Tuple[int, int, int]] = {
    1: (2, 8, 1),
    2: (4, 16, 1),
    4: (8, 30, 1),
    8: (16, 60, 4),
    16: (32, 120, 8),
}
# disk type -> (minimum GB, maximum GB): 20-200 GB of standard ephemeral storage per worker;
# shuffle-optimized disks (EMR 7.1.0 and later) take 20 GB - 2 TB per worker.
WORKER_DISK: Dict[str, Tuple[int, int]] = {"STANDARD": (20, 200), "SHUFFLE_OPTIMIZED": (20, 2000)}


def memory_range(cpu: float) -> Optional[Tuple[int, int, int]]:
    return WORKER_MEMORY.get(int(cpu)) if float(cpu).is_integer() else None


def memory_ok(cpu: float, memory: float) -> bool:
    limits = memory_range(cpu)
    if limits is None:
        return False
    low, high, step = limits
    if not float(memory).is_integer():
        return False
    return low <= memory <= high and (int(memory) - low) % step == 0


def nearest_memory(cpu: float, memory: float) -> Optional[int]:
    """The supported memory size closest to ``memory`` for a worker with ``cpu`` vCPU."""
    limits = memory_range(cpu)
    if limits is None:
        return None
    low, high, step = limits
    clamped = min(max(memory, low), high)
    return int(min(high, low + step * int((clamped - low) / step + 0.5)))


def disk_limits(disk_type: Any) -> Optional[Tuple[int, int]]:
    """The disk range for a worker's ``disk_type``: STANDARD when absent, None when unknown."""
    if disk_type is None:
        return WORKER_DISK["STANDARD"]
    if not isinstance(disk_type, str):
        return None
    name = disk_type.strip().upper()
    return WORKER_DISK.get(name)


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
