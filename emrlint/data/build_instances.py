"""Build ``instance_types.json`` from AWS's own published data.

Inputs (``data-build/build.py instance-types`` fetches or takes each one):

* the EC2 service model of botocore (``botocore/data/ec2/*/service-2.json[.gz]``): its
  ``InstanceType`` enum is the list of every EC2 instance type name;
* EC2 ``DescribeInstanceTypes`` output (``aws ec2 describe-instance-types``, one or more
  pages or regions): vCPUs, memory, ``CurrentGeneration``, architectures, instance store;
* EMR ``ListSupportedInstanceTypes`` output per release label (``aws emr
  list-supported-instance-types --release-label emr-7.12.0``), or plain lists of names:
  which types EMR offers;
* the "Default Amazon EBS storage for instances" table of the EMR management guide;
* the families AWS lists on its "Previous generation instances" page that EMR112 suggests
  a successor for (``family,successor`` CSV).

A fact no input gives is left out of the row (the API reads it as unknown). A type that
EC2 described but no EMR list names is ``"emr": false``; a type EC2 did not describe and no
EMR list names (newer than the inputs, or retired) has no ``emr`` key.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from typing import Any, Dict, Iterable, List, Optional

_EBS_ROW = re.compile(r"^\|\s*\\?\*\\?\.([0-9a-z]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*$")


def read_json(path: str) -> Any:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def service_model_names(model: Dict[str, Any]) -> List[str]:
    """The ``InstanceType`` enum of an EC2 service model."""
    return list(model["shapes"]["InstanceType"]["enum"])


def describe_rows(doc: Any) -> Dict[str, Dict[str, Any]]:
    """DescribeInstanceTypes output (``{"InstanceTypes": [...]}``, a list, or a mapping of
    name to entry) as name -> entry."""
    if isinstance(doc, dict) and "InstanceTypes" in doc:
        doc = doc["InstanceTypes"]
    if isinstance(doc, dict):
        doc = list(doc.values())
    return {entry["InstanceType"]: entry for entry in doc}


def emr_names(doc: Any) -> List[str]:
    """ListSupportedInstanceTypes output, or a plain list of names, as names."""
    if isinstance(doc, dict):
        doc = [entry["Type"] for entry in doc.get("SupportedInstanceTypes", ())]
    return [name for name in doc if isinstance(name, str)]


def ebs_defaults(markdown: str) -> Dict[str, List[int]]:
    """size -> [volumes, GiB per volume] from the management guide's table."""
    out: Dict[str, List[int]] = {}
    for line in markdown.splitlines():
        m = _EBS_ROW.match(line.strip())
        if m:
            size, count, each, total = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
            if count * each != total:
                raise ValueError(f"EBS default table: {size}: {count} x {each} GiB is not {total} GiB")
            out[size] = [count, each]
    if not out:
        raise ValueError("EBS default table: no rows found")
    return out


def successors(text: str) -> Dict[str, str]:
    """family -> suggested successor families, from ``family,successor`` CSV lines."""
    rows = csv.reader(line for line in io.StringIO(text) if line.strip() and not line.startswith("#"))
    return {family.strip().lower(): successor.strip() for family, successor in rows}


def _architecture(entry: Dict[str, Any]) -> Optional[str]:
    archs = entry.get("ProcessorInfo", {}).get("SupportedArchitectures") or []
    for arch in ("arm64", "x86_64"):
        if arch in archs:
            return arch
    return archs[0] if archs else None


def _row(name: str, entry: Optional[Dict[str, Any]], emr: Optional[bool], previous: bool) -> Dict[str, Any]:
    row: Dict[str, Any] = {}
    if entry is not None:
        vcpu = entry.get("VCpuInfo", {}).get("DefaultVCpus")
        mib = entry.get("MemoryInfo", {}).get("SizeInMiB")
        if isinstance(vcpu, int):
            row["vcpu"] = vcpu
        if isinstance(mib, (int, float)):
            gib = round(mib / 1024, 3)
            row["memory_gib"] = int(gib) if gib == int(gib) else gib
        if isinstance(entry.get("CurrentGeneration"), bool):
            row["generation"] = "current" if entry["CurrentGeneration"] else "previous"
        arch = _architecture(entry)
        if arch:
            row["arch"] = arch
        if isinstance(entry.get("InstanceStorageSupported"), bool):
            row["ebs_only"] = not entry["InstanceStorageSupported"]
    elif previous:
        row["generation"] = "previous"
    if emr is not None:
        row["emr"] = emr
    return row


def build(names: Iterable[str], described: Dict[str, Dict[str, Any]], emr_lists: Iterable[Iterable[str]],
          ebs_by_size: Dict[str, List[int]], successor_by_family: Dict[str, str], *, date: str,
          sources: List[Dict[str, str]], ebs_volume_type: str = "gp2 or gp3") -> Dict[str, Any]:
    """The instance table as a JSON-ready mapping."""
    emr = set()
    for names_of_release in emr_lists:
        emr.update(n.strip().lower() for n in names_of_release)
    all_names = sorted({n.strip().lower() for n in names} | set(described) | emr, key=_sort_key)
    types = {}
    for name in all_names:
        entry = described.get(name)
        offered: Optional[bool] = True if name in emr else (False if entry is not None else None)
        types[name] = _row(name, entry, offered, name.split(".", 1)[0] in successor_by_family)
    return {
        "table": "instance-types",
        "date": date,
        "sources": sources,
        "notes": ("vcpu, memory_gib (GiB), generation, arch and ebs_only come from EC2 DescribeInstanceTypes; "
                  "emr is whether an EMR ListSupportedInstanceTypes list of any release names the type; "
                  "a missing key is unknown."),
        "emr_default_ebs": {"volume_type": ebs_volume_type, "applies_to": "EBS-only instance types",
                            "by_size": {k: ebs_by_size[k] for k in sorted(ebs_by_size, key=_size_key)}},
        "families": {fam: {"successor": successor_by_family[fam]} for fam in sorted(successor_by_family)},
        "types": types,
    }


def _size_key(size: str):
    m = re.match(r"^(\d*)xlarge$", size)
    if m:
        return (1, int(m.group(1) or 1), size)
    order = ["nano", "micro", "small", "medium", "large"]
    return (0, order.index(size) if size in order else len(order), size)


def _sort_key(name: str):
    family, _, size = name.partition(".")
    return (family, _size_key(size))
