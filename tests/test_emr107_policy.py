"""EMR107 capacity-above-policy: it only fires with a repository's limits, and its cost figures.

Fixtures cannot carry parameters except through ``fixtures/EMR107/params.json``; these tests
scan small trees with explicit parameters instead, and check the exact findings and the
worst-case cost figures quoted in the messages.
"""

from __future__ import annotations

import pytest

from emrlint.data import prices

PRICES_DATE = prices("us-east-1").date

BACKFILL = {
    "main.tf": '''
        # History backfill application: 400 vCPU / 3000 GB ceiling.
        resource "aws_emrserverless_application" "backfill" {
          name          = "history-backfill"
          release_label = "emr-7.1.0"
          type          = "spark"

          maximum_capacity {
            cpu    = "400 vCPU"
            memory = "3000 GB"
          }

          auto_stop_configuration {
            enabled              = true
            idle_timeout_minutes = 15
          }

          tags = {
            team = "data-platform"
          }
        }
    ''',
}

PRESTO = {
    "main.tf": '''
        resource "aws_emr_cluster" "presto" {
          name          = "presto-shared"
          release_label = "emr-7.1.0"
          applications  = ["Presto"]
          service_role  = "EMR_DefaultRole"
          log_uri       = "s3://acme-presto-emr-logs/"

          master_instance_group {
            instance_type = "m6g.2xlarge"
          }

          core_instance_group {
            instance_type  = "r6g.4xlarge"
            instance_count = 4
          }
        }

        resource "aws_emr_managed_scaling_policy" "presto" {
          cluster_id = aws_emr_cluster.presto.id

          compute_limits {
            unit_type              = "Instances"
            minimum_capacity_units = 4
            maximum_capacity_units = var.max_instances
          }
        }
    ''',
    "variables.tf": '''
        variable "max_instances" {
          description = "Upper bound for managed scaling"
          type        = number
          default     = 250
        }
    ''',
}


def _messages(findings):
    return [f.message for f in findings if f.rule == "EMR107"]


def test_never_fires_without_a_ceiling(tf):
    assert tf(BACKFILL, select=["EMR107"]) == []
    assert tf(PRESTO, select=["EMR107"]) == []
    # every limit explicitly "not set" (null in the config)
    params = {"EMR107": {"max_vcpu": None, "max_memory_gb": None, "max_capacity_units": None, "max_hourly_usd": None}}
    assert tf(BACKFILL, select=["EMR107"], params=params) == []


def test_vcpu_and_memory_above_the_ceilings_point_at_the_values(tf):
    params = {"EMR107": {"max_vcpu": 256, "max_memory_gb": 1024}}
    assert tf(BACKFILL, select=["EMR107"], params=params) == [
        ("EMR107", "main.tf", 9),  # cpu = "400 vCPU"
        ("EMR107", "main.tf", 10),  # memory = "3000 GB"
    ]
    messages = _messages(tf(BACKFILL, select=["EMR107"], params=params, full=True))
    assert "maximum_capacity.cpu is 400 vCPU, above this repository's max_vcpu of 256" in messages[0]
    assert "maximum_capacity.memory is 3000 GB, above this repository's max_memory_gb of 1024" in messages[1]


def test_limits_at_or_above_the_values_stay_silent(tf):
    params = {"EMR107": {"max_vcpu": 400, "max_memory_gb": 3000, "max_hourly_usd": 38.39}}
    assert tf(BACKFILL, select=["EMR107"], params=params) == []


def test_hourly_cost_x86_us_east_1(tf):
    findings = tf(BACKFILL, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25}}, full=True)
    assert [(f.rule, f.loc.line, f.key) for f in findings] == [("EMR107", 8, "maximum_capacity.hourly_cost")]
    message = findings[0].message
    # 400 x 0.052624 = 21.0496; 3000 x 0.0057785 = 17.3355; total 38.3851
    assert "this application can cost $38.39 per hour" in message
    assert "400 vCPU-hours x $0.052624 = $21.05" in message
    assert "3000 GB-hours x $0.0057785 = $17.34" in message
    assert f"us-east-1 X86_64, emrlint price table of {PRICES_DATE}" in message
    assert "above this repository's max_hourly_usd of $25.00" in message


def test_hourly_cost_arm64_needs_arm64_rates(tf):
    files = {"main.tf": BACKFILL["main.tf"].replace('type          = "spark"',
                                                    'type          = "spark"\n          architecture  = "ARM64"')}
    # the shipped table has no ARM64 rate: the cost is unknown, never priced at x86 rates
    assert prices("us-east-1").serverless_rates("ARM64") is None
    assert tf(files, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25}}) == []
    # with the repository's own ARM64 rates: 400 x 0.042094 = 16.8376; 3000 x 0.004628 = 13.884
    params = {"EMR107": {"max_hourly_usd": 25, "vcpu_hour_usd": 0.042094, "gb_hour_usd": 0.004628}}
    message = _messages(tf(files, select=["EMR107"], params=params, full=True))[0]
    assert "this application can cost $30.72 per hour" in message
    assert "400 vCPU-hours x $0.042094 = $16.84" in message
    assert "3000 GB-hours x $0.004628 = $13.88" in message
    assert "rates from this repository's vcpu_hour_usd and gb_hour_usd" in message
    # one override alone does not make the other ARM64 rate known
    assert tf(files, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25, "vcpu_hour_usd": 0.042094}}) == []


def test_unknown_architecture_needs_the_cheaper_rates(tf):
    files = {
        "main.tf": BACKFILL["main.tf"].replace('type          = "spark"',
                                               'type          = "spark"\n          architecture  = var.arch'),
        "variables.tf": 'variable "arch" {\n  type = string\n}\n',
    }
    # x86 or ARM64: without ARM64 rates the lower bound is unknown
    assert tf(files, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25}}) == []
    params = {"EMR107": {"max_hourly_usd": 25, "vcpu_hour_usd": 0.05, "gb_hour_usd": 0.005}}
    message = _messages(tf(files, select=["EMR107"], params=params, full=True))[0]
    assert "$35.00 per hour" in message  # 400 x 0.05 + 3000 x 0.005


def test_rate_overrides_and_regions(tf):
    params = {"EMR107": {"max_hourly_usd": 25, "vcpu_hour_usd": 0.06, "gb_hour_usd": 0.007}}
    message = _messages(tf(BACKFILL, select=["EMR107"], params=params, full=True))[0]
    # 400 x 0.06 = 24; 3000 x 0.007 = 21
    assert "$45.00 per hour" in message
    assert "rates from this repository's vcpu_hour_usd and gb_hour_usd" in message

    params = {"EMR107": {"max_hourly_usd": 25, "price_region": "us-west-2"}}
    message = _messages(tf(BACKFILL, select=["EMR107"], params=params, full=True))[0]
    assert "$38.39 per hour" in message and "us-west-2 X86_64" in message

    # eu-central-1: 400 x 0.060528 = 24.2112; 3000 x 0.006643 = 19.929; total 44.1402
    params = {"EMR107": {"max_hourly_usd": 25, "price_region": "eu-central-1"}}
    message = _messages(tf(BACKFILL, select=["EMR107"], params=params, full=True))[0]
    assert "$44.14 per hour" in message and "eu-central-1 X86_64" in message

    # a region without rates is never priced at another region's rates
    assert tf(BACKFILL, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25, "price_region": "ap-south-2"}}) == []


def test_price_region_outside_the_table_is_a_config_error(tmp_path):
    from emrlint.config import load_config
    from emrlint.discovery import UsageError

    config = tmp_path / ".emrlint.yaml"
    config.write_text("params:\n  EMR107:\n    max_hourly_usd: 25\n    price_region: ap-south-2\n")
    with pytest.raises(UsageError) as err:
        load_config(str(config))
    message = str(err.value)
    assert f"{config}:4:" in message and "price_region" in message
    assert "not a region of the price table (" in message and "us-east-1" in message
    config.write_text("params:\n  EMR107:\n    price_region: eu-west-1\n")
    assert load_config(str(config)).params["EMR107"]["price_region"] == "eu-west-1"


def test_one_known_dimension_is_a_lower_bound(tf):
    files = {
        "main.tf": BACKFILL["main.tf"].replace('memory = "3000 GB"', 'memory = var.max_memory'),
        "variables.tf": 'variable "max_memory" {\n  type = string\n}\n',
    }
    # 400 vCPU alone costs $21.05 an hour: proven above $20, unknown against $25
    message = _messages(tf(files, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 20}}, full=True))[0]
    assert "$21.05 per hour: 400 vCPU-hours x $0.052624 = $21.05 (" in message
    assert tf(files, select=["EMR107"], params={"EMR107": {"max_hourly_usd": 25}}) == []


def test_unknown_capacity_is_silent(tf):
    files = {
        "main.tf": '''
            variable "max_cpu" {
              type = string
            }

            resource "aws_emrserverless_application" "a" {
              name          = "shared"
              release_label = "emr-7.1.0"
              type          = "spark"

              maximum_capacity {
                cpu    = var.max_cpu
                memory = "${var.max_cpu}0 GB"
              }
            }
        ''',
    }
    params = {"EMR107": {"max_vcpu": 1, "max_memory_gb": 1, "max_hourly_usd": 0.01}}
    assert tf(files, select=["EMR107"], params=params) == []


def test_managed_scaling_units_point_at_the_variable_default(tf):
    findings = tf(PRESTO, select=["EMR107"], params={"EMR107": {"max_capacity_units": 100}}, full=True)
    assert [(f.rule, f.loc.path.rsplit("/", 1)[-1], f.loc.line, f.resource) for f in findings] == [
        ("EMR107", "variables.tf", 5, "aws_emr_managed_scaling_policy.presto")]
    assert ("maximum_capacity_units is 250 Instances, above this repository's max_capacity_units of 100"
            in findings[0].message)
    assert tf(PRESTO, select=["EMR107"], params={"EMR107": {"max_capacity_units": 250}}) == []


@pytest.mark.parametrize("units,expected", [(120, [("EMR107", "template.yaml", 18)]), (80, [])])
def test_cloudformation_application_and_inline_managed_scaling(tf, units, expected):
    template = f'''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  MaxCpu:
    Type: String
    Default: 512 vCPU
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: payments
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      ManagedScalingPolicy:
        ComputeLimits:
          UnitType: Instances
          MinimumCapacityUnits: 2
          MaximumCapacityUnits: {units}
      Instances:
        CoreInstanceGroup:
          InstanceCount: 2
          InstanceType: r6g.2xlarge
  App:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: payments-serverless
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      MaximumCapacity:
        Cpu: !Ref MaxCpu
        Memory: 2048 GB
'''
    params = {"EMR107": {"max_capacity_units": 100, "max_vcpu": 400}}
    got = tf({"template.yaml": template}, select=["EMR107"], params=params)
    # the application's cpu comes from the parameter's Default (line 5)
    assert got == [("EMR107", "template.yaml", 5)] + expected
