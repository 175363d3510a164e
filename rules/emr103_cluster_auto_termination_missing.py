"""A long-running EMR cluster has no auto-termination policy, or an idle timeout above policy.

A cluster that stays up when it has no steps left (`keep_job_flow_alive_when_no_steps`
true, which is Terraform's default) keeps billing for every instance, EMR surcharge and
EBS volume until someone terminates it. Interactive and "shared" clusters are routinely
forgotten over a weekend or a holiday. An auto-termination policy makes EMR terminate the
cluster after it has been idle (no running steps, jobs or notebook activity) for
`idle_timeout` seconds; a timeout of many hours gives little protection.

## What fires

* a cluster that stays alive without steps and has no `auto_termination_policy`
  (CloudFormation and RunJobFlow: `AutoTerminationPolicy`), also when a
  `dynamic "auto_termination_policy"` block provably produces nothing;
* an `auto_termination_policy` whose `idle_timeout` is above the parameter
  `max_idle_timeout_seconds` (default 14400 s, four hours); the finding points where the
  value is written (the attribute, a variable default, a module input, a tfvars line, a
  CloudFormation parameter `Default`).

A cluster stays alive without steps when `keep_job_flow_alive_when_no_steps` is true, or
is absent in Terraform (the provider's default is true) or CloudFormation
(`Instances.KeepJobFlowAliveWhenNoSteps`), or when an `aws emr create-cluster
--cli-input-json` document does not set `AutoTerminate`. A Step Functions `createCluster`
task that sets `KeepJobFlowAliveWhenNoSteps: true` fires too even when a later state
terminates the cluster: an execution that is stopped, times out or fails outside the
`Catch` leaves the cluster running, and the policy is the safety net.

## What does not fire

* transient clusters: `keep_job_flow_alive_when_no_steps = false`, a RunJobFlow request
  (or Step Functions `createCluster`) that does not set `KeepJobFlowAliveWhenNoSteps` (the
  API's default is false), a create-cluster document with `AutoTerminate: true`;
* an unknown `keep_job_flow_alive_when_no_steps` or `idle_timeout` (a variable without a
  default, a `!Ref` to a parameter without `Default`, a JSONPath parameter): unknown is
  never missing;
* a `dynamic "auto_termination_policy"` block whose `for_each` is unknown;
* an `auto_termination_policy` without `idle_timeout` (EMR applies its default of one hour).

## How to fix

Add an auto-termination policy with an idle timeout that suits the cluster's use (one
hour is a good default for interactive clusters), or make the cluster transient
(`keep_job_flow_alive_when_no_steps = false`) when it only runs steps:

```hcl
auto_termination_policy {
  idle_timeout = 3600
}
```

## Failing example

```hcl
resource "aws_emr_cluster" "analytics" {
  name          = "analytics-adhoc"
  release_label = "emr-7.1.0"
  applications  = ["Spark", "JupyterEnterpriseGateway"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/analytics-adhoc/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "analytics" {
  name          = "analytics-adhoc"
  release_label = "emr-7.1.0"
  applications  = ["Spark", "JupyterEnterpriseGateway"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/analytics-adhoc/"

  auto_termination_policy {
    idle_timeout = 3600
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }

  core_instance_group {
    instance_type  = "r6g.2xlarge"
    instance_count = 4
  }
}
```

## Failing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AnalyticsCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: analytics-adhoc
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      LogUri: s3://acme-emr-logs/analytics-adhoc/
      Instances:
        KeepJobFlowAliveWhenNoSteps: true
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r6g.2xlarge
```

## Passing example (CloudFormation)

```yaml
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AnalyticsCluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: analytics-adhoc
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      LogUri: s3://acme-emr-logs/analytics-adhoc/
      AutoTerminationPolicy:
        IdleTimeout: 3600
      Instances:
        KeepJobFlowAliveWhenNoSteps: true
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
        CoreInstanceGroup:
          InstanceCount: 4
          InstanceType: r6g.2xlarge
```

## References

* [Using an auto-termination policy for Amazon EMR cluster cleanup](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-auto-termination-policy.html)
* [Control cluster termination](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-plan-termination.html)
* [RunJobFlow `KeepJobFlowAliveWhenNoSteps` (API default false)](https://docs.aws.amazon.com/emr/latest/APIReference/API_JobFlowInstancesConfig.html)
* [Terraform `aws_emr_cluster`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_cluster)
"""

from emrlint.model import known_number
from emrlint.rulekit import Param, Problem
from emrlint.rules._capacity import keep_alive_reason, spell, stays_alive

ID = "EMR103"
NAME = "cluster-auto-termination-missing"
SEVERITY = "warning"
KIND = "cluster"
PARAMS = {
    "max_idle_timeout_seconds": Param(
        "integer", 14400,
        "Longest idle timeout (seconds) an auto-termination policy may set before the cluster is terminated.",
        minimum=60, maximum=604800, accepted="60 to 604800 (the idle timeouts AWS accepts)",
    ),
}


def _example(cluster):
    if spell(cluster, "tf", "doc") == "doc":
        return "AutoTerminationPolicy: {IdleTimeout: 3600}"
    return "auto_termination_policy { idle_timeout = 3600 }"


def check(cluster, ctx):
    if stays_alive(cluster) is not True:
        return
    policy_name = spell(cluster, "auto_termination_policy", "AutoTerminationPolicy")
    timeout_name = spell(cluster, "idle_timeout", "IdleTimeout")
    blocks = cluster.body.sections("auto_termination_policy")
    if any(b.maybe for b in blocks):
        return
    if not blocks:
        yield Problem(
            cluster.loc,
            f"Cluster stays up when it has no steps ({keep_alive_reason(cluster)}) and has no {policy_name}; "
            "an idle or forgotten cluster bills every instance around the clock. "
            f"Add {_example(cluster)} (seconds idle before EMR terminates it), or make the cluster transient.",
            key="auto_termination_policy",
        )
        return
    limit = known_number(ctx.params.get("max_idle_timeout_seconds"))
    idle = blocks[0].field("idle_timeout")
    seconds = known_number(idle.value)
    if limit is None or seconds is None or seconds <= limit:
        return
    yield Problem(
        idle.origin,
        f"{policy_name}.{timeout_name} is {seconds:g} s ({seconds / 3600:.3g} h), above this repository's limit of "
        f"{limit:g} s; an idle cluster keeps billing for all of that time before EMR terminates it. "
        f"Set {timeout_name} to {limit:g} or less (3600 is a good default).",
        key="auto_termination_policy.idle_timeout",
    )
