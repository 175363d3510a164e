"""User price files: your own rates beside (or instead of) emrlint's shipped price table.

A price file is YAML or JSON (``prices: FILE`` in the config, ``--prices FILE``). Every key
is optional except ``regions``::

    mode: extend            # extend (default): the file's rates replace or add to the
                            # shipped table's, row by row; replace: only the file's rates
    date: 2026-11-30        # when these rates were agreed or read (shown in messages)
    source: ACME enterprise agreement 2026
    currency: USD           # the only currency emrlint computes in
    discounts:              # a fraction off every rate of a kind in effect, after merging
      ec2: 0.12             # (negotiated discounts); 0 <= discount < 1
      emr: 0
      ebs: 0
      serverless: 0.10
    regions:
      us-east-1:
        instances:          # USD per hour, On-Demand
          m5.xlarge: {ec2: 0.192, emr: 0.048}
          r6g.4xlarge: {emr: 0.2016}          # one part only: the other stays the table's
        ebs_gb_month:       # USD per GB-month: gp3, gp2, io1, st1, sc1, standard
          gp3: 0.08
        ebs_provisioned:    # USD per provisioned IOPS-month (gp3: above the 3,000 included) and
          gp3_iops_month: 0.005              # per GiB/s-month of gp3 throughput above the
          gp3_throughput_gibps_month: 40.96  # 125 MiB/s included, as the AWS Price List gives it
          io1_iops_month: 0.065
        serverless:         # EMR Serverless, per architecture (X86_64, ARM64)
          ARM64: {vcpu_hour: 0.042094, gb_hour: 0.004628, storage_gb_hour: 0.000111}
      ap-south-2:           # a region the shipped table does not have
        instances:
          m5.xlarge: {ec2: 0.2, emr: 0.048}

The output of ``emrlint prices build`` (and the shipped ``prices.json``) is a valid price
file too: there an instance row is ``[ec2, emr]`` with ``null`` for an unknown part.

Every error names the file and the line (:class:`PriceFileError`).
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Dict, Optional, Tuple

from emrlint.discovery import UsageError
from emrlint.lazyre import lazy_re
from emrlint.record import dataclass, field

MODES = ("extend", "replace")
DISCOUNT_KINDS = ("ec2", "emr", "ebs", "serverless")
VOLUME_TYPES = ("gp3", "gp2", "io1", "st1", "sc1", "standard")
ARCHITECTURES = ("X86_64", "ARM64")
SERVERLESS_KEYS = ("vcpu_hour", "gb_hour", "storage_gb_hour")
TOP_KEYS = ("mode", "date", "source", "currency", "discounts", "regions", "table", "sources", "notes")
EBS_PROVISIONED_KEYS = ("gp3_iops_month", "gp3_throughput_gibps_month", "io1_iops_month")
REGION_KEYS = ("instances", "ebs_gb_month", "ebs_provisioned", "serverless")
_REGION = lazy_re(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_TYPE = lazy_re(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")
MAX_RATE = 1_000_000.0


class PriceFileError(UsageError):
    """A price file that cannot mean what emrlint needs; the message names file and line."""

    def __init__(self, path: str, line: Optional[int], message: str):
        self.path, self.line, self.reason = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


@dataclass
class PriceFile:
    path: str
    mode: str = "extend"
    date: Optional[str] = None
    source: Optional[str] = None
    discounts: Dict[str, float] = field(default_factory=dict)
    # region -> {"instances": {type: [ec2|None, emr|None]}, "ebs_gb_month": {...}, "ebs_provisioned": {...},
    #            "serverless": {arch: {...}}}
    regions: Dict[str, Dict[str, Any]] = field(default_factory=dict)


class _Reader:
    def __init__(self, path: str, doc: Any):
        self.path = path
        self.doc = doc

    def line(self, container: Any, key: Any) -> Optional[int]:
        from emrlint.jsonpos import key_position

        pos = key_position(container, key) if container is not None else None
        return pos[0] if pos else None

    def fail(self, container: Any, key: Any, message: str) -> None:
        raise PriceFileError(self.path, self.line(container, key), message)

    def mapping(self, container: Any, key: Any, value: Any, what: str) -> Dict[Any, Any]:
        if not isinstance(value, dict):
            self.fail(container, key, f"{what}: expected a mapping, got {_kind(value)}")
        return value

    def rate(self, container: Any, key: Any, value: Any, what: str) -> Optional[float]:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.fail(container, key, f"{what}: expected a number of USD, got {value!r}")
        if value < 0 or value > MAX_RATE:
            self.fail(container, key, f"{what}: {value!r} is not a rate (0 to {MAX_RATE:g} USD)")
        return float(value)

    def keys(self, container: Dict[Any, Any], allowed: Tuple[str, ...], what: str) -> None:
        for k in container:
            if k not in allowed:
                self.fail(container, k, f"{what}: unknown key {k!r} (known keys: {', '.join(allowed)})")


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "nothing"}.get(type(value), type(value).__name__)


def load_price_file(path: str) -> PriceFile:
    """Read and validate a user price file; :class:`PriceFileError` on anything wrong."""
    from emrlint.jsonpos import DocumentError, load_document

    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise PriceFileError(path, None, f"cannot read: {exc}") from None
    try:
        doc = load_document(text, "JSON" if path.endswith(".json") else "YAML")
    except DocumentError as exc:
        raise PriceFileError(path, exc.line, exc.message) from None
    if not isinstance(doc, dict):
        raise PriceFileError(path, 1, "a price file must be a mapping with a 'regions' key")
    r = _Reader(path, doc)
    r.keys(doc, TOP_KEYS, "price file")
    out = PriceFile(path)
    mode = doc.get("mode", "extend")
    if mode not in MODES:
        r.fail(doc, "mode", f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    out.mode = mode
    if doc.get("currency", "USD") != "USD":
        r.fail(doc, "currency", f"currency: only USD is supported, got {doc.get('currency')!r}")
    if "date" in doc:
        date = doc["date"]
        if isinstance(date, datetime.date):
            date = date.isoformat()
        try:
            datetime.date.fromisoformat(str(date))
        except ValueError:
            r.fail(doc, "date", f"date: expected YYYY-MM-DD, got {doc['date']!r}")
        out.date = str(date)
    if "source" in doc:
        if not isinstance(doc["source"], str):
            r.fail(doc, "source", "source: expected a string")
        out.source = doc["source"]
    if "discounts" in doc:
        discounts = r.mapping(doc, "discounts", doc["discounts"], "discounts")
        r.keys(discounts, DISCOUNT_KINDS, "discounts")
        for kind, value in discounts.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
                r.fail(discounts, kind, f"discounts.{kind}: expected a fraction from 0 to below 1 "
                                        f"(0.12 for 12% off), got {value!r}")
            out.discounts[kind] = float(value)
    if "regions" not in doc:
        raise PriceFileError(path, 1, "a price file needs 'regions' (region -> instances, ebs_gb_month, serverless)")
    regions = r.mapping(doc, "regions", doc["regions"], "regions")
    for region, body in regions.items():
        if not isinstance(region, str) or not _REGION.match(region):
            r.fail(regions, region, f"regions: {region!r} is not an AWS region name such as us-east-1")
        out.regions[region] = _region(r, regions, region, body)
    return out


def _region(r: _Reader, regions: Dict[Any, Any], region: str, body: Any) -> Dict[str, Any]:
    where = f"regions.{region}"
    body = r.mapping(regions, region, body, where)
    r.keys(body, REGION_KEYS, where)
    row: Dict[str, Any] = {"instances": {}, "ebs_gb_month": {}, "ebs_provisioned": {}, "serverless": {}}
    if "instances" in body:
        instances = r.mapping(body, "instances", body["instances"], f"{where}.instances")
        for name, value in instances.items():
            what = f"{where}.instances.{name}"
            if not isinstance(name, str) or not _TYPE.match(name.strip().lower()):
                r.fail(instances, name, f"{where}.instances: {name!r} is not an instance type name such as m5.xlarge")
            if isinstance(value, list):
                if len(value) != 2:
                    r.fail(instances, name, f"{what}: expected [ec2, emr], got {len(value)} values")
                rates = [r.rate(instances, name, v, what) for v in value]
            else:
                parts = r.mapping(instances, name, value, what)
                r.keys(parts, ("ec2", "emr"), what)
                rates = [r.rate(parts, k, parts.get(k), f"{what}.{k}") for k in ("ec2", "emr")]
            if rates == [None, None]:
                r.fail(instances, name, f"{what}: gives neither an ec2 nor an emr rate")
            row["instances"][name.strip().lower()] = rates
    for key, known in (("ebs_gb_month", VOLUME_TYPES), ("ebs_provisioned", EBS_PROVISIONED_KEYS)):
        if key in body:
            rates = r.mapping(body, key, body[key], f"{where}.{key}")
            r.keys(rates, known, f"{where}.{key}")
            for name, value in rates.items():
                rate = r.rate(rates, name, value, f"{where}.{key}.{name}")
                if rate is not None:
                    row[key][name] = rate
    if "serverless" in body:
        serverless = r.mapping(body, "serverless", body["serverless"], f"{where}.serverless")
        r.keys(serverless, ARCHITECTURES, f"{where}.serverless")
        for arch, value in serverless.items():
            what = f"{where}.serverless.{arch}"
            rates = r.mapping(serverless, arch, value, what)
            r.keys(rates, SERVERLESS_KEYS, what)
            row["serverless"][arch] = {k: r.rate(rates, k, rates[k], f"{what}.{k}") for k in SERVERLESS_KEYS
                                       if k in rates and rates[k] is not None}
    return row


def merge(shipped: Dict[str, Dict[str, Any]], user: Optional[PriceFile]) -> Dict[str, Dict[str, Any]]:
    """The rows in effect: the shipped table's regions (unless the file replaces them) with
    the file's rates over them, then the file's discounts."""
    if user is None:
        return shipped
    base = {} if user.mode == "replace" else shipped
    out: Dict[str, Dict[str, Any]] = {}
    for region in sorted(set(base) | set(user.regions)):
        b = base.get(region, {})
        u = user.regions.get(region, {})
        instances = {k: list(v) for k, v in b.get("instances", {}).items()}
        for name, (ec2, emr) in u.get("instances", {}).items():
            old = instances.get(name, [None, None])
            instances[name] = [ec2 if ec2 is not None else old[0], emr if emr is not None else old[1]]
        ebs = dict(b.get("ebs_gb_month", {}))
        ebs.update(u.get("ebs_gb_month", {}))
        provisioned = dict(b.get("ebs_provisioned", {}))
        provisioned.update(u.get("ebs_provisioned", {}))
        serverless = {arch: dict(v) for arch, v in b.get("serverless", {}).items()}
        for arch, rates in u.get("serverless", {}).items():
            serverless.setdefault(arch, {}).update(rates)
        out[region] = {"instances": _off(instances, user.discounts),
                       "ebs_gb_month": {k: _cut(v, user.discounts.get("ebs")) for k, v in ebs.items()},
                       "ebs_provisioned": {k: _cut(v, user.discounts.get("ebs")) for k, v in provisioned.items()},
                       "serverless": {a: {k: _cut(v, user.discounts.get("serverless")) for k, v in r.items()}
                                      for a, r in serverless.items()}}
    return out


def _cut(rate: Optional[float], discount: Optional[float]) -> Optional[float]:
    if rate is None or not discount:
        return rate
    return round(rate * (1 - discount), 10)


def _off(instances: Dict[str, list], discounts: Dict[str, float]) -> Dict[str, list]:
    return {k: [_cut(v[0], discounts.get("ec2")), _cut(v[1], discounts.get("emr"))] for k, v in instances.items()}
