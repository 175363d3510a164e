"""Build a price table from AWS Price List bulk offer files (``emrlint prices build``).

Download the offers (no AWS account needed)::

    curl -o ec2.json https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/us-east-1/index.json
    curl -o emr.json https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/ElasticMapReduce/current/index.json
    emrlint prices build --ec2 ec2.json --emr emr.json -o prices.json

and use the result as a user price file (``prices: prices.json`` in the config, or
``--prices prices.json``). What is read from each offer (``products`` and
``terms.OnDemand``, every price in USD):

* AmazonEC2, ``productFamily`` "Compute Instance": the On-Demand hourly rate of
  ``operatingSystem`` Linux, ``tenancy`` Shared, ``preInstalledSw`` NA, ``capacitystatus``
  Used, ``licenseModel`` "No License required" (when present), unit ``Hrs``;
* AmazonEC2, ``productFamily`` "Storage": the GB-month rate of each ``volumeApiName``
  (gp3, gp2, io1, st1, sc1, standard), unit ``GB-Mo``;
* ElasticMapReduce, ``productFamily`` "Elastic Map Reduce Instance" with ``softwareType``
  EMR: the hourly EMR rate of each ``instanceType``.

A product's region is its ``regionCode``, else its ``location`` name (for the regions named
in :data:`LOCATIONS`). A product with several On-Demand rates, or a rate that is not a
plain number, is an error, never a pick. EMR Serverless rates are not read from offers: put
them in a user price file.

Offer files are large (the EC2 offer of one region is several hundred MB); the reader
keeps only the rows it needs.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

# Price List location names of the regions emrlint's own table covers and their
# neighbours, for offers without ``regionCode``.
LOCATIONS = {
    "US East (N. Virginia)": "us-east-1",
    "US East (Ohio)": "us-east-2",
    "US West (N. California)": "us-west-1",
    "US West (Oregon)": "us-west-2",
    "Canada (Central)": "ca-central-1",
    "EU (Ireland)": "eu-west-1",
    "EU (London)": "eu-west-2",
    "EU (Paris)": "eu-west-3",
    "EU (Frankfurt)": "eu-central-1",
    "EU (Stockholm)": "eu-north-1",
    "Asia Pacific (Singapore)": "ap-southeast-1",
    "Asia Pacific (Sydney)": "ap-southeast-2",
    "Asia Pacific (Tokyo)": "ap-northeast-1",
    "Asia Pacific (Seoul)": "ap-northeast-2",
    "Asia Pacific (Mumbai)": "ap-south-1",
    "South America (Sao Paulo)": "sa-east-1",
}
VOLUME_TYPES = ("gp3", "gp2", "io1", "st1", "sc1", "standard")
EBS_PROVISIONED = ("gp3_iops_month", "gp3_throughput_gibps_month", "io1_iops_month")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class OfferError(ValueError):
    """An offer file emrlint cannot read as the AWS Price List format."""


def _region(attributes: Dict[str, Any]) -> Optional[str]:
    code = attributes.get("regionCode")
    if isinstance(code, str) and code:
        return code
    return LOCATIONS.get(attributes.get("location", ""))


def _rate(offer: Dict[str, Any], sku: str, unit: str, where: str) -> Optional[float]:
    """The single On-Demand USD rate of ``sku`` in ``unit``; None when the offer has none."""
    terms = offer.get("terms", {}).get("OnDemand", {}).get(sku)
    if not terms:
        return None
    rates = []
    for term in terms.values():
        for dim in term.get("priceDimensions", {}).values():
            if dim.get("unit") != unit:
                continue
            usd = dim.get("pricePerUnit", {}).get("USD")
            if not isinstance(usd, str) or not _NUMBER.match(usd):
                raise OfferError(f"{where}: SKU {sku}: On-Demand price {usd!r} is not a USD amount")
            rates.append(float(usd))
    if not rates:
        return None
    if len(set(rates)) > 1:
        raise OfferError(f"{where}: SKU {sku} has {len(rates)} different On-Demand rates per {unit} "
                         f"({', '.join(f'{r:g}' for r in sorted(set(rates)))})")
    return _clean(rates[0])


def _clean(value: float) -> float:
    """0.1920000000 -> 0.192 (offers carry ten decimals)."""
    return float(f"{value:.10f}".rstrip("0").rstrip(".")) if math.isfinite(value) else value


def _products(offer: Any, where: str) -> Dict[str, Any]:
    if not isinstance(offer, dict) or not isinstance(offer.get("products"), dict):
        raise OfferError(f"{where}: not an AWS Price List offer file (no 'products' mapping)")
    return offer["products"]


def _put(found: Dict[Tuple[str, str], float], key: Tuple[str, str], rate: float, where: str, sku: str) -> None:
    old = found.get(key)
    if old is not None and old != rate:
        raise OfferError(f"{where}: {key[1]} in {key[0]} has two On-Demand rates ({old:g} and {rate:g}, SKU {sku})")
    found[key] = rate


def ec2_rates(offer: Dict[str, Any], where: str = "EC2 offer") -> Tuple[Dict[Tuple[str, str], float],
                                                                        Dict[Tuple[str, str], float]]:
    """((region, instance type) -> Linux On-Demand USD/hour, (region, volume type) -> USD/GB-month)."""
    instances: Dict[Tuple[str, str], float] = {}
    volumes: Dict[Tuple[str, str], float] = {}
    for sku, product in _products(offer, where).items():
        family = product.get("productFamily")
        attrs = product.get("attributes", {})
        region = _region(attrs)
        if region is None:
            continue
        if family == "Compute Instance":
            if (attrs.get("operatingSystem") != "Linux" or attrs.get("tenancy") != "Shared"
                    or attrs.get("preInstalledSw") != "NA" or attrs.get("capacitystatus") != "Used"
                    or attrs.get("licenseModel", "No License required") != "No License required"):
                continue
            rate = _rate(offer, sku, "Hrs", where)
            if rate is not None:
                _put(instances, (region, attrs["instanceType"].lower()), rate, where, sku)
        elif family == "Storage" and attrs.get("volumeApiName") in VOLUME_TYPES:
            rate = _rate(offer, sku, "GB-Mo", where)
            if rate is not None:
                _put(volumes, (region, attrs["volumeApiName"]), rate, where, sku)
    return instances, volumes


def emr_rates(offer: Dict[str, Any], where: str = "EMR offer") -> Dict[Tuple[str, str], float]:
    """(region, instance type) -> EMR USD/hour."""
    out: Dict[Tuple[str, str], float] = {}
    for sku, product in _products(offer, where).items():
        attrs = product.get("attributes", {})
        if product.get("productFamily") != "Elastic Map Reduce Instance" or attrs.get("softwareType") != "EMR":
            continue
        region = _region(attrs)
        if region is None or not attrs.get("instanceType"):
            continue
        rate = _rate(offer, sku, "Hrs", where)
        if rate is not None:
            _put(out, (region, attrs["instanceType"].lower()), rate, where, sku)
    return out


def table(*, date: str, sources: List[Dict[str, str]], ec2: Dict[Tuple[str, str], float],
          emr: Dict[Tuple[str, str], float], ebs: Dict[Tuple[str, str], float],
          serverless: Iterable[Tuple[str, str, Dict[str, float]]] = (),
          ebs_provisioned: Optional[Dict[Tuple[str, str], float]] = None,
          regions: Optional[Iterable[str]] = None, instance_types: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """A price table (the shipped format, also a valid user price file), optionally limited
    to some regions and instance types. An instance row is ``[EC2 USD/hour, EMR USD/hour]``
    with ``null`` where a rate is unknown."""
    keep_regions = set(regions) if regions is not None else None
    keep_types = {t.lower() for t in instance_types} if instance_types is not None else None
    rows: Dict[str, Dict[str, Any]] = {}

    def row(region: str) -> Optional[Dict[str, Any]]:
        if keep_regions is not None and region not in keep_regions:
            return None
        return rows.setdefault(region, {"instances": {}, "ebs_gb_month": {}, "ebs_provisioned": {}, "serverless": {}})

    for (region, name) in set(ec2) | set(emr):
        r = row(region)
        if r is not None and (keep_types is None or name in keep_types):
            r["instances"][name] = [ec2.get((region, name)), emr.get((region, name))]
    for (region, volume), rate in ebs.items():
        r = row(region)
        if r is not None:
            r["ebs_gb_month"][volume] = rate
    for (region, name), rate in (ebs_provisioned or {}).items():
        r = row(region)
        if r is not None:
            r["ebs_provisioned"][name] = rate
    for region, arch, rates in serverless:
        r = row(region)
        if r is not None:
            r["serverless"][arch] = dict(rates)
    ordered = {}
    for region in sorted(rows):
        r = rows[region]
        ordered[region] = {
            "instances": {k: r["instances"][k] for k in sorted(r["instances"], key=_type_key)},
            "ebs_gb_month": {k: r["ebs_gb_month"][k] for k in VOLUME_TYPES if k in r["ebs_gb_month"]},
            "ebs_provisioned": {k: r["ebs_provisioned"][k] for k in EBS_PROVISIONED if k in r["ebs_provisioned"]},
            "serverless": {k: r["serverless"][k] for k in sorted(r["serverless"])},
        }
        for key in ("instances", "ebs_gb_month", "ebs_provisioned", "serverless"):
            if not ordered[region][key]:
                del ordered[region][key]
    return {"table": "prices", "date": date, "currency": "USD", "sources": sources,
            "notes": "instances: type -> [EC2 On-Demand Linux USD/hour, EMR USD/hour], null where unknown; "
                     "ebs_gb_month: USD per GB-month; ebs_provisioned: USD per provisioned IOPS-month (gp3: "
                     "above the 3,000 included) and per GiB/s-month of gp3 throughput (above the 125 MiB/s "
                     "included); serverless: USD per vCPU-hour, GB-hour of memory, "
                     "GB-hour of storage.",
            "regions": ordered}


def _type_key(name: str):
    from emrlint.data.build_instances import _sort_key

    return _sort_key(name)


def read_offer(path: str) -> Dict[str, Any]:
    """An offer file as JSON; an :class:`OfferError` naming the file when it is not one."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError) as exc:
        raise OfferError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise OfferError(f"{path}:{exc.lineno}: not JSON: {exc.msg}") from None


def build_from_offers(ec2_path: Optional[str], emr_path: Optional[str], *, date: str,
                      regions: Optional[Iterable[str]] = None,
                      instance_types: Optional[Iterable[str]] = None) -> Dict[str, Any]:
    """``emrlint prices build``: a price table from the offer files a user downloaded."""
    ec2: Dict[Tuple[str, str], float] = {}
    ebs: Dict[Tuple[str, str], float] = {}
    emr: Dict[Tuple[str, str], float] = {}
    sources = []
    if ec2_path:
        offer = read_offer(ec2_path)
        ec2, ebs = ec2_rates(offer, ec2_path)
        sources.append(_source("AmazonEC2", offer, ec2_path))
    if emr_path:
        offer = read_offer(emr_path)
        emr = emr_rates(offer, emr_path)
        sources.append(_source("ElasticMapReduce", offer, emr_path))
    return table(date=date, sources=sources, ec2=ec2, emr=emr, ebs=ebs, regions=regions,
                 instance_types=instance_types)


def _source(code: str, offer: Dict[str, Any], path: str) -> Dict[str, str]:
    version = offer.get("version", "")
    published = offer.get("publicationDate", "")
    return {"title": f"AWS Price List bulk offer {code}" + (f" (version {version})" if version else ""),
            "url": f"https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{code}/current/index.json",
            "retrieved": published[:10] if isinstance(published, str) else "",
            "note": f"read from {path.replace(chr(92), '/').rsplit('/', 1)[-1]}"}
