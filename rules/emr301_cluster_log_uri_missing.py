"""An EMR on EC2 cluster has no log_uri, so its logs die with it.

Without `log_uri`, EMR keeps step, application and node logs only on the
cluster's own disks: when the cluster terminates (and transient clusters always
do), the logs needed to debug a failed or slow job are gone. With `log_uri`,
EMR archives them to S3 every few minutes.

## What fires

* an `aws_emr_cluster` without `log_uri`;
* a `log_uri` that evaluates to null or an empty string, for example
  `log_uri = var.log_uri` where the variable defaults to `null` and no value is
  given (the finding points at the attribute and names the module call site).

## What does not fire

* a `log_uri` emrlint cannot evaluate (a variable without default, a module
  output of a remote module): unknown is never missing.

## How to fix

Set `log_uri` to an S3 prefix, for example `log_uri = "s3://my-emr-logs/clusters/"`.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_fleet {
    target_on_demand_capacity = 2
    target_spot_capacity      = 4
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/spark/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_fleet {
    target_on_demand_capacity = 2
    target_spot_capacity      = 4
    instance_type_configs {
      instance_type = "r6g.2xlarge"
    }
  }
}
```

## References

* [Configure cluster logging and debugging](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-debugging.html)
"""

from emrlint.rulekit import Problem

ID = "EMR301"
NAME = "cluster-log-uri-missing"
SEVERITY = "warning"
KIND = "cluster"


def check(cluster, ctx):
    f = cluster.field("log_uri")
    if f.unknown:
        return
    if f.missing or (isinstance(f.value, str) and not f.value.strip()):
        state = "evaluates to null" if f.missing and f.present else ("is empty" if f.present else "is not set")
        yield Problem(
            f.loc,
            f"Cluster log_uri {state}: step, application and node logs are lost when the cluster terminates. "
            'Set log_uri to an S3 prefix (for example log_uri = "s3://my-emr-logs/clusters/").',
            key="log_uri",
        )
