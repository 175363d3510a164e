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
    code = ("import emrlint.data as d, emrlint.engine, emrlint.rules.emr101_serverless_max_capacity_missing\n"
            "assert d._CACHE == {}, d._CACHE\n"
            "d.release('emr-7.1.0')\n"
            "assert list(d._CACHE) == ['releases'], list(d._CACHE)\n")
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
