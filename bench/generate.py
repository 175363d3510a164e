"""Generate a deterministic Terraform monorepo (or a Terraform plan) for benchmarks.

    python bench/generate.py OUT_DIR [--modules 400] [--emr-share 0.05] [--seed 7]
    python bench/generate.py --plan OUT.json [--plan-mb 20]

The tree has ``--modules`` module directories under ``modules/`` (three files
each, about 180 lines) and one ``stacks/<name>/`` root per ten modules calling
them with ``source = "../../modules/..."``.  A share ``--emr-share`` of the
modules hold EMR resources (clusters with dynamic blocks and bootstrap
scripts, serverless applications); the rest hold the usual VPC, S3, IAM,
Lambda, RDS and ECS resources.  The same arguments always give the same tree;
``--emr-share 1`` makes every module EMR-relevant.

``--plan`` writes the JSON of ``terraform show -json`` (one line, as Terraform writes
it) for a large root module: module calls each holding an EMR cluster with an
instance group and the S3 buckets, IAM roles and security groups around it, with
``planned_values``, ``resource_changes`` (some values known only after apply) and
``configuration``, until the file reaches ``--plan-mb`` megabytes (10^6 bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
from typing import Any, Dict, List

NON_EMR_KINDS = ("s3", "vpc", "iam", "lambda", "rds", "ecs", "sqs", "dynamodb")


def _variables(names: List[str]) -> str:
    out = []
    for n in names:
        out.append(f'variable "{n}" {{\n  description = "The {n.replace("_", " ")} of this module"\n'
                   f'  type        = string\n  default     = null\n}}\n')
    out.append('variable "tags" {\n  description = "Tags for every resource"\n  type        = map(string)\n'
               '  default     = {}\n}\n')
    out.append('variable "settings" {\n  description = "Optional settings"\n  type = object({\n'
               '    retention_days = optional(number, 30)\n    alarms         = optional(bool, true)\n'
               '    owner          = optional(string)\n  })\n  default = {}\n}\n')
    return "\n".join(out)


def _non_emr(kind: str, i: int, rng: random.Random) -> str:
    blocks = []
    for j in range(rng.randint(4, 6)):
        if kind == "s3":
            blocks.append(f'''resource "aws_s3_bucket" "b{j}" {{
  bucket = "${{var.name}}-{i}-{j}"
  tags   = merge(var.tags, {{ index = "{j}" }})
}}

resource "aws_s3_bucket_versioning" "b{j}" {{
  bucket = aws_s3_bucket.b{j}.id
  versioning_configuration {{
    status = "Enabled"
  }}
}}
''')
        elif kind == "vpc":
            blocks.append(f'''resource "aws_subnet" "s{j}" {{
  vpc_id            = var.vpc_id
  cidr_block        = cidrsubnet("10.{i % 250}.0.0/16", 8, {j})
  availability_zone = "us-east-1${{["a", "b", "c"][{j} % 3]}}"
  tags = {{
    Name = "${{var.name}}-{j}"
  }}
}}
''')
        elif kind == "iam":
            blocks.append(f'''resource "aws_iam_role" "r{j}" {{
  name = "${{var.name}}-role-{j}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Service = "ec2.amazonaws.com" }}
      Action    = "sts:AssumeRole"
    }}]
  }})
  tags = var.tags
}}
''')
        elif kind == "lambda":
            blocks.append(f'''resource "aws_lambda_function" "f{j}" {{
  function_name = "${{var.name}}-fn-{j}"
  role          = var.role_arn
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "${{path.module}}/dist/fn{j}.zip"
  memory_size   = {128 * (j + 1)}
  timeout       = 30
  environment {{
    variables = {{
      STAGE = var.stage
      INDEX = "{j}"
    }}
  }}
}}
''')
        elif kind == "rds":
            blocks.append(f'''resource "aws_db_instance" "db{j}" {{
  identifier          = "${{var.name}}-db-{j}"
  engine              = "postgres"
  engine_version      = "16.3"
  instance_class      = "db.r6g.large"
  allocated_storage   = {20 * (j + 1)}
  storage_encrypted   = true
  skip_final_snapshot = false
  tags                = var.tags
}}
''')
        elif kind == "ecs":
            blocks.append(f'''resource "aws_ecs_service" "svc{j}" {{
  name            = "${{var.name}}-svc-{j}"
  cluster         = var.cluster_arn
  task_definition = var.task_definition
  desired_count   = {j + 1}
  dynamic "load_balancer" {{
    for_each = var.target_group_arn == null ? [] : [var.target_group_arn]
    content {{
      target_group_arn = load_balancer.value
      container_name   = "app"
      container_port   = 8080
    }}
  }}
}}
''')
        elif kind == "sqs":
            blocks.append(f'''resource "aws_sqs_queue" "q{j}" {{
  name                       = "${{var.name}}-q-{j}"
  visibility_timeout_seconds = {30 * (j + 1)}
  message_retention_seconds  = 345600
  redrive_policy = jsonencode({{
    deadLetterTargetArn = var.dlq_arn
    maxReceiveCount     = 5
  }})
}}
''')
        else:
            blocks.append(f'''resource "aws_dynamodb_table" "t{j}" {{
  name         = "${{var.name}}-t-{j}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"
  attribute {{
    name = "pk"
    type = "S"
  }}
  attribute {{
    name = "sk"
    type = "S"
  }}
  point_in_time_recovery {{
    enabled = true
  }}
}}
''')
    return "\n".join(blocks)


def _emr(i: int, rng: random.Random) -> str:
    if i % 2:
        return f'''resource "aws_emrserverless_application" "app" {{
  name          = "${{var.name}}-serverless"
  release_label = coalesce(var.release_label, "emr-7.1.0")
  type          = "spark"

  dynamic "maximum_capacity" {{
    for_each = var.max_cpu == null ? [] : [1]
    content {{
      cpu    = var.max_cpu
      memory = "{rng.choice([500, 1000, 2000])} GB"
    }}
  }}

  auto_stop_configuration {{
    enabled              = true
    idle_timeout_minutes = 15
  }}
  tags = var.tags
}}
'''
    return f'''locals {{
  bootstrap = [
    {{ name = "libs", path = "s3://acme-artifacts/bootstrap/install-{i}.sh", args = ["pandas=={rng.randint(1, 2)}.2.2"] }},
  ]
}}

resource "aws_emr_cluster" "this" {{
  name          = "${{var.name}}-emr"
  release_label = coalesce(var.release_label, "emr-7.1.0")
  applications  = ["Spark", "Hadoop"]
  log_uri       = var.log_uri
  service_role  = "EMR_DefaultRole"

  ec2_attributes {{
    subnet_id        = var.subnet_id
    instance_profile = "EMR_EC2_DefaultRole"
  }}

  master_instance_group {{
    instance_type = "m6g.xlarge"
  }}

  core_instance_group {{
    instance_type  = "r6g.2xlarge"
    instance_count = {rng.randint(2, 8)}
  }}

  dynamic "bootstrap_action" {{
    for_each = local.bootstrap
    content {{
      name = bootstrap_action.value.name
      path = bootstrap_action.value.path
      args = bootstrap_action.value.args
    }}
  }}
  tags = var.tags
}}

resource "aws_emr_instance_group" "task" {{
  count          = var.task_count == null ? 1 : var.task_count
  cluster_id     = aws_emr_cluster.this.id
  instance_type  = "r6g.2xlarge"
  instance_count = 4
  bid_price      = "0.30"
}}
'''


VARS = ["name", "stage", "vpc_id", "role_arn", "cluster_arn", "task_definition", "target_group_arn", "dlq_arn",
        "release_label", "log_uri", "subnet_id", "max_cpu", "task_count"]


def generate(out: str, modules: int = 400, emr_share: float = 0.05, seed: int = 7) -> None:
    rng = random.Random(seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    n_emr = max(1, round(modules * emr_share)) if emr_share > 0 else 0
    emr_indexes = set(rng.sample(range(modules), n_emr))
    names = []
    for i in range(modules):
        kind = "emr" if i in emr_indexes else NON_EMR_KINDS[i % len(NON_EMR_KINDS)]
        name = f"{kind}-{i:04d}"
        names.append(name)
        d = os.path.join(out, "modules", name)
        os.makedirs(d)
        body = _emr(i, rng) if kind == "emr" else _non_emr(kind, i, rng)
        with open(os.path.join(d, "main.tf"), "w") as fh:
            fh.write(f"# Module {name}: generated for emrlint benchmarks\n\n" + body)
        with open(os.path.join(d, "variables.tf"), "w") as fh:
            fh.write(_variables(VARS))
        with open(os.path.join(d, "outputs.tf"), "w") as fh:
            fh.write(f'output "name" {{\n  description = "Name of {name}"\n  value       = var.name\n}}\n\n'
                     f'output "tags" {{\n  value = var.tags\n}}\n')
    for s in range(0, modules, 10):
        d = os.path.join(out, "stacks", f"stack-{s // 10:03d}")
        os.makedirs(d)
        calls = []
        for name in names[s:s + 10]:
            calls.append(f'module "{name.replace("-", "_")}" {{\n  source = "../../modules/{name}"\n'
                         f'  name   = "{name}"\n  stage  = var.stage\n  log_uri = "s3://acme-logs/{name}/"\n'
                         f'  tags   = local.tags\n}}\n')
        with open(os.path.join(d, "main.tf"), "w") as fh:
            fh.write('variable "stage" {\n  default = "prod"\n}\n\nlocals {\n  tags = { stack = "%s" }\n}\n\n'
                     % os.path.basename(d) + "\n".join(calls))


PROVIDER = "registry.terraform.io/hashicorp/aws"


def _plan_resources(m: int, rng: random.Random) -> List[Dict[str, Any]]:
    """(type, name, values) of the resources of one planned module."""
    name = f"etl-{m:04d}"
    group = {"autoscaling_policy": None, "bid_price": "", "ebs_config": [
        {"iops": None, "size": 64, "throughput": None, "type": "gp3", "volumes_per_instance": 1}],
        "instance_count": rng.randint(2, 8), "instance_type": rng.choice(["r6g.2xlarge", "m6g.2xlarge", "r5.4xlarge"]),
        "name": None}
    cluster = {
        "additional_info": None, "applications": ["Hadoop", "Spark"], "auto_termination_policy": [
            {"idle_timeout": 3600}], "autoscaling_role": None,
        "bootstrap_action": [{"args": [f"pandas==2.{rng.randint(0, 2)}.2"], "name": "libs",
                              "path": f"s3://acme-artifacts/bootstrap/install-{m}.sh"}],
        "configurations": None, "configurations_json": json.dumps(
            [{"Classification": "spark-defaults", "Properties": {"spark.dynamicAllocation.enabled": "true"}}]),
        "core_instance_fleet": [], "core_instance_group": [group], "custom_ami_id": None, "ebs_root_volume_size": 32,
        "ec2_attributes": [{"additional_master_security_groups": None, "additional_slave_security_groups": None,
                            "instance_profile": "EMR_EC2_DefaultRole", "key_name": None,
                            "service_access_security_group": None, "subnet_id": f"subnet-{m:017x}", "subnet_ids": None}],
        "keep_job_flow_alive_when_no_steps": True, "kerberos_attributes": [], "list_steps_states": None,
        "log_encryption_kms_key_id": None, "log_uri": f"s3://acme-emr-logs/{name}/", "master_instance_fleet": [],
        "master_instance_group": [dict(group, instance_count=1, instance_type="m6g.xlarge")], "name": name,
        "placement_group_config": None, "release_label": "emr-7.1.0", "security_configuration": None,
        "service_role": "EMR_DefaultRole", "step": [], "tags": {"team": "data", "module": name},
        "tags_all": {"team": "data", "module": name}, "termination_protection": False,
        "unhealthy_node_replacement": None, "visible_to_all_users": True,
    }
    out = [("aws_emr_cluster", "this", cluster),
           ("aws_emr_instance_group", "task", {"autoscaling_policy": None, "bid_price": "0.30", "cluster_id": None,
                                              "configurations_json": None, "ebs_config": [], "ebs_optimized": True,
                                              "instance_count": 4, "instance_type": "r6g.2xlarge", "name": "task"})]
    for j in range(6):
        out.append(("aws_s3_bucket", f"data{j}", {"bucket": f"acme-{name}-{j}", "force_destroy": False,
                                                  "tags": {"module": name}, "tags_all": {"module": name}}))
        out.append(("aws_iam_role", f"role{j}", {"name": f"{name}-role-{j}", "assume_role_policy": json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "elasticmapreduce.amazonaws.com"}}]}),
            "max_session_duration": 3600, "path": "/", "tags": {"module": name}}))
        out.append(("aws_security_group", f"sg{j}", {"name": f"{name}-sg-{j}", "description": "EMR nodes",
                                                     "vpc_id": f"vpc-{m:017x}", "ingress": [{
                                                         "cidr_blocks": ["10.0.0.0/8"], "from_port": 443,
                                                         "to_port": 443, "protocol": "tcp", "description": "",
                                                         "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                                                         "security_groups": [], "self": False}],
                                                     "egress": [], "tags": {"module": name}}))
    return out


def generate_plan(out: str, megabytes: float = 20, seed: int = 7) -> int:
    """Write a plan of about ``megabytes`` MB to ``out``; return the number of module calls."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    modules: List[Dict[str, Any]] = []
    changes: List[Dict[str, Any]] = []
    calls: Dict[str, Any] = {}
    size = 2_000
    m = 0
    while size < target:
        call = f"etl_{m:04d}"
        prefix = f"module.{call}"
        resources = []
        config_resources = []
        for type_, name, values in _plan_resources(m, rng):
            address = f"{prefix}.{type_}.{name}"
            resources.append({"address": address, "mode": "managed", "type": type_, "name": name,
                              "provider_name": PROVIDER, "schema_version": 0, "values": values,
                              "sensitive_values": {}})
            unknown = {"id": True, "arn": True}
            if type_ == "aws_emr_instance_group":
                unknown["cluster_id"] = True
            changes.append({"address": address, "module_address": prefix, "mode": "managed", "type": type_,
                            "name": name, "provider_name": PROVIDER, "change": {
                                "actions": ["create"], "before": None, "after": values, "after_unknown": unknown,
                                "before_sensitive": False, "after_sensitive": {}}})
            expressions = {"cluster_id": {"references": ["aws_emr_cluster.this.id", "aws_emr_cluster.this"]}}                 if type_ == "aws_emr_instance_group" else {"name": {"constant_value": values.get("name")}}
            config_resources.append({"address": f"{type_}.{name}", "mode": "managed", "type": type_, "name": name,
                                     "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})
        module = {"resources": resources, "address": prefix}
        modules.append(module)
        calls[call] = {"source": "./modules/etl", "module": {"resources": config_resources}}
        size += sum(len(json.dumps(part, separators=(",", ":"))) + 1
                    for part in [module, *changes[-len(resources):], calls[call]]) + len(call) + 3
        m += 1
    plan = {"format_version": "1.2", "terraform_version": "1.9.2", "variables": {"region": {"value": "us-east-1"}},
            "planned_values": {"root_module": {"child_modules": modules}}, "resource_changes": changes,
            "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
                              "root_module": {"module_calls": calls}},
            "timestamp": "2026-01-05T10:00:00Z", "errored": False}
    with open(out, "w") as fh:
        json.dump(plan, fh, separators=(",", ":"))
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?")
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--emr-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plan", metavar="OUT.json", help="write a Terraform plan instead of a tree")
    parser.add_argument("--plan-mb", type=float, default=20)
    args = parser.parse_args()
    if args.plan:
        generate_plan(args.plan, args.plan_mb, args.seed)
    elif args.out:
        generate(args.out, args.modules, args.emr_share, args.seed)
    else:
        parser.error("give OUT_DIR or --plan OUT.json")


if __name__ == "__main__":
    main()
