"""EMR Serverless worker sizes: what EMR105 accepts, and amounts the API rejects outright.

* the table of worker sizes EMR Serverless accepts ("Supported worker configurations" in
  the EMR Serverless User Guide, checked 2026-11-25);
* amounts that cannot be EMR Serverless amounts at all (``"4 cores"``, ``"16 GiB"``, a disk
  without its unit).

Reading capacities (units, the maximum and initial capacity in every source shape) is a
question about the model: :mod:`emrlint.capacity`.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from emrlint.values import Unknown
from emrlint.lazyre import lazy_re

# What the EMR Serverless API accepts (WorkerResourceConfig and MaximumAllowedResources patterns):
# a whole number, at most one space, and the unit, which is optional for cpu and memory and
# required for disk ("20 GB"; a bare "20" is rejected).
_API_PATTERN = {
    "cpu": lazy_re(r"^[1-9][0-9]*\s?(vCPU|vcpu|VCPU)?$"),
    "memory": lazy_re(r"^[1-9][0-9]*\s?(GB|gb|gB|Gb)?$"),
    "disk": lazy_re(r"^[1-9][0-9]*\s?(GB|gb|gB|Gb)$"),
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
