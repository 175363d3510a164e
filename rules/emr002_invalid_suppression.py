"""A suppression comment names an unknown rule, gives no reason, or is not a suppression at all.

Suppressions are written in comments (`#` or `//`) in Terraform and YAML, either on
the line above the resource or attribute they silence, or at the end of the
offending line:

```hcl
# emrlint:ignore EMR102 nightly batch cluster, Spot interruptions break the SLA
resource "aws_emr_cluster" "batch" {
  log_uri = "s3://logs/emr/" # emrlint:ignore EMR301,EMR201 reason text
}
```

One or more rule IDs (or rule names) follow `emrlint:ignore`, separated by
commas or spaces, then the reason. A suppression above a block silences the
findings inside the whole block; one above a `module` call silences the findings
in that module instance.

JSON has no comments. In a JSON document (RunJobFlow, StartJobRun, Step Functions,
CloudFormation JSON) a `"//"` key holding the same text (a string, or a list of
strings) silences the object it is in:

```json
{
  "//": "emrlint:ignore EMR201 the launcher pins the label at run time (PLAT-77)",
  "Name": "nightly",
  "ReleaseLabel": "emr-7.x"
}
```

In a CloudFormation template (YAML or JSON), a resource's `Metadata` can carry its
suppressions, like cfn_nag's and cfn-lint's:

```yaml
NightlyCluster:
  Type: AWS::EMR::Cluster
  Metadata:
    emrlint:
      ignore:
        - id: EMR301
          reason: logs go to CloudWatch through the agent (LOG-212)
        - "EMR102 HBase must not run on Spot (SLA-1432)"
```

## What fires

* a suppression without a reason (it still silences the rules it names);
* a suppression naming a rule that does not exist (a typo silences nothing);
* a *near miss*: a comment that looks meant as a suppression but does not have its
  syntax, so it silences nothing: `# emrlint: ignore EMR301 ...` (a space after the
  colon), `emrlint:ignore=EMR201`, `emrlint:ignore:EMR112`, `emrlint-ignore`,
  `emrlint:ignore-file` and other directives that do not exist, `emrlint disable`.

## What does not fire

* comments that merely mention emrlint (`# checked by emrlint in CI`);
* a valid suppression that silences nothing (EMR003 reports that).

## How to fix

Add the reason after the rule IDs, correct the rule ID (`emrlint rules`
lists them), or write the suppression in its exact syntax: `emrlint:ignore`, a
space, the rule IDs, then the reason.

## Failing example

```hcl
resource "aws_emrserverless_application" "adhoc" {
  name          = "adhoc"
  release_label = "emr-7.1.0"
  type          = "spark"

  # emrlint:ignore EMR101
  maximum_capacity {
    cpu    = "400 vCPU"
    memory = "2000 GB"
  }
}
```

## Passing example

```hcl
# emrlint:ignore EMR101 sandbox account, capped by the account vCPU quota of 64
resource "aws_emrserverless_application" "adhoc" {
  name          = "adhoc"
  release_label = "emr-7.1.0"
  type          = "spark"
}
```
"""

ID = "EMR002"
NAME = "invalid-suppression"
SEVERITY = "warning"
# Reported by the suppression handling, not by a check() over the model.
