"""Generate a deterministic Terraform monorepo for benchmarks.

    python bench/generate.py OUT_DIR [--modules 400] [--emr-share 0.05] [--seed 7]

The tree has ``--modules`` module directories under ``modules/`` (three files
each, about 180 lines) and one ``stacks/<name>/`` root per ten modules calling
them with ``source = "../../modules/..."``.  A share ``--emr-share`` of the
modules hold EMR resources (clusters with dynamic blocks and bootstrap
scripts, serverless applications); the rest hold the usual VPC, S3, IAM,
Lambda, RDS and ECS resources.  The same arguments always give the same tree.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
from typing import List

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--emr-share", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generate(args.out, args.modules, args.emr_share, args.seed)


if __name__ == "__main__":
    main()
