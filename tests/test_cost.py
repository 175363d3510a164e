"""``emrlint cost`` through the installed console script: every figure of the reference
configurations in fixtures/cost/ against a hand computation written here, from the rates of
fixtures/cost/prices.yaml (typed out below, so a change of the shipped table cannot move
them); unknown values named, never guessed; formats; regions; price files; --compare."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, write_tree

BIN = os.path.join(os.path.dirname(sys.executable), "emrlint")
EMRLINT = BIN if os.path.exists(BIN) else shutil.which("emrlint")
COST = os.path.join(REPO, "fixtures", "cost")
PRICES = os.path.join(COST, "prices.yaml")
SCHEMA = os.path.join(REPO, "docs", "cost-report.schema.json")
pytestmark = pytest.mark.skipif(EMRLINT is None, reason="emrlint is not installed (pip install -e .)")

# fixtures/cost/prices.yaml, us-east-1: EC2 and EMR USD per instance-hour, EBS per GB-month,
# EMR Serverless per vCPU-hour, GB-hour and storage GB-hour
EC2 = {"m5.xlarge": 0.192, "m5.2xlarge": 0.384, "r5.2xlarge": 0.504, "r5.4xlarge": 1.008, "c5.4xlarge": 0.68}
EMR = {"m5.xlarge": 0.048, "m5.2xlarge": 0.096, "r5.2xlarge": 0.126, "r5.4xlarge": 0.252, "c5.4xlarge": 0.17}
GP3, GP2 = 0.08, 0.10
ARM = {"vcpu": 0.042094, "gb": 0.004628, "storage": 0.000111}
# eu-west-1 (the module example's provider region)
EU_EC2 = {"m5.xlarge": 0.214, "r5.2xlarge": 0.564}
EU_EMR = {"m5.xlarge": 0.048, "r5.2xlarge": 0.126}
EU_GP3, EU_GP2 = 0.088, 0.11
HOURS = 730


def ebs(volumes, size, gb_month):
    """EBS per instance-hour: volumes x GB x the GB-month rate / 730."""
    return volumes * size * gb_month / HOURS


def node(itype, ebs_hourly, ec2=EC2, emr=EMR):
    return ec2[itype] + emr[itype] + ebs_hourly


def run(*args, cwd=None, env=None):
    full = dict(os.environ)
    full.pop("NO_COLOR", None)
    full["EMRLINT_NO_CACHE"] = "1"
    full.update(env or {})
    return subprocess.run([EMRLINT, *args], cwd=cwd or REPO, env=full, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def cost_json(*paths, prices=PRICES, extra=(), cwd=None):
    args = ["cost", "--format", "json", "--no-config"] + (["--prices", prices] if prices else []) + list(extra)
    proc = run(*args, *paths, cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    import jsonschema

    with open(SCHEMA) as fh:
        jsonschema.validate(doc, json.load(fh))
    return doc


def one(doc):
    assert len(doc["resources"]) == 1, [r["resource"] for r in doc["resources"]]
    return doc["resources"][0]


def lines(r):
    return {ln["name"]: ln for ln in r["breakdown"]}


def approx(x):
    return pytest.approx(x, abs=1e-5)


def test_instance_groups_with_an_autoscaling_task_group():
    r = one(cost_json("fixtures/cost/groups"))
    # primary: 1 m5.xlarge, EMR's default EBS for an xlarge (2 x 32 GB, gp2 or gp3: gp2 at worst, gp3 at least)
    master_worst = node("m5.xlarge", ebs(2, 32, GP2))
    master_floor = node("m5.xlarge", ebs(2, 32, GP3))
    # core: 4 r5.2xlarge with 2 x 200 GB gp3 each
    core = 4 * node("r5.2xlarge", ebs(2, 200, GP3))
    # task: the autoscaling policy's MaxCapacity 10 / MinCapacity 2 r5.2xlarge, default EBS 4 x 32 GB
    task_worst = 10 * node("r5.2xlarge", ebs(4, 32, GP2))
    task_floor = 2 * node("r5.2xlarge", ebs(4, 32, GP3))
    assert r["worst_hourly"]["usd"] == approx(master_worst + core + task_worst)  # 9.419452
    assert r["floor_hourly"]["usd"] == approx(master_floor + core + task_floor)  # 4.230411
    assert r["worst_monthly"]["usd"] == approx((master_worst + core + task_worst) * 730)
    assert r["max_instances"] == 15
    b = lines(r)
    assert (b["core_instance_group"]["max_count"], b["core_instance_group"]["ebs_hourly"]) == (4, approx(2 * 200 * 0.08 / 730))
    task = b["aws_emr_instance_group.task"]
    assert (task["max_count"], task["min_count"], task["ec2_hourly"], task["emr_hourly"]) == (10, 2, 0.504, 0.126)
    assert "Constraints.MaxCapacity = 10" in task["count_how"]
    assert r["region"] == "us-east-1" and "emrlint's default" in r["region_source"]
    assert "fixtures/cost/prices.yaml" in r["worst_hourly"]["how"]


def test_fleets_with_managed_scaling_in_instance_fleet_units():
    r = one(cost_json("fixtures/cost/fleets-units"))
    master_worst, master_floor = node("m5.xlarge", ebs(2, 32, GP2)), node("m5.xlarge", ebs(2, 32, GP3))
    # core fleet: r5.2xlarge (weight 2, 2 x 100 GB gp3) or r5.4xlarge (weight 4, 1 x 200 GB gp3). Worst: its
    # dearest type (r5.4xlarge) counted by its smallest weight, 8 core units / 2 = 4 instances; floor: its
    # cheapest type (r5.2xlarge) counted by its largest weight
    core_dear = node("r5.4xlarge", ebs(1, 200, GP3))
    core_cheap = node("r5.2xlarge", ebs(2, 100, GP3))
    # task fleet: m5.2xlarge, weight 1, default EBS 4 x 32 GB; the other 40 - 8 = 32 units
    task_worst, task_floor = node("m5.2xlarge", ebs(4, 32, GP2)), node("m5.2xlarge", ebs(4, 32, GP3))
    worst = master_worst + 4 * core_dear + 32 * task_worst  # the costliest allocation of 40 units
    # floor: the 4-unit minimum, with at least one core instance: 1 core instance (4 units) covers it
    floor = master_floor + 1 * core_cheap
    assert task_floor > 0
    assert r["worst_hourly"]["usd"] == approx(worst)  # 21.297534
    assert r["floor_hourly"]["usd"] == approx(floor)  # 0.898932
    b = lines(r)
    assert (b["core_instance_fleet"]["max_count"], b["core_instance_fleet"]["instance_type"]) == (4, "r5.4xlarge")
    assert (b["aws_emr_instance_fleet.task"]["max_count"], b["aws_emr_instance_fleet.task"]["min_count"]) == (32, 0)
    assert "maximum_capacity_units = 40 InstanceFleetUnits" in b["core_instance_fleet"]["count_how"]
    # the most instances: 1 core (2 units) + 38 task (1 unit each) + the primary node
    assert r["max_instances"] == 40


def test_instance_groups_with_managed_scaling_in_vcpu():
    r = one(cost_json("fixtures/cost/vcpu"))
    master_worst, master_floor = node("m5.xlarge", ebs(2, 32, GP2)), node("m5.xlarge", ebs(2, 32, GP3))
    core = node("r5.2xlarge", ebs(1, 64, GP3))  # 8 vCPU
    task_worst, task_floor = node("c5.4xlarge", ebs(4, 64, GP2)), node("c5.4xlarge", ebs(4, 64, GP3))  # 16 vCPU
    # 160 vCPU at most, core at most 32 vCPU (4 instances): of (1, 9), (2, 9), (3, 8), (4, 8) core/task
    # instances, 4 core + 8 task costs most
    candidates = {(c, (160 - 8 * c) // 16): c * core + ((160 - 8 * c) // 16) * task_worst for c in range(1, 5)}
    assert max(candidates, key=candidates.get) == (4, 8)
    worst = master_worst + 4 * core + 8 * task_worst
    # 32 vCPU at least, one core instance at least: 2 core + 1 task (32 vCPU) is the cheapest way there
    floors = {(c, max(0, -(-(32 - 8 * c) // 16))): c * core + max(0, -(-(32 - 8 * c) // 16)) * task_floor
              for c in range(1, 5)}
    assert min(floors, key=floors.get) == (2, 1)
    floor = master_floor + 2 * core + 1 * task_floor
    assert r["worst_hourly"]["usd"] == approx(worst)  # 9.87737
    assert r["floor_hourly"]["usd"] == approx(floor)  # 2.399096
    b = lines(r)
    assert [b[n]["max_count"] for n in ("core_instance_group", "aws_emr_instance_group.task")] == [4, 8]
    assert "8 VCPU per instance, 8 vCPU (r5.2xlarge)" in b["core_instance_group"]["count_how"]


def test_cloudformation_cluster_with_an_attached_task_group_and_managed_scaling():
    r = one(cost_json("fixtures/cost/cloudformation"))
    assert r["resource"] == "ReportingCluster" and r["source_format"] == "cloudformation"
    master_worst, master_floor = node("m5.xlarge", ebs(2, 32, GP2)), node("m5.xlarge", ebs(2, 32, GP3))
    core = node("r5.2xlarge", ebs(2, 128, GP3))
    task_worst, task_floor = node("m5.2xlarge", ebs(4, 32, GP2)), node("m5.2xlarge", ebs(4, 32, GP3))
    # Instances: 20 at most, 3 of them core (MaximumCoreCapacityUnits): 3 core + 17 task
    worst = master_worst + 3 * core + 17 * task_worst
    # 4 at least, one core: 1 core + 3 task (the task instances are cheaper)
    floor = master_floor + 1 * core + 3 * task_floor
    assert r["worst_hourly"]["usd"] == approx(worst)  # 10.681013
    assert r["floor_hourly"]["usd"] == approx(floor)  # 2.387151
    b = lines(r)
    assert b["Instances.CoreInstanceGroup"]["max_count"] == 3
    assert b["ReportingTaskGroup"]["max_count"] == 17
    assert "MaximumCoreCapacityUnits = 3" in b["Instances.CoreInstanceGroup"]["count_how"]


def test_serverless_arm_application_with_initial_capacity():
    r = one(cost_json("fixtures/cost/serverless-arm"))
    # the maximum for an hour: 200 vCPU, 800 GB, and 2000 GB of disk less the 20 GB a worker gets free
    worst = 200 * ARM["vcpu"] + 800 * ARM["gb"] + (2000 - 20) * ARM["storage"]
    # pre-initialized: 1 driver (4 vCPU, 16 GB, the default 20 GB disk: free) and 4 executors
    # (4 vCPU, 16 GB, 100 GB disk: 80 GB billed each)
    driver = 1 * (4 * ARM["vcpu"] + 16 * ARM["gb"])
    executors = 4 * (4 * ARM["vcpu"] + 16 * ARM["gb"] + 80 * ARM["storage"])
    assert r["worst_hourly"]["usd"] == approx(worst)  # 12.34098
    assert r["floor_hourly"]["usd"] == approx(driver + executors)  # 1.24764
    assert r["worst_monthly"]["usd"] == approx(worst * 730)
    b = lines(r)
    assert b["maximum_capacity"]["architecture"] == "ARM64" and b["maximum_capacity"]["vcpu_hour"] == ARM["vcpu"]
    assert b["initial_capacity[Executor]"]["billed_disk_gb"] == 320
    assert b["initial_capacity[Driver]"]["floor_hourly"]["usd"] == approx(driver)


def test_module_with_three_instances_in_the_provider_region():
    doc = cost_json("fixtures/cost/module-instances")
    assert [r["resource"] for r in doc["resources"]] == [
        f"module.team_cluster[{i}].aws_emr_cluster.this" for i in range(3)]
    master = node("m5.xlarge", ebs(2, 32, EU_GP2), EU_EC2, EU_EMR)
    core = node("r5.2xlarge", ebs(1, 100, EU_GP3), EU_EC2, EU_EMR)
    expected = [master + (2 + i) * core for i in range(3)]  # core_count = 2 + count.index
    for r, figure in zip(doc["resources"], expected):
        assert r["region"] == "eu-west-1" and "provider block at fixtures/cost/module-instances/main.tf:3" in \
            r["region_source"]
        assert r["worst_hourly"]["usd"] == approx(figure)
        assert r["module"] == r["resource"].rsplit(".aws_emr_cluster", 1)[0]
    (module,) = doc["totals"]["modules"]
    assert module["module"] == "module.team_cluster" and len(module["instances"]) == 3
    assert (module["path"], module["line"]) == ("fixtures/cost/module-instances/main.tf", 6)
    assert module["worst_hourly"]["usd"] == approx(sum(expected))  # 7.133425
    assert doc["totals"]["scan"]["worst_hourly"]["usd"] == approx(sum(expected))


def test_every_reference_configuration_adds_up_in_the_scan_total():
    doc = cost_json("fixtures/cost/groups", "fixtures/cost/fleets-units", "fixtures/cost/serverless-arm")
    total = sum(r["worst_hourly"]["usd"] for r in doc["resources"])
    assert doc["totals"]["scan"]["worst_hourly"]["usd"] == approx(total)
    assert doc["totals"]["scan"]["resources"] == 3


def test_unknown_values_are_named_never_guessed():
    r = one(cost_json("fixtures/cost/unknown"))
    assert r["worst_hourly"]["usd"] is None and r["floor_hourly"]["usd"] is None and r["worst_monthly"]["usd"] is None
    unknown = r["worst_hourly"]["unknown"]
    assert "core_instance_group.instance_count = var.core_count has no value" in unknown
    assert ("aws_emr_instance_group.task.instance_type = data.aws_ssm_parameter.task_type.value comes from "
            "data.aws_ssm_parameter.task_type, known only after apply") in unknown
    # what is proven is kept as a lower bound: the primary node
    assert r["worst_hourly"]["at_least"] == approx(node("m5.xlarge", ebs(2, 32, GP2)))
    b = lines(r)
    assert b["core_instance_group"]["max_count"] is None and b["core_instance_group"]["worst_hourly"]["usd"] is None
    assert b["aws_emr_instance_group.task"]["instance_type"] is None
    text = run("cost", "--no-config", "--prices", PRICES, "fixtures/cost/unknown").stdout
    assert "worst case at least $0.25/h" in text
    assert "unknown: core_instance_group.instance_count = var.core_count has no value" in text


def test_provisioned_iops_and_throughput(tmp_path):
    write_tree(str(tmp_path), {"main.tf": """
        resource "aws_emr_cluster" "io" {
          name          = "io"
          release_label = "emr-7.1.0"
          master_instance_group {
            instance_type = "m5.xlarge"
            ebs_config {
              size = 50
              type = "gp3"
            }
          }
          core_instance_group {
            instance_type  = "r5.2xlarge"
            instance_count = 2
            ebs_config {
              size                 = 500
              type                 = "gp3"
              iops                 = 6000
              throughput           = 250
              volumes_per_instance = 2
            }
            ebs_config {
              size = 100
              type = "io1"
              iops = 1000
            }
          }
        }
        """, "prices.yaml": """
        mode: replace
        regions:
          us-east-1:
            instances:
              m5.xlarge: {ec2: 0.192, emr: 0.048}
              r5.2xlarge: {ec2: 0.504, emr: 0.126}
            ebs_gb_month: {gp3: 0.08, io1: 0.125}
            ebs_provisioned: {gp3_iops_month: 0.005, gp3_throughput_gibps_month: 40.96, io1_iops_month: 0.065}
        """})
    r = one(cost_json(".", prices="prices.yaml", cwd=str(tmp_path)))
    master = 0.192 + 0.048 + 50 * 0.08 / 730  # a gp3 volume at its included 3,000 IOPS and 125 MiB/s
    core_ebs = (2 * 500 * 0.08          # two 500 GB gp3 volumes
                + 2 * (6000 - 3000) * 0.005  # their IOPS above the included 3,000
                + 2 * (250 - 125) * 40.96 / 1024  # their throughput above 125 MiB/s (the rate is per GiB/s)
                + 100 * 0.125 + 1000 * 0.065) / 730  # a 100 GB io1 volume and its 1,000 IOPS
    assert lines(r)["core_instance_group"]["ebs_hourly"] == approx(core_ebs)
    assert r["worst_hourly"]["usd"] == approx(master + 2 * (0.504 + 0.126 + core_ebs))


def test_a_rate_the_table_lacks_is_unknown_with_the_reason(tmp_path):
    thin = tmp_path / "thin.yaml"  # no EMR rate for r5.2xlarge, no EBS rates, no ARM64 rates
    thin.write_text("mode: replace\nregions:\n  us-east-1:\n    instances:\n"
                    "      m5.xlarge: {ec2: 0.192, emr: 0.048}\n      r5.2xlarge: {ec2: 0.504}\n"
                    "    serverless:\n      X86_64: {vcpu_hour: 0.052624, gb_hour: 0.0057785}\n")
    doc = cost_json("fixtures/cost/groups", "fixtures/cost/serverless-arm", prices=str(thin))
    cluster, app = doc["resources"]
    assert cluster["worst_hourly"]["usd"] is None
    assert set(cluster["worst_hourly"]["unknown"]) == {
        "the price table has no EMR rate for r5.2xlarge in us-east-1",
        "the price table has no EBS gp2 or gp3 rate for us-east-1", "the price table has no EBS gp3 rate for us-east-1"}
    # what is priced is a lower bound: EC2 and EMR of the primary node, EC2 of 4 core and 10 task nodes
    assert cluster["worst_hourly"]["at_least"] == approx(0.192 + 0.048 + 14 * 0.504)
    assert app["worst_hourly"]["usd"] is None and app["worst_hourly"]["at_least"] is None
    assert "the price table has no EMR Serverless ARM64 vCPU-hour rate for us-east-1" in app["worst_hourly"]["unknown"]


def test_the_shipped_table_names_exactly_the_rates_it_lacks():
    from emrlint.data import prices

    rates = prices("us-east-1")
    (cluster,) = cost_json("fixtures/cost/groups", prices=None)["resources"]
    lacking = {f"the price table has no {part} rate for {t} in us-east-1" for t in ("m5.xlarge", "r5.2xlarge")
               for part, value in (("EC2", rates.instance(t).ec2_hourly), ("EMR", rates.instance(t).emr_hourly))
               if value is None}
    named = {u for u in cluster["worst_hourly"]["unknown"] if " rate for " in u and "EBS" not in u}
    assert named == lacking
    if not lacking and rates.ebs("gp2") is not None and rates.ebs("gp3") is not None:
        price = {t: rates.instance(t).ec2_hourly + rates.instance(t).emr_hourly for t in ("m5.xlarge", "r5.2xlarge")}
        assert cluster["worst_hourly"]["usd"] == approx(
            price["m5.xlarge"] + ebs(2, 32, rates.ebs("gp2")) + 4 * (price["r5.2xlarge"] + ebs(2, 200, rates.ebs("gp3")))
            + 10 * (price["r5.2xlarge"] + ebs(4, 32, rates.ebs("gp2"))))
    assert "emrlint's price table of" in cluster["rates"]


def test_region_from_the_command_line_the_config_and_errors(tmp_path):
    doc = cost_json("fixtures/cost/module-instances", extra=["--region", "us-east-1"])
    assert {r["region"] for r in doc["resources"]} == {"us-east-1"}
    assert doc["resources"][0]["region_source"] == "region us-east-1 (--region)"
    master = node("m5.xlarge", ebs(2, 32, GP2))
    core = node("r5.2xlarge", ebs(1, 100, GP3))
    assert doc["resources"][0]["worst_hourly"]["usd"] == approx(master + 2 * core)

    proc = run("cost", "--no-config", "--prices", PRICES, "--region", "mars-north-1", "fixtures/cost/groups")
    assert proc.returncode == 2
    assert "--region: region 'mars-north-1' is not in the price table; its regions are eu-west-1, us-east-1" in \
        proc.stderr

    write_tree(str(tmp_path), {".emrlint.yaml": f"region: eu-west-1\nprices: {PRICES}\n",
                               "main.tf": open(os.path.join(COST, "groups", "main.tf")).read()})
    proc = run("cost", "--format", "json", ".", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    (r,) = json.loads(proc.stdout)["resources"]
    assert r["region"] == "eu-west-1" and r["region_source"] == "region eu-west-1 (.emrlint.yaml:1)"
    eu = lambda t, e: node(t, e, EU_EC2, EU_EMR)  # noqa: E731
    assert r["worst_hourly"]["usd"] == approx(eu("m5.xlarge", ebs(2, 32, EU_GP2)) + 4 * eu("r5.2xlarge", ebs(2, 200, EU_GP3))
                                              + 10 * eu("r5.2xlarge", ebs(4, 32, EU_GP2)))
    # the command line wins over the config
    proc = run("cost", "--format", "json", "--region", "us-east-1", ".", cwd=str(tmp_path))
    (r,) = json.loads(proc.stdout)["resources"]
    assert (r["region"], r["region_source"]) == ("us-east-1", "region us-east-1 (--region)")
    write_tree(str(tmp_path), {".emrlint.yaml": f"region: ap-nowhere-9\nprices: {PRICES}\n"})
    proc = run("cost", ".", cwd=str(tmp_path))
    assert proc.returncode == 2 and ".emrlint.yaml:1: region: region 'ap-nowhere-9' is not in the price table" in \
        proc.stderr


def test_formats_text_csv_markdown():
    text = run("cost", "--no-config", "--prices", PRICES, "fixtures/cost/groups").stdout
    assert "\x1b[" not in text  # plain text when piped
    assert "aws_emr_cluster.analytics (fixtures/cost/groups/main.tf:4): worst case $9.42/h ($6,876.20/month), " \
           "floor $4.23/h" in text
    assert "Total (1 resource): worst case $9.42/h" in text
    assert "not counted: data transfer, S3" in text

    colored = run("cost", "--no-config", "--prices", PRICES, "--force-color", "fixtures/cost/groups").stdout
    assert "\x1b[" in colored and "9.42" in colored  # the rich table

    rows = list(csv.DictReader(io.StringIO(run("cost", "--no-config", "--prices", PRICES, "--format", "csv",
                                               "fixtures/cost/groups").stdout)))
    assert [r["row"] for r in rows] == ["master", "core", "task", "total", "total"]
    assert rows[2]["max_count"] == "10" and rows[2]["instance_type"] == "r5.2xlarge"
    assert float(rows[3]["worst_hourly"]) == approx(9.419452)

    md = run("cost", "--no-config", "--prices", PRICES, "--format", "markdown", "fixtures/cost/module-instances").stdout
    assert md.startswith("## EMR cost (emrlint)")
    assert "| `module.team_cluster[0].aws_emr_cluster.this`" in md
    assert "| **`module.team_cluster`** (3 instances) | $7.13/h |" in md


def _tree(root, core_count, with_app=True, with_sessions=False):
    files = {"emr/main.tf": open(os.path.join(COST, "groups", "main.tf")).read().replace(
        "instance_count = 4", f"instance_count = {core_count}")}
    if with_app:
        files["serverless/main.tf"] = open(os.path.join(COST, "serverless-arm", "main.tf")).read()
    if with_sessions:
        files["adhoc/main.tf"] = open(os.path.join(COST, "vcpu", "main.tf")).read()
    write_tree(root, files)


def test_compare_reports_exactly_the_changed_resources_and_the_total_delta(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    _tree(str(base), 4, with_app=True)
    # the change: 8 core nodes instead of 4, the serverless application removed, a cluster added;
    # an unrelated edit moves every line of the cluster down
    _tree(str(head), 8, with_app=False, with_sessions=True)
    text = (head / "emr" / "main.tf").read_text()
    (head / "emr" / "main.tf").write_text("# moved down by an unrelated comment\n\n" + text)
    out = tmp_path / "base.json"
    proc = run("cost", "--no-config", "--prices", PRICES, "--format", "json", "-o", str(out), str(base))
    assert proc.returncode == 0, proc.stderr
    doc = cost_json(str(head), extra=["--compare", str(out)])
    changes = {(c["change"], c["resource"]): c for c in doc["compare"]["resources"]}
    assert set(changes) == {("changed", "aws_emr_cluster.analytics"), ("removed", "aws_emrserverless_application.sessions"),
                            ("added", "aws_emr_cluster.ml")}
    core = node("r5.2xlarge", ebs(2, 200, GP3))
    changed = changes[("changed", "aws_emr_cluster.analytics")]
    assert changed["delta"]["worst_hourly"] == approx(4 * core)
    assert changed["before"]["worst_hourly"]["usd"] == approx(9.419452)
    base_doc = json.loads(out.read_text())
    total = doc["compare"]["total"]["delta"]["worst_hourly"]
    assert total == approx(doc["totals"]["scan"]["worst_hourly"]["usd"] - base_doc["totals"]["scan"]["worst_hourly"]["usd"])
    assert total == approx(4 * core - 12.34098 + 9.87737)

    md = run("cost", "--no-config", "--prices", PRICES, "--format", "markdown", "--compare", str(out), str(head)).stdout
    assert ("this change raises the worst case of aws_emr_cluster.analytics from $9.42/h to $12.11/h (+$2.70/h)"
            in md)
    assert "this change removes aws_emrserverless_application.sessions, whose worst case was $12.34/h" in md
    assert "this change adds aws_emr_cluster.ml: worst case $9.88/h" in md

    # the same tree against its own report: nothing changed
    same = cost_json(str(base), extra=["--compare", str(out)])
    assert same["compare"]["resources"] == [] and same["compare"]["total"]["delta"]["worst_hourly"] == 0


def test_compare_refuses_what_is_not_a_cost_report(tmp_path):
    bad = tmp_path / "findings.json"
    bad.write_text(json.dumps({"tool": {"name": "emrlint"}, "findings": []}))
    proc = run("cost", "--no-config", "--compare", str(bad), "fixtures/cost/groups")
    assert proc.returncode == 2 and "not an emrlint cost report" in proc.stderr


def test_cost_reads_every_format_and_reports_unread_files(tmp_path):
    doc = cost_json("fixtures/EMR102/fail/run-job-flow-all-on-demand", "fixtures/EMR102/fail/sfn-asl-create-cluster-on-demand",
                    "fixtures/EMR102/fail/plan-task-group-on-demand", "fixtures/EMR101/fail/create-application-no-maximum-capacity")
    formats = {r["source_format"] for r in doc["resources"]}
    assert formats == {"run-job-flow", "stepfunctions", "terraform-plan", "create-application"}
    write_tree(str(tmp_path), {"broken.tf": 'resource "aws_emr_cluster" "x" {\n  name = \n'})
    proc = run("cost", "--no-config", "--format", "json", str(tmp_path))
    assert proc.returncode == 1
    not_read = json.loads(proc.stdout)["not_read"]
    assert len(not_read) == 1 and not_read[0]["path"].endswith("broken.tf")
    assert "could not be read" in proc.stderr


def test_cost_takes_vars_var_files_config_and_exclusions_like_scan(tmp_path):
    """The core count comes from --var, --var-file or a config's var-files; excluded paths
    (--exclude or the config's exclude) are not priced; without a value the figure is unknown."""
    cluster = open(os.path.join(COST, "groups", "main.tf")).read().replace(
        "instance_count = 4", "instance_count = var.core_count")
    write_tree(str(tmp_path), {"emr/main.tf": 'variable "core_count" {\n  type = number\n}\n\n' + cluster,
                               "emr/prod.tfvars": "core_count = 2\n",
                               "legacy/main.tf": cluster.replace('"analytics"', '"legacy"')})
    master = node("m5.xlarge", ebs(2, 32, GP2))
    core = node("r5.2xlarge", ebs(2, 200, GP3))
    task = 10 * node("r5.2xlarge", ebs(4, 32, GP2))

    # (--exclude patterns are relative to the working directory, as for scan)
    doc = cost_json(".", extra=["--var", "core_count=6", "--exclude", "legacy/"], cwd=str(tmp_path))
    assert [r["resource"] for r in doc["resources"]] == ["aws_emr_cluster.analytics"]
    assert doc["resources"][0]["worst_hourly"]["usd"] == approx(master + 6 * core + task)

    doc = cost_json(".", extra=["--var-file", "emr/prod.tfvars", "--exclude", "legacy/"], cwd=str(tmp_path))
    assert doc["resources"][0]["worst_hourly"]["usd"] == approx(master + 2 * core + task)

    # the same from a config: its var-files and exclude
    (tmp_path / ".emrlint.yaml").write_text(f"exclude: [legacy/]\nvar-files: [emr/prod.tfvars]\nprices: {PRICES}\n")
    proc = run("cost", "--format", "json", ".", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    (r,) = json.loads(proc.stdout)["resources"]
    assert r["worst_hourly"]["usd"] == approx(master + 2 * core + task)

    # no value: unknown, named, the priced part a lower bound; the excluded cluster is still not priced
    doc = cost_json(str(tmp_path / "emr"))
    (r,) = doc["resources"]
    assert r["worst_hourly"]["usd"] is None
    assert "core_instance_group.instance_count = var.core_count has no value" in r["worst_hourly"]["unknown"]
    assert r["worst_hourly"]["at_least"] == approx(master + task)


def test_scan_output_is_unchanged_by_cost_options():
    a = run("scan", "--no-config", "--format", "sarif", "fixtures/cost/groups").stdout
    b = run("scan", "--no-config", "--format", "sarif", "--prices", PRICES, "--region", "us-east-1",
            "fixtures/cost/groups").stdout
    assert a == b and '"version": "2.1.0"' in a


def test_the_readme_example_is_real_output():
    with open(os.path.join(REPO, "README.md")) as fh:
        section = fh.read().split("\n## Cost\n", 1)[1]
    block = section.split("```text\n", 1)[1].split("```", 1)[0]
    command, expected = block.split("\n", 1)
    args = command.split()[3:]  # "$ emrlint cost ..."
    proc = run("cost", "--no-config", *args)
    assert proc.returncode == 0 and proc.stdout == expected
