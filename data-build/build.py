#!/usr/bin/env python3
"""Rebuild emrlint's shipped data tables (``emrlint/data/*.json``) from public AWS sources.

    python data-build/build.py instance-types \\
        --describe describe-instance-types.json --emr-supported emr-lists/ -o emrlint/data/instance_types.json
    python data-build/build.py releases --labels labels-us-east-1.json -o emrlint/data/releases.json

``instance-types`` installs botocore into a throwaway virtual environment (never a
dependency of emrlint) to read the EC2 ``InstanceType`` enum from its service model; pass
``--service-model FILE`` to use a service model you already have. The other inputs are AWS
API output, for example::

    aws ec2 describe-instance-types --region us-east-1 > describe-instance-types.json
    aws emr list-supported-instance-types --release-label emr-7.12.0 > emr-lists/emr-7.12.0.json
    aws emr list-release-labels --region us-east-1 > labels-us-east-1.json

The hand-written excerpts of AWS documentation it also reads are in ``data-build/sources/``.
See ``data-build/README.md`` for how the shipped tables were retrieved.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import os
import subprocess
import sys
import tempfile
from typing import List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from emrlint.data import _format, build_instances, build_prices, build_releases  # noqa: E402

SOURCES = os.path.join(HERE, "sources")
# What `emrlint cost`'s docs promise rates for: the instance families people run EMR on (with
# EMR112's previous-generation families, read from sources/ec2-previous-generation.csv) in these
# regions. The table's `missing` names exactly the rates of their EMR-offered types it lacks.
COVERED_FAMILIES = ("m5", "m6i", "m6g", "m7i", "m7g", "r5", "r6i", "r6g", "r7i", "r7g", "c5", "c6i", "c6g", "c7g",
                    "i3", "i4i", "d3")
COVERED_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")
_SIZE_ORDER = {"nano": 0, "micro": 1, "small": 2, "medium": 3, "large": 4, "xlarge": 5}


def _size_key(name: str):
    size = name.split(".", 1)[1]
    if size in _SIZE_ORDER:
        return (0, _SIZE_ORDER[size], size)
    head = size.split("xlarge", 1)[0]
    return (1, int(head), size) if head.isdigit() else (2, 0, size)


def _grouped(names) -> str:
    """``c3.{xlarge,2xlarge}, i2.xlarge``: instance type names grouped by family."""
    families: dict = {}
    for name in sorted(names, key=lambda n: (n.split(".", 1)[0], _size_key(n))):
        families.setdefault(name.split(".", 1)[0], []).append(name.split(".", 1)[1])
    return ", ".join(f"{f}.{sizes[0]}" if len(sizes) == 1 else f"{f}.{{{','.join(sizes)}}}"
                     for f, sizes in sorted(families.items()))


def missing_prices(table: dict, offered, previous) -> str:
    """The table's `missing`: what it lacks, computed from the table itself. ``offered`` are the
    EMR-offered instance type names, ``previous`` EMR112's previous-generation families."""
    regions = table["regions"]
    families = set(COVERED_FAMILIES) | set(previous)
    covered = sorted(n for n in offered if n.split(".", 1)[0] in families)

    def rate(region, name, part):
        row = regions.get(region, {}).get("instances", {}).get(name)
        return None if row is None else row[0 if part == "ec2" else 1]

    arm = sorted(r for r in regions if regions[r].get("serverless", {}).get("ARM64"))
    no_ec2 = sorted(r for r in regions if not any(row[0] is not None for row in regions[r]["instances"].values()))

    def lacking(part):
        out = []
        for region in COVERED_REGIONS:
            names = [n for n in covered if rate(region, n, part) is None]
            out.append(f"{region}: {_grouped(names) if names else 'none'}")
        return "; ".join(out)

    arm_text = ("EMR Serverless ARM64 rates outside " + ", ".join(arm) if arm
                else "EMR Serverless ARM64 rates in every region (no public source read gives them)")
    no_ec2_text = f"; EC2 rates of {', '.join(no_ec2)}" if no_ec2 else ""
    return (f"Not in this table, so unknown (supply them with a price file: emrlint prices build from AWS offer "
            f"files, or your own rates): {arm_text}{no_ec2_text}. "
            f"Of the {len(covered)} EMR-offered instance types of the families {', '.join(COVERED_FAMILIES)} and "
            f"EMR112's previous-generation families, the EC2 rates it lacks in {lacking('ec2')}; the EMR rates it "
            f"lacks in {lacking('emr')} (neither the EC2 nor the EMR pricing page data lists them there). In the other regions, the rates the sources do not list; any rate of a region "
            "not in the table.")


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def _files(paths: List[str]) -> List[str]:
    out: List[str] = []
    for path in paths:
        out.extend(sorted(glob.glob(os.path.join(path, "*.json"))) if os.path.isdir(path) else [path])
    return out


def botocore_service_model(version: str) -> str:
    """Install botocore in a throwaway venv and return the path of its EC2 service model
    (copied out of the venv)."""
    spec = f"botocore=={version}" if version else "botocore"
    tmp = tempfile.mkdtemp(prefix="emrlint-botocore-")
    venv = os.path.join(tmp, "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    subprocess.run([python, "-m", "pip", "install", "-q", spec], check=True)
    out = os.path.join(tmp, "ec2-service-2.json")
    code = ("import botocore, botocore.loaders, json, sys\n"
            "m = botocore.loaders.Loader().load_service_model('ec2', 'service-2')\n"
            "json.dump({'version': botocore.__version__, 'shapes': {'InstanceType': m['shapes']['InstanceType']}},"
            " open(sys.argv[1], 'w'))\n")
    subprocess.run([python, "-c", code, out], check=True)
    return out


def cmd_instance_types(args: argparse.Namespace) -> None:
    model_path = args.service_model or botocore_service_model(args.botocore_version)
    model = build_instances.read_json(model_path)
    names = build_instances.service_model_names(model)
    botocore = model.get("version") or args.botocore_version or "unknown"
    described = {}
    for path in _files(args.describe):
        described.update(build_instances.describe_rows(build_instances.read_json(path)))
    emr_files = _files(args.emr_supported)
    emr_lists = [build_instances.emr_names(build_instances.read_json(p)) for p in emr_files]
    ebs = build_instances.ebs_defaults(_read(args.ebs_table))
    successors = build_instances.successors(_read(args.successors))
    sources = [
        {"title": f"EC2 service model, InstanceType enum (botocore {botocore})",
         "url": "https://github.com/boto/botocore/tree/develop/botocore/data/ec2",
         "retrieved": args.retrieved, "note": f"{len(names)} names"},
        {"title": "Amazon EC2 DescribeInstanceTypes",
         "url": "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypes.html",
         "retrieved": args.describe_retrieved, "note": f"{len(described)} types; {args.describe_note}".strip("; ")},
        {"title": "Amazon EMR ListSupportedInstanceTypes",
         "url": "https://docs.aws.amazon.com/emr/latest/APIReference/API_ListSupportedInstanceTypes.html",
         "retrieved": args.emr_retrieved,
         "note": f"{len(emr_files)} release labels; {args.emr_note}".strip("; ")},
        {"title": "Amazon EMR management guide: Default Amazon EBS storage for instances",
         "url": "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-storage.html",
         "retrieved": args.retrieved, "note": "transcribed in data-build/sources/emr-default-ebs-storage.md"},
        {"title": "Amazon EC2 previous generation instances",
         "url": "https://aws.amazon.com/ec2/previous-generation/",
         "retrieved": args.retrieved, "note": "families and successors in data-build/sources/ec2-previous-generation.csv"},
    ]
    table = build_instances.build(names, described, emr_lists, ebs, successors, date=args.date, sources=sources)
    _format.write(args.output, table)
    print(f"{args.output}: {len(table['types'])} instance types", file=sys.stderr)


def cmd_releases(args: argparse.Namespace) -> None:
    label_files = _files(args.labels)
    label_lists = [build_releases.labels_of(build_instances.read_json(p)) for p in label_files]
    dates = build_releases.dates_of(_read(args.dates))
    sources = [
        {"title": "Amazon EMR ListReleaseLabels",
         "url": "https://docs.aws.amazon.com/emr/latest/APIReference/API_ListReleaseLabels.html",
         "retrieved": args.labels_retrieved, "note": f"{len(label_files)} regions; {args.labels_note}".strip("; ")},
        {"title": "Amazon EMR release guide (release dates)",
         "url": "https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-components.html",
         "retrieved": args.retrieved, "note": "dates transcribed in data-build/sources/emr-release-dates.csv"},
        {"title": "Amazon EMR and EMR Serverless documentation (feature thresholds)",
         "url": "https://docs.aws.amazon.com/emr/",
         "retrieved": args.retrieved, "note": "each feature names its page under 'features'"},
    ]
    table = build_releases.build(label_lists, dates, date=args.date, sources=sources)
    _format.write(args.output, table)
    print(f"{args.output}: {len(table['releases'])} release labels", file=sys.stderr)


def _csv_rows(path: str):
    import csv

    with open(path, encoding="utf-8") as fh:
        return [row for row in csv.reader(line for line in fh if line.strip() and not line.startswith("#"))]


def _rates_once(into, path):
    """Read ``region,instance_type,USD/hour`` rows of ``path`` into ``into``; a rate already
    there (from another source) is an error, never an override."""
    rows = {(region, name.strip().lower()): float(rate) for region, name, rate in _csv_rows(path)}
    overlap = sorted(set(into) & set(rows))
    if overlap:
        raise SystemExit(f"{path}: {overlap[0][1]} in {overlap[0][0]} already has a rate from another source")
    into.update(rows)
    return rows


def cmd_prices(args: argparse.Namespace) -> None:
    ec2 = {(args.ec2_region, name.strip().lower()): float(rate) for name, rate in _csv_rows(args.ec2_rates)}
    regional = _rates_once(ec2, args.ec2_regional_rates)
    more = _rates_once(ec2, args.ec2_more_rates)
    page = _rates_once(ec2, args.ec2_page_rates)
    emr = {(region, name.strip().lower()): float(rate) for region, name, rate in _csv_rows(args.emr_rates)}
    emr_advisor = dict(emr)
    emr_page = _rates_once(emr, args.emr_regional_rates)
    ebs_rows = _csv_rows(args.ebs_rates)
    ebs = {(region, rate): float(usd) for region, rate, usd, unit, _code in ebs_rows if unit == "GB-month"}
    provisioned_keys = {"gp3-iops": "gp3_iops_month", "gp3-throughput": "gp3_throughput_gibps_month",
                        "io1-iops": "io1_iops_month"}
    provisioned = {(region, provisioned_keys[rate]): float(usd) for region, rate, usd, unit, _code in ebs_rows
                   if unit != "GB-month"}
    serverless = [(region, arch, {"vcpu_hour": float(v), "gb_hour": float(g), "storage_gb_hour": float(s)})
                  for region, arch, v, g, s in _csv_rows(args.serverless_rates)]
    regional_regions = sorted({region for region, _ in regional})
    # whole older families, and single types of current families the regional rates lack
    more_single = sorted({n for _, n in more if n.split(".", 1)[0] == "r7i"})
    more_families = sorted({n.split(".", 1)[0] for _, n in more} - {"r7i"})
    sources = [
        {"title": f"Amazon EC2 On-Demand pricing, Linux, {args.ec2_region} (AWS Price List)",
         "url": "https://aws.amazon.com/ec2/pricing/on-demand/", "retrieved": "2026-07-20",
         "note": f"{len(ec2) - len(regional) - len(more) - len(page)} instance types; figures generated from the "
                 "AWS Pricing API by "
                 "aws/karpenter-provider-aws (pkg/providers/pricing/zz_generated.pricing_aws.go, 2026-07-20), "
                 "transcribed in data-build/sources/prices-ec2-us-east-1.csv"},
        {"title": f"Amazon EC2 On-Demand pricing, Linux, {len(regional_regions)} more regions (AWS Price List)",
         "url": "https://aws.amazon.com/ec2/pricing/on-demand/", "retrieved": "2024-10-10",
         "note": f"{len(regional)} rates of {', '.join(regional_regions)}; AWS Pricing API (GetProducts) figures "
                 "as recorded in jimgarrett123/rosa-calculator price/out/ec2.sql (commit 9baa251, run of "
                 "2024-10-10), transcribed in data-build/sources/prices-ec2-regions.csv"},
        {"title": f"Amazon EC2 On-Demand pricing, Linux, older families and {', '.join(more_single)} in "
                  f"{len({r for r, _ in more})} more regions "
                  "(AWS Price List)",
         "url": "https://aws.amazon.com/ec2/pricing/on-demand/", "retrieved": "2026-12-02",
         "note": f"{len(more)} rates of {', '.join(more_families)} and {', '.join(more_single)}; "
                 "the AWS Price List offer figures in "
                 "skypilot-org/skypilot-catalog catalogs/v7/aws/vms.csv (commit 001367d, read 2026-12-02; the "
                 "commit's own date is not recorded), "
                 "transcribed in data-build/sources/prices-ec2-regions-more.csv"},
        {"title": f"Amazon EC2 On-Demand pricing, Linux, types the other sources lack, {len({r for r, _ in page})} "
                  "regions (AWS pricing page data)",
         "url": "https://aws.amazon.com/ec2/pricing/on-demand/", "retrieved": "2025-06-13",
         "note": f"{len(page)} rates ({len([1 for r, _ in page if r in ('sa-east-1', 'ap-south-1')])} of them in "
                 "sa-east-1 and ap-south-1); the AWS metered-unit map the EC2 On-Demand pricing page renders "
                 "(meteredUnitMaps/ec2, entries carrying their AWS Price List rate codes) as recorded by "
                 "QuinnyPig/aws-price-watcher processed/ec2.json (commit 07c8174, 2025-06-13; unchanged through "
                 "2025-06-18), transcribed in data-build/sources/prices-ec2-pricing-page.csv"},
        {"title": f"Amazon EMR pricing, EMR on EC2 per instance-hour, {len({r for r, _ in emr_page})} regions "
                  "(AWS pricing page data)",
         "url": "https://aws.amazon.com/emr/pricing/", "retrieved": "2025-06-05",
         "note": f"{len(emr_page)} rates of {len({n for _, n in emr_page})} instance types; the AWS metered-unit map "
                 "the Amazon EMR pricing page renders (meteredUnitMaps/elasticmapreduce, entries carrying their "
                 "AWS Price List rate codes) as recorded by QuinnyPig/aws-price-watcher "
                 "processed/elasticmapreduce.json (commit daa3fca, 2025-06-05; unchanged through 2025-06-18), "
                 "transcribed in data-build/sources/prices-emr-regions.csv"},
        {"title": "Amazon EMR pricing, EMR on EC2 per instance-hour (AWS Price List)",
         "url": "https://aws.amazon.com/emr/pricing/", "retrieved": "2025-06-05",
         "note": f"{len(emr_advisor)} rate ({', '.join(sorted(f'{n} in {r}' for r, n in emr_advisor))}); the AWS "
                 "Pricing API figures asserted by aws-samples/aws-emr-advisor's AwsPricingTest.scala (commit "
                 "2b42ead, 2025-06-05), transcribed in data-build/sources/prices-emr.csv"},
        {"title": "Amazon EBS pricing, volume storage per GB-month (AWS Price List)",
         "url": "https://aws.amazon.com/ebs/pricing/", "retrieved": "2025-10-28",
         "note": f"{len(ebs)} rates in {len({r for r, _ in ebs})} regions; the AWS pricing calculator's EBS price "
                 "map (ebs-calculator.json, published 2025-10-28) as recorded in jimgarrett123/rosa-calculator "
                 "price/data/ebs.json (commit 78e72bb), transcribed with rate codes in "
                 "data-build/sources/prices-ebs.csv"},
        {"title": "Amazon EBS pricing, gp3 IOPS and throughput, io1 IOPS (AWS Price List)",
         "url": "https://aws.amazon.com/ebs/pricing/", "retrieved": "2025-10-28",
         "note": f"{len(provisioned)} rates in {len({r for r, _ in provisioned})} regions; from the same EBS "
                 "price map and transcription as the GB-month rates"},
        {"title": "Amazon EMR Serverless pricing (x86)", "url": "https://aws.amazon.com/emr/pricing/",
         "retrieved": "2023-02-03",
         "note": f"{len(serverless)} regions; as generated into GoogleCloudPlatform/PerfKitBenchmarker "
                 "(aws_dpb_emr_serverless_prices.py, 2023-02-03), transcribed in "
                 "data-build/sources/prices-emr-serverless.csv"},
    ]
    table = build_prices.table(date=args.date, sources=sources, ec2=ec2, emr=emr, ebs=ebs, serverless=serverless,
                               ebs_provisioned=provisioned)
    if args.missing is None:
        import json

        with open(args.instance_types, encoding="utf-8") as fh:
            types = json.load(fh)["types"]
        offered = [name for name, row in types.items() if row.get("emr")]
        previous = [row[0] for row in _csv_rows(args.previous_generation)]
        args.missing = missing_prices(table, offered, previous)
    table["missing"] = args.missing
    _format.write(args.output, table)
    print(f"{args.output}: {len(table['regions'])} regions", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    today = datetime.date.today().isoformat()
    p.add_argument("--date", default=today, help="the table's date: when its AWS data was current (default: today)")
    p.add_argument("--retrieved", default=today, help="when the documentation sources were read (default: today)")
    sub = p.add_subparsers(dest="table", required=True)

    it = sub.add_parser("instance-types", help="rebuild instance_types.json")
    it.add_argument("--service-model", help="an EC2 service-2.json[.gz] (default: botocore in a throwaway venv)")
    it.add_argument("--botocore-version", default="", help="botocore version for the throwaway venv")
    it.add_argument("--describe", action="append", required=True, metavar="FILE|DIR",
                    help="DescribeInstanceTypes output (repeatable)")
    it.add_argument("--describe-retrieved", default="", help="when/how the DescribeInstanceTypes output was retrieved")
    it.add_argument("--describe-note", default="")
    it.add_argument("--emr-supported", action="append", required=True, metavar="FILE|DIR",
                    help="ListSupportedInstanceTypes output per release label (repeatable)")
    it.add_argument("--emr-retrieved", default="")
    it.add_argument("--emr-note", default="")
    it.add_argument("--ebs-table", default=os.path.join(SOURCES, "emr-default-ebs-storage.md"))
    it.add_argument("--successors", default=os.path.join(SOURCES, "ec2-previous-generation.csv"))
    it.add_argument("-o", "--output", required=True)
    it.set_defaults(func=cmd_instance_types)

    rel = sub.add_parser("releases", help="rebuild releases.json")
    rel.add_argument("--labels", action="append", required=True, metavar="FILE|DIR",
                     help="ListReleaseLabels output (one per region; repeatable)")
    rel.add_argument("--labels-retrieved", default="")
    rel.add_argument("--labels-note", default="")
    rel.add_argument("--dates", default=os.path.join(SOURCES, "emr-release-dates.csv"))
    rel.add_argument("-o", "--output", required=True)
    rel.set_defaults(func=cmd_releases)

    pr = sub.add_parser("prices", help="rebuild prices.json from the transcribed rates in data-build/sources "
                                       "(from AWS offer files: emrlint prices build)")
    pr.add_argument("--ec2-rates", default=os.path.join(SOURCES, "prices-ec2-us-east-1.csv"))
    pr.add_argument("--ec2-region", default="us-east-1")
    pr.add_argument("--ec2-regional-rates", default=os.path.join(SOURCES, "prices-ec2-regions.csv"),
                    help="region,instance_type,USD/hour rows of other regions")
    pr.add_argument("--ec2-more-rates", default=os.path.join(SOURCES, "prices-ec2-regions-more.csv"),
                    help="region,instance_type,USD/hour rows of families the regional rates lack")
    pr.add_argument("--ec2-page-rates", default=os.path.join(SOURCES, "prices-ec2-pricing-page.csv"),
                    help="region,instance_type,USD/hour rows of types the other EC2 sources lack")
    pr.add_argument("--emr-rates", default=os.path.join(SOURCES, "prices-emr.csv"))
    pr.add_argument("--emr-regional-rates", default=os.path.join(SOURCES, "prices-emr-regions.csv"),
                    help="region,instance_type,USD/hour EMR rates of the pricing page data")
    pr.add_argument("--ebs-rates", default=os.path.join(SOURCES, "prices-ebs.csv"))
    pr.add_argument("--serverless-rates", default=os.path.join(SOURCES, "prices-emr-serverless.csv"))
    pr.add_argument("--missing", default=None, help="the table's `missing` text (default: computed from the table)")
    pr.add_argument("--instance-types", default=os.path.join(HERE, os.pardir, "emrlint", "data", "instance_types.json"),
                    help="the instance table whose EMR-offered types `missing` counts")
    pr.add_argument("--previous-generation", default=os.path.join(SOURCES, "ec2-previous-generation.csv"))
    pr.add_argument("-o", "--output", required=True)
    pr.set_defaults(func=cmd_prices)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
