"""emrlint's shipped data tables: the API, lazy loading, and the rebuild scripts.

The rebuild tests run ``data-build/build.py`` on small excerpts of its AWS sources in their
real formats (``tests/data/sources/``) and check that it reproduces the corresponding rows
of the shipped tables exactly.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from emrlint import data

from conftest import REPO

SOURCES = os.path.join(REPO, "tests", "data", "sources")


def _build_script():
    spec = importlib.util.spec_from_file_location("emrlint_data_build", os.path.join(REPO, "data-build", "build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shipped(name):
    with open(os.path.join(REPO, "emrlint", "data", name), encoding="utf-8") as fh:
        return json.load(fh)


def _src(name):
    return os.path.join(SOURCES, name)


# --------------------------------------------------------------------------- instance types


def test_instance_type_facts():
    m5 = data.instance_type(" M5.XLARGE ")
    assert (m5.name, m5.family, m5.size, m5.vcpu, m5.memory_gib, m5.architecture) == (
        "m5.xlarge", "m5", "xlarge", 4, 16, "x86_64")
    assert m5.emr_supported is True and m5.ebs_only is True
    assert m5.default_ebs == data.EbsLayout(2, 32, "gp2 or gp3") and m5.default_ebs.total_gib == 64
    graviton = data.instance_type("r6g.4xlarge")
    assert (graviton.vcpu, graviton.memory_gib, graviton.architecture, graviton.generation) == (16, 128, "arm64",
                                                                                              "current")
    assert graviton.default_ebs == data.EbsLayout(4, 64, "gp2 or gp3")
    # instance store: EMR adds no default EBS volumes
    i3 = data.instance_type("i3.2xlarge")
    assert i3.ebs_only is False and i3.default_ebs is None
    # a size the EMR table has no row for
    assert data.instance_type("m5.metal").default_ebs is None


def test_emr_offers_and_unknowns():
    assert data.instance_type("t3.micro").emr_supported is False  # EC2 has it, EMR does not offer it
    assert data.instance_type("m5.large").emr_supported is False
    assert data.instance_type("m7g.2xlarge").emr_supported is True
    assert data.instance_type("m5.xlarg") is None and data.instance_type("r6g.x2large") is None
    assert data.instance_type(None) is None and data.instance_type(42) is None
    # in the EC2 enum, not described: nothing is known but the name
    newer = data.instance_type("r9g.large")
    assert newer is not None and (newer.vcpu, newer.emr_supported, newer.generation) == (None, None, None)
    assert data.instance_type("cc2.8xlarge").generation == "previous"
    assert "m5.xlarge" in data.instance_type_names()


def test_previous_generation_successors_are_emr112s():
    assert data.previous_generation_successor("m4.xlarge") == "m7g (Graviton) or m6i"
    assert data.previous_generation_successor(" R4.2XLARGE") == "r7g (Graviton) or r6i"
    assert data.previous_generation_successor("x1e.32xlarge") == "x2gd (Graviton) or x2iedn"
    for current in ("m5.xlarge", "i3.2xlarge", "i3en.6xlarge", "p3.2xlarge", "m7g.xlarge"):
        assert data.previous_generation_successor(current) is None
    assert data.previous_generation_successor("m4") is None  # not an instance type
    assert data.instance_family("m4.xlarge") == "m4" and data.instance_family("m4") is None


# --------------------------------------------------------------------------- releases


def test_release_rows():
    r = data.release("emr-7.1.0")
    assert r.latest_patch is True
    assert data.SHUFFLE_OPTIMIZED_DISKS in r.features and data.SERVERLESS_SCHEDULER in r.features
    assert data.SERVERLESS_SCHEDULER_DEFAULT_ON not in r.features
    assert data.release("emr-5.36.1").latest_patch is False
    assert data.OS_RELEASE_FLOATING in data.release("emr-5.36.2").features
    assert data.OS_RELEASE_FLOATING not in data.release("emr-5.36.1").features
    assert data.OS_RELEASE_FLOATING not in data.release("emr-6.5.0").features  # before 6.6: AMI locked
    assert data.release("emr-6.0.0").date == "2020-03-10"
    assert data.release("emr-9.9.9") is None and data.release("emr-7") is None
    labels = data.release_labels()
    assert labels.index("emr-6.9.0") < labels.index("emr-6.10.0")


@pytest.mark.parametrize("label,name,expected", [
    ("emr-6.15.0", data.ROOT_VOLUME_IOPS_THROUGHPUT, True),
    ("emr-6.14.0", data.ROOT_VOLUME_IOPS_THROUGHPUT, False),
    ("emr-7.0.0", data.SERVERLESS_SCHEDULER, True),
    ("emr-6.15.0", data.SERVERLESS_SCHEDULER, False),
    ("emr-7.2.0", data.SERVERLESS_SCHEDULER_DEFAULT_ON, False),
    ("emr-7.3.0", data.SERVERLESS_SCHEDULER_DEFAULT_ON, True),
    ("emr-7.0.0", data.SHUFFLE_OPTIMIZED_DISKS, False),
    ("emr-7.1.0", data.SHUFFLE_OPTIMIZED_DISKS, True),
    ("emr-5.29.0", data.MANAGED_SCALING, False),
    ("emr-5.30.0", data.MANAGED_SCALING, True),
    ("emr-6.0.0", data.MANAGED_SCALING, False),
    ("emr-6.1.0", data.MANAGED_SCALING, True),
    ("emr-6.15.0", data.ADVANCED_MANAGED_SCALING, False),
    ("emr-7.0.0", data.ADVANCED_MANAGED_SCALING, True),
    # a label newer than the table: thresholds still decide
    ("emr-7.99.0", data.SHUFFLE_OPTIMIZED_DISKS, True),
    # ... but the latest-patch question needs the table
    ("emr-7.99.0", data.OS_RELEASE_FLOATING, None),
    ("emr-5.36.2", data.OS_RELEASE_FLOATING, True),
    ("emr-5.36.0", data.OS_RELEASE_FLOATING, False),
    ("emr-7.x", data.MANAGED_SCALING, None),
    (None, data.MANAGED_SCALING, None),
])
def test_feature_thresholds(label, name, expected):
    assert data.supports(label, name) is expected


def test_every_feature_names_its_aws_source():
    for name, spec in _shipped("releases.json")["features"].items():
        assert spec["source"].startswith("https://docs.aws.amazon.com/"), name
        assert data.feature(name)["source"] == spec["source"]


# --------------------------------------------------------------------------- metadata and loading


def test_tables_carry_date_and_sources():
    infos = {t.name: t for t in data.tables()}
    assert set(infos) >= {"instance-types", "releases"}
    for info in infos.values():
        datetime.date.fromisoformat(info.date)
        assert info.rows > 100 and info.sources
        assert all(s.url.startswith("https://") for s in info.sources)
        assert info.age_days(datetime.date.fromisoformat(info.date) + datetime.timedelta(days=3)) == 3


def test_tables_are_read_only_when_used():
    code = ("import emrlint.data as d, emrlint.engine, emrlint.registry\n"
            "emrlint.registry.all_rules()\n"
            "assert d._CACHE == {}, d._CACHE\n"
            "d.release('emr-7.1.0')\n"
            "assert list(d._CACHE) == ['releases'], list(d._CACHE)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_a_scan_reads_only_the_tables_its_rules_use():
    code = ("import sys, emrlint.data as d\n"
            "from emrlint.config import selected_rules\n"
            "from emrlint.engine import ScanOptions, scan\n"
            "scan(ScanOptions(paths=['fixtures/EMR112'], rules=selected_rules(['EMR201', 'EMR301'], [])))\n"
            "assert d._CACHE == {}, list(d._CACHE)\n"
            "scan(ScanOptions(paths=['fixtures/EMR112'], rules=selected_rules(['EMR112'], [])))\n"
            "assert list(d._CACHE) == ['instance-types'], list(d._CACHE)\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_rules_data_command_prints_each_table(capsys):
    from emrlint.cli import main

    assert main(["rules", "--data"]) == 0
    out = capsys.readouterr().out
    for info in data.tables():
        assert f"{info.name}  {info.date} ({info.age_days()} days old)" in out
        for source in info.sources:
            assert source.url in out
    assert main(["rules", "--data", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {t["name"] for t in doc} == {t.name for t in data.tables()}
    assert all(isinstance(t["age_days"], int) and t["sources"] for t in doc)


# --------------------------------------------------------------------------- rebuilds


def test_instance_table_rebuild_reproduces_the_shipped_rows(tmp_path):
    out = tmp_path / "instance_types.json"
    _build_script().main([
        "--date", "2026-08-01", "instance-types",
        "--service-model", _src("ec2-service-2.excerpt.json"),
        "--describe", _src("ec2-describe-instance-types.excerpt.json"),
        "--emr-supported", _src("emr-list-supported-instance-types.emr-7.1.0.excerpt.json"),
        "--emr-supported", _src("emr-list-supported-instance-types.emr-4.6.0.excerpt.json"),
        "-o", str(out)])
    built = json.loads(out.read_text())
    shipped = _shipped("instance_types.json")
    assert set(built["types"]) == {
        "m5.large", "m5.xlarge", "m5.metal", "m7g.2xlarge", "r6g.4xlarge", "i3.2xlarge", "m4.xlarge", "t3.micro",
        "c7g.16xlarge", "cc2.8xlarge", "r9g.large", "m1.small"}
    for name, row in built["types"].items():
        assert row == shipped["types"][name], name
    for key in ("emr_default_ebs", "families"):
        assert built[key] == shipped[key]
    # the built file is what the API reads
    assert out.read_text().count("\n") > len(built["types"])


def test_release_table_rebuild_reproduces_the_shipped_rows(tmp_path):
    out = tmp_path / "releases.json"
    _build_script().main(["--date", "2026-08-01", "releases",
                          "--labels", _src("emr-list-release-labels.us-east-1.excerpt.json"), "-o", str(out)])
    built = json.loads(out.read_text())
    shipped = _shipped("releases.json")
    # previews and betas are not release labels
    assert "emr-6.0.0-beta" not in built["releases"] and "emr-5.30.0-preview" not in built["releases"]
    assert len(built["releases"]) == 14
    for label, row in built["releases"].items():
        assert row == shipped["releases"][label], label
    assert built["features"] == shipped["features"]


def test_build_inputs_are_checked():
    from emrlint.data import build_instances, build_releases

    with pytest.raises(ValueError, match="is not 70 GiB"):
        build_instances.ebs_defaults("| *.xlarge | 2 | 32 | 70 |")
    with pytest.raises(ValueError, match="no rows"):
        build_instances.ebs_defaults("nothing here")
    with pytest.raises(ValueError, match="bad row"):
        build_releases.dates_of("emr-7.1.0,April 2024,https://example\n")


# --------------------------------------------------------------------------- prices


def test_shipped_prices():
    us = data.prices("us-east-1")
    assert us.instance("m5.xlarge") == data.InstancePrice(0.192, 0.048)
    assert us.instance("m5.2xlarge") == data.InstancePrice(0.384, 0.096)
    assert us.instance("r8gd.xlarge").emr_hourly == 0.07348  # the one EMR rate from the other EMR source
    assert us.serverless_rates("X86_64") == data.ServerlessRates(0.052624, 0.0057785, 0.000111)
    assert us.serverless_rates("ARM64") is None
    assert (us.ebs("gp3"), us.ebs(" GP2 "), us.ebs("io1"), us.ebs("st1"), us.ebs("sc1"), us.ebs("standard")) == (
        0.08, 0.1, 0.125, 0.045, 0.015, 0.05)
    assert us.ebs("io2") is None and us.ebs(None) is None
    # provisioned IOPS and throughput above what a volume includes
    assert (us.ebs_iops_month("gp3"), us.ebs_iops_month("io1"), us.ebs_iops_month("gp2")) == (0.005, 0.065, None)
    assert us.ebs_throughput_mibps_month("gp3") == 40.96 / 1024 and us.ebs_throughput_mibps_month("io1") is None
    assert data.prices("ap-northeast-1").ebs_iops_month("gp3") == 0.006
    ireland = data.prices("eu-west-1")
    assert ireland.instance("m5.xlarge") == data.InstancePrice(0.214, 0.048)
    assert ireland.instance("r7g.2xlarge") == data.InstancePrice(0.4794, 0.1071)
    assert ireland.ebs("gp3") == 0.088
    assert data.prices("ap-southeast-1").instance("m6g.xlarge") == data.InstancePrice(0.192, 0.039)
    assert data.prices("us-west-2").instance("m4.xlarge") == data.InstancePrice(0.2, 0.06)
    assert data.prices("eu-central-1").instance("d3.8xlarge") == data.InstancePrice(5.26448, 0.27)
    # a type no regional source lists: unknown, never a us-east-1 figure
    assert data.prices("eu-west-1").instance("r3.xlarge") == data.InstancePrice(0.371, 0.09)
    # i2 (transcribed from the older-families source) outside us-east-1; g3 is in no regional source
    assert data.prices("us-west-2").instance("i2.xlarge") == data.InstancePrice(0.853, 0.213)
    assert data.prices("eu-west-1").instance("i2.8xlarge") == data.InstancePrice(7.502, 0.27)
    assert data.prices("ap-southeast-1").instance("r7i.48xlarge") == data.InstancePrice(15.3216, 3.1752)
    # g3 outside us-east-1: from the EC2 pricing page data, like every EMR-offered type of sa-east-1
    assert data.prices("us-west-2").instance("g3.4xlarge") == data.InstancePrice(1.14, 0.27)
    assert us.instance("g3.4xlarge").ec2_hourly == 1.14
    # c3 is not offered in us-east-2 (AWS lists no rate there)
    assert data.prices("us-east-2").instance("c3.xlarge") is None
    # sa-east-1 and ap-south-1: EBS, and EC2 and EMR rates from the pricing page data
    assert data.prices("sa-east-1").ebs("gp3") == 0.152
    assert data.prices("sa-east-1").instance("m5.xlarge") == data.InstancePrice(0.306, 0.048)
    assert data.prices("ap-south-1").instance("r6g.xlarge") == data.InstancePrice(0.13, 0.0504)
    assert data.prices("eu-central-1").serverless_rates() == data.ServerlessRates(0.060528, 0.006643, 0.000132)
    assert data.prices("ap-south-2") is None and data.prices(None) is None
    for region in ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"):
        assert region in data.price_regions()
    assert data.price_region_check("eu-west-1") == ""
    assert "not a region of the price table (ap-northeast-1," in data.price_region_check("mars-1")
    # every EMR-offered type has a us-east-1 EC2 rate
    offered = [n for n in data.instance_type_names() if data.instance_type(n).emr_supported]
    assert all(us.instance(n) and us.instance(n).ec2_hourly for n in offered)
    # and the families people run EMR on have one in the other regions the issue names
    families = ("m5", "m6i", "m6g", "m7i", "m7g", "r5", "r6i", "r6g", "r7g", "c5", "c6i", "c6g", "c7g", "i3", "i4i", "r4",
                "d3", "m4", "c4", "d2", "r3")
    for region in ("us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"):
        rows = data.prices(region)
        missing = [n for n in offered if n.split(".")[0] in families and not (rows.instance(n) and
                                                                              rows.instance(n).ec2_hourly)]
        assert missing == [], (region, missing)
        no_emr = [n for n in offered if n.split(".")[0] in families and not (rows.instance(n) and
                                                                             rows.instance(n).emr_hourly)]
        assert no_emr == [], (region, no_emr)
        assert all(rows.ebs(v) for v in ("gp3", "gp2", "io1", "st1", "sc1", "standard")), region
    assert "EMR Serverless ARM64 rates in every region" in _shipped("prices.json")["missing"]


def test_the_price_tables_missing_names_exactly_what_it_lacks():
    """`emrlint rules --data` prints the table's `missing`: it names every EC2 and every EMR rate the
    table lacks for the EMR-offered types of the covered families in the six regions the cost docs
    name, and no other; the regions without EC2 rates; that it has no ARM64 rate."""
    import re

    missing = _shipped("prices.json")["missing"]
    build = _build_script()
    with open(os.path.join(REPO, "data-build", "sources", "ec2-previous-generation.csv"), encoding="utf-8") as fh:
        previous = [line.split(",", 1)[0] for line in fh if line.strip() and not line.startswith("#")]
    families = set(build.COVERED_FAMILIES) | set(previous)
    offered = [n for n in data.instance_type_names() if data.instance_type(n).emr_supported
               and n.split(".")[0] in families]
    assert f"Of the {len(offered)} EMR-offered instance types" in missing

    def named(part):
        section = missing.split(f"the {part} rates it lacks in ", 1)[1]
        out = {}
        for region, listed in re.findall(r"([a-z]+-[a-z]+-\d): ([^;(]+?)(?=;| \(|$)", section):
            if region in out:
                break  # the next part's list
            names = set()
            for m in re.finditer(r"([a-z0-9]+)\.(?:\{([^}]*)\}|([a-z0-9-]+))", listed):
                names |= {f"{m.group(1)}.{size}" for size in (m.group(2) or m.group(3)).split(",")}
            out[region] = names
        return out

    for part, attr in (("EC2", "ec2_hourly"), ("EMR", "emr_hourly")):
        listed = named(part)
        assert sorted(listed) == sorted(build.COVERED_REGIONS), part
        for region in build.COVERED_REGIONS:
            rows = data.prices(region)
            lacking = {n for n in offered if not (rows.instance(n) and getattr(rows.instance(n), attr))}
            assert listed[region] == lacking, (part, region)
        assert listed["us-east-1"] == set()
    # it has no ARM64 rate, and says so; every region has EC2 rates
    assert all(data.prices(r).serverless_rates("ARM64") is None for r in data.price_regions())
    assert all(any(p.ec2_hourly for p in data.prices(r).instances.values()) for r in data.price_regions())
    assert "EC2 rates of " not in missing
    assert "EMR Serverless ARM64 rates in every region" in missing


def test_price_table_rebuild_reproduces_the_shipped_table(tmp_path):
    out = tmp_path / "prices.json"
    _build_script().main(["--date", "2023-02-03", "prices", "-o", str(out)])
    assert out.read_text() == open(os.path.join(REPO, "emrlint", "data", "prices.json"), encoding="utf-8").read()


def test_prices_build_from_offer_excerpt_reproduces_the_shipped_rows(tmp_path, capsys):
    from emrlint.cli import main

    out = tmp_path / "prices.json"
    assert main(["prices", "build", "--ec2", _src("aws-price-list-AmazonEC2.us-east-1.excerpt.json"),
                 "--date", "2026-07-20", "-o", str(out)]) == 0
    built = json.loads(out.read_text())
    shipped = _shipped("prices.json")["regions"]["us-east-1"]["instances"]
    # the EC2 offer gives the EC2 half of each row (the EMR half comes from the EMR offer, below)
    assert built["regions"]["us-east-1"]["instances"] == {
        name: [shipped[name][0], None] for name in ("m4.xlarge", "m5.xlarge", "r6g.4xlarge")}
    assert built["sources"][0]["title"] == "AWS Price List bulk offer AmazonEC2 (version 20260720134430)"
    assert built["sources"][0]["retrieved"] == "2026-07-20"
    # the output is a valid user price file
    from emrlint.data.userprices import load_price_file

    user = load_price_file(str(out))
    # (it extends the shipped table: the EMR half of the row is the shipped one)
    assert data.prices("us-east-1", user).instance("r6g.4xlarge") == data.InstancePrice(0.8064, 0.2016)
    assert main(["prices", "check", str(out)]) == 0
    assert "us-east-1: 3 instance types" in capsys.readouterr().out


def test_prices_build_from_emr_and_ebs_excerpts_reproduces_the_shipped_rows(tmp_path):
    from emrlint.cli import main

    out = tmp_path / "prices.json"
    assert main(["prices", "build", "--ec2", _src("aws-price-list-AmazonEC2.us-east-1.ebs.excerpt.json"),
                 "--emr", _src("aws-price-list-ElasticMapReduce.us-east-1.excerpt.json"), "-o", str(out)]) == 0
    built = json.loads(out.read_text())["regions"]["us-east-1"]
    shipped = _shipped("prices.json")["regions"]["us-east-1"]
    assert built["ebs_gb_month"] == shipped["ebs_gb_month"]  # io2 in the excerpt: not a volume type kept
    # the EMR offer gives the EMR half of the rows it has (not the Hunk rate), equal to the shipped rows
    assert {name: row for name, row in built["instances"].items()} == {
        "m5.xlarge": [None, 0.048], "r7g.8xlarge": [None, 0.4284], "r8gd.xlarge": [None, 0.07348]}
    assert all(shipped["instances"][name][1] == row[1] for name, row in built["instances"].items())


def _offer(products, rates, code="AmazonEC2"):
    """A synthetic offer in the Price List format (test values, not AWS prices)."""
    terms = {}
    for sku, (unit, usd) in rates.items():
        terms[sku] = {f"{sku}.T": {"offerTermCode": "T", "sku": sku, "priceDimensions": {
            f"{sku}.T.R": {"unit": unit, "pricePerUnit": {"USD": usd}}}}}
    return {"offerCode": code, "products": products, "terms": {"OnDemand": terms}}


def test_offer_reader_filters_and_checks():
    from emrlint.data.build_prices import OfferError, ec2_rates, emr_rates

    linux = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"}
    ec2 = _offer({
        "A": {"productFamily": "Compute Instance", "attributes": dict(linux, instanceType="x9.large",
                                                                      location="EU (Frankfurt)")},
        "B": {"productFamily": "Compute Instance", "attributes": dict(linux, instanceType="x9.large",
                                                                      location="Somewhere (New)")},
        "C": {"productFamily": "Compute Instance", "attributes": dict(linux, instanceType="x9.large", tenancy="Dedicated",
                                                                      regionCode="eu-central-1")},
        "D": {"productFamily": "Storage", "attributes": {"volumeApiName": "gp3", "regionCode": "eu-central-1"}},
        "E": {"productFamily": "Storage", "attributes": {"volumeApiName": "io2", "regionCode": "eu-central-1"}},
    }, {"A": ("Hrs", "1.2500000000"), "B": ("Hrs", "3"), "C": ("Hrs", "7"), "D": ("GB-Mo", "0.5"), "E": ("GB-Mo", "2")})
    instances, volumes = ec2_rates(ec2)
    assert instances == {("eu-central-1", "x9.large"): 1.25}  # unknown location and dedicated tenancy skipped
    assert volumes == {("eu-central-1", "gp3"): 0.5}  # io2: not a volume type EMR takes
    emr = _offer({
        "A": {"productFamily": "Elastic Map Reduce Instance",
              "attributes": {"softwareType": "EMR", "instanceType": "x9.large", "regionCode": "us-east-1"}},
        "B": {"productFamily": "Elastic Map Reduce Instance",
              "attributes": {"softwareType": "Hunk", "instanceType": "x9.large", "regionCode": "us-east-1"}},
    }, {"A": ("Hrs", "0.25"), "B": ("Hrs", "9")}, code="ElasticMapReduce")
    assert emr_rates(emr) == {("us-east-1", "x9.large"): 0.25}
    ec2["terms"]["OnDemand"]["A"]["A.T"]["priceDimensions"]["A.T.R"]["pricePerUnit"]["USD"] = "free"
    with pytest.raises(OfferError, match="'free' is not a USD amount"):
        ec2_rates(ec2, "ec2.json")
    with pytest.raises(OfferError, match="not an AWS Price List offer file"):
        ec2_rates({"products": []}, "ec2.json")


def test_prices_build_errors_are_usage_errors(tmp_path, capsys):
    from emrlint.cli import main

    bad = tmp_path / "offer.json"
    bad.write_text('{"products": ')
    assert main(["prices", "build", "--ec2", str(bad)]) == 2
    assert f"{bad}:1: not JSON" in capsys.readouterr().err
    assert main(["prices", "build"]) == 2
    assert "needs --ec2" in capsys.readouterr().err


# --------------------------------------------------------------------------- user price files

USER_PRICES = """\
mode: extend
date: 2026-11-30
source: ACME enterprise agreement
discounts:
  ec2: 0.25
regions:
  us-east-1:
    instances:
      m5.xlarge: {emr: 0.048}
      r6g.4xlarge: [0.7, 0.2016]
    ebs_gb_month:
      gp3: 0.08
    ebs_provisioned:
      gp3_iops_month: 0.004
    serverless:
      ARM64: {vcpu_hour: 0.042094, gb_hour: 0.004628}
  ap-south-2:
    instances:
      m5.xlarge: {ec2: 0.2, emr: 0.05}
"""


def test_user_price_file_extends_the_table(tmp_path):
    from emrlint.data.userprices import load_price_file

    path = tmp_path / "prices.yaml"
    path.write_text(USER_PRICES)
    user = load_price_file(str(path))
    assert (user.mode, user.date, user.source, user.discounts) == (
        "extend", "2026-11-30", "ACME enterprise agreement", {"ec2": 0.25})
    us = data.prices("us-east-1", user)
    assert us.instance("m5.xlarge") == data.InstancePrice(0.144, 0.048)  # shipped EC2 rate 0.192, 25% off
    assert us.instance("r6g.4xlarge") == data.InstancePrice(0.525, 0.2016)
    assert us.instance("m4.xlarge") == data.InstancePrice(0.15, 0.06)  # the discount applies to shipped rows too
    assert us.ebs("gp3") == 0.08
    assert us.ebs_iops_month("gp3") == 0.004 and us.ebs_iops_month("io1") == 0.065  # the file's, the table's
    assert us.serverless_rates("ARM64") == data.ServerlessRates(0.042094, 0.004628, None)
    assert us.serverless_rates("X86_64") == data.ServerlessRates(0.052624, 0.0057785, 0.000111)
    assert us.describe() == f"emrlint price table of {us.date} with rates from {path}"
    assert "ap-south-2" in data.price_regions(user) and "eu-west-1" in data.price_regions(user)
    assert data.prices("ap-south-2", user).instance("m5.xlarge") == data.InstancePrice(0.15, 0.05)


def test_user_price_file_replaces_the_table(tmp_path):
    from emrlint.data.userprices import load_price_file

    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"mode": "replace", "regions": {"us-east-1": {"instances": {"m5.xlarge": [0.1, 0.02]}}}}))
    user = load_price_file(str(path))
    assert data.price_regions(user) == ("us-east-1",)
    us = data.prices("us-east-1", user)
    assert us.instance("m5.xlarge") == data.InstancePrice(0.1, 0.02)
    assert us.instance("m4.xlarge") is None and us.serverless_rates() is None


@pytest.mark.parametrize("text,line,message", [
    ("regions:\n  us-east-1:\n    instances:\n      m5.xlarge: {ec2: -1}\n", 4,
     "regions.us-east-1.instances.m5.xlarge.ec2: -1 is not a rate"),
    ("regions:\n  us-east-1:\n    instances:\n      m5.xlarge: {ec2: '0.19'}\n", 4,
     "expected a number of USD, got '0.19'"),
    ("regions:\n  us-east-1:\n    instances:\n      m5.xlarge: {ec2: 0.19, spot: 0.05}\n", 4,
     "unknown key 'spot' (known keys: ec2, emr)"),
    ("regions:\n  us-east-1:\n    instances:\n      m5.xlarge: [0.19]\n", 4, "expected [ec2, emr], got 1 values"),
    ("regions:\n  us-east-1:\n    instances:\n      m5.xlarge: {}\n", 4, "gives neither an ec2 nor an emr rate"),
    ("regions:\n  us-east-1:\n    instances:\n      'm5 xlarge': {ec2: 0.2}\n", 4, "is not an instance type name"),
    ("regions:\n  US East:\n    instances: {}\n", 2, "'US East' is not an AWS region name"),
    ("regions:\n  us-east-1:\n    ebs_gb_month:\n      io2: 0.125\n", 4, "unknown key 'io2'"),
    ("regions:\n  us-east-1:\n    ebs_provisioned:\n      gp2_iops_month: 0.005\n", 4, "unknown key 'gp2_iops_month'"),
    ("regions:\n  us-east-1:\n    serverless:\n      GRAVITON: {vcpu_hour: 0.04}\n", 4, "unknown key 'GRAVITON'"),
    ("regions:\n  us-east-1:\n    spot: {}\n", 3, "regions.us-east-1: unknown key 'spot'"),
    ("mode: merge\nregions: {}\n", 1, "mode: expected one of extend, replace, got 'merge'"),
    ("currency: EUR\nregions: {}\n", 1, "currency: only USD is supported"),
    ("date: last week\nregions: {}\n", 1, "date: expected YYYY-MM-DD"),
    ("discounts:\n  ec2: 12\nregions: {}\n", 2, "discounts.ec2: expected a fraction from 0 to below 1"),
    ("discounts:\n  spot: 0.5\nregions: {}\n", 2, "discounts: unknown key 'spot'"),
    ("mode: extend\n", 1, "a price file needs 'regions'"),
    ("- us-east-1\n", 1, "a price file must be a mapping"),
    ("regions: [\n", 2, ""),
])
def test_user_price_file_errors_name_file_and_line(tmp_path, text, line, message):
    from emrlint.data.userprices import PriceFileError, load_price_file

    path = tmp_path / "prices.yaml"
    path.write_text(text)
    with pytest.raises(PriceFileError) as err:
        load_price_file(str(path))
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert message in str(err.value)


def test_missing_price_file_is_a_usage_error(tmp_path, capsys):
    from emrlint.cli import main

    assert main(["prices", "check", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml: cannot read" in capsys.readouterr().err
