"""Build ``releases.json``: every EMR release label, its date, whether it is the latest
patch of its minor line, and the features it enables.

Inputs (``data-build/build.py releases``):

* EMR ``ListReleaseLabels`` output (``aws emr list-release-labels``, one file per region,
  ``{"ReleaseLabels": [...]}`` or a plain list); labels that are not ``emr-X.Y.Z``
  (``emr-6.0.0-beta``, previews) are left out;
* release dates (``label,date,source`` CSV lines, from the EMR release guide); a label
  without one has no ``date``.

The features and their thresholds are :data:`FEATURES`, each with the AWS page that states
it. Which labels are the latest patch of their line depends on the labels the inputs list,
so the table's date matters for ``os_release_floating``.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, Dict, Iterable, List, Tuple

_LABEL = re.compile(r"^emr-(\d+)\.(\d+)\.(\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FEATURES: Dict[str, Dict[str, Any]] = {
    "serverless_scheduler": {
        "since": "emr-7.0.0",
        "what": "EMR Serverless job concurrency and queuing (scheduler_configuration / SchedulerConfiguration)",
        "source": "https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_SchedulerConfiguration.html",
        "note": "\"Supported with release labels emr-7.0.0 and above\"; maxConcurrentRuns 1-1000, default 15; "
                "queueTimeoutMinutes 15-720, default 360.",
    },
    "serverless_scheduler_default_on": {
        "since": "emr-7.3.0",
        "what": "job concurrency and queuing enabled by default on new EMR Serverless applications "
                "(default max concurrent runs 15)",
        "default_max_concurrent_runs": 15,
        "source": "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-version-730.html",
        "note": "EMR Serverless 7.3.0 release notes; the default of 15 from the SchedulerConfiguration API page.",
    },
    "shuffle_optimized_disks": {
        "since": "emr-7.1.0",
        "what": "EMR Serverless shuffle-optimized worker disks (DiskType SHUFFLE_OPTIMIZED, 20 GB-2 TB)",
        "source": "https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/jobs-shuffle-optimized-disks.html",
    },
    "managed_scaling": {
        "since": "emr-5.30.0",
        "except": ["emr-6.0.0"],
        "what": "EMR managed scaling (aws_emr_managed_scaling_policy / ManagedScalingPolicy)",
        "source": "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-managed-scaling.html",
        "note": "\"Amazon EMR versions 5.30.0 and higher (except for Amazon EMR 6.0.0)\"; in some newer Regions "
                "(for example ap-southeast-5, ca-west-1, mx-central-1) only from emr-6.14.0.",
    },
    "advanced_managed_scaling": {
        "since": "emr-7.0.0",
        "what": "managed scaling scaling_strategy ADVANCED and utilization_performance_index",
        "source": "https://docs.aws.amazon.com/emr/latest/ManagementGuide/managed-scaling-allocation-strategy-optimized.html",
        "note": "\"Starting with Amazon EMR on EC2 version 7.0, you can leverage Advanced Scaling\".",
    },
    "root_volume_iops_throughput": {
        "since": "emr-6.15.0",
        "what": "EbsRootVolumeIops and EbsRootVolumeThroughput (ebs_root_volume_iops/throughput)",
        "source": "https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html",
        "note": "\"Available in Amazon EMR releases 6.15.0 and later\".",
    },
    "os_release_floating": {
        "lines_since": ["emr-5.36.0", "emr-6.6.0", "emr-7.0.0"],
        "latest_patch_only": True,
        "what": "launches with the newest Amazon Linux release at each launch unless os_release_label or a "
                "custom AMI pins it",
        "source": "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-default-ami.html",
        "note": "\"When you launch a cluster with the latest patch release of Amazon EMR 7.0 or higher, 6.6 or "
                "higher, or 5.36 or higher, Amazon EMR uses the latest Amazon Linux release\".",
    },
}


def _version(label: str) -> Tuple[int, int, int]:
    m = _LABEL.match(label)
    assert m, label
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def labels_of(doc: Any) -> List[str]:
    """ListReleaseLabels output, or a plain list, as the full ``emr-X.Y.Z`` labels in it."""
    if isinstance(doc, dict):
        doc = doc.get("ReleaseLabels", ())
    return [x.strip() for x in doc if isinstance(x, str) and _LABEL.match(x.strip())]


def dates_of(text: str) -> Dict[str, str]:
    """label -> ISO date from ``label,date,source`` CSV lines (``#`` lines are comments)."""
    out: Dict[str, str] = {}
    rows = csv.reader(line for line in io.StringIO(text) if line.strip() and not line.startswith("#"))
    for row in rows:
        label, date = row[0].strip(), row[1].strip()
        if not _LABEL.match(label) or not _DATE.match(date):
            raise ValueError(f"release dates: bad row {row!r}")
        out[label] = date
    return out


def _enabled(label: str, latest: bool) -> List[str]:
    version = _version(label)
    out = []
    for name, spec in FEATURES.items():
        if "lines_since" in spec:
            line = version[:2]
            floor = [_version(x) for x in spec["lines_since"] if _version(x)[0] == version[0]]
            if latest and floor and line >= floor[0][:2]:
                out.append(name)
        elif version >= _version(spec["since"]) and label not in spec.get("except", ()):
            out.append(name)
    return out


def build(label_lists: Iterable[Iterable[str]], dates: Dict[str, str], *, date: str,
          sources: List[Dict[str, str]]) -> Dict[str, Any]:
    """The release table as a JSON-ready mapping, newest label first."""
    labels = set()
    for labels_of_region in label_lists:
        labels.update(labels_of_region)
    newest: Dict[Tuple[int, int], int] = {}
    for label in labels:
        major, minor, patch = _version(label)
        newest[(major, minor)] = max(patch, newest.get((major, minor), -1))
    releases = {}
    for label in sorted(labels, key=_version, reverse=True):
        version = _version(label)
        latest = newest[version[:2]] == version[2]
        row: Dict[str, Any] = {}
        if label in dates:
            row["date"] = dates[label]
        row["latest_patch"] = latest
        row["features"] = _enabled(label, latest)
        releases[label] = row
    return {
        "table": "releases",
        "date": date,
        "sources": sources,
        "notes": "latest_patch: no label of the same MAJOR.MINOR line with a higher patch was listed on the "
                 "table's date; features: the names in 'features' this label enables.",
        "features": FEATURES,
        "releases": releases,
    }
