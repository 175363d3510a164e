"""EMR Serverless on-demand rates: a small, dated table used by EMR107's worst-case cost.

Rates change: repositories that need exact figures (another region, a private price
agreement, a newer price list) set EMR107's ``vcpu_hour_usd`` and ``gb_hour_usd``
parameters, which replace the table.

Source: https://aws.amazon.com/emr/pricing/ (EMR Serverless: per vCPU-hour and per GB-hour
of memory, billed per second with a one-minute minimum; ephemeral storage above 20 GB per
worker is billed separately and is not part of this table). The pricing page renders its
rates with JavaScript: the us-east-1 Linux/x86 rates were checked on PRICES_DATE against
published copies of the price list; the ARM64 rates (20% lower, Graviton) were not re-checked
that day. US East (Ohio) and US West (Oregon) are priced like US East (N. Virginia); other
regions differ and are left to the vcpu_hour_usd/gb_hour_usd parameters.
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

PRICES_DATE = "2026-11-25"
PRICES_SOURCE = "https://aws.amazon.com/emr/pricing/"
DEFAULT_REGION = "us-east-1"

_US = {
    "X86_64": (0.052624, 0.0057785),
    "ARM64": (0.042094, 0.004628),
}

# region -> architecture -> (USD per vCPU-hour, USD per GB-hour of memory)
SERVERLESS_RATES: Dict[str, Dict[str, Tuple[float, float]]] = {
    "us-east-1": dict(_US),
    "us-east-2": dict(_US),
    "us-west-2": dict(_US),
}


def serverless_rates(region: str, architecture: str) -> Optional[Tuple[float, float]]:
    """(vCPU-hour, GB-hour) in USD for a region and architecture (X86_64 or ARM64), or None
    when the table has no rates for the region."""
    table = SERVERLESS_RATES.get((region or "").strip().lower())
    if table is None:
        return None
    return table.get((architecture or "X86_64").strip().upper())
