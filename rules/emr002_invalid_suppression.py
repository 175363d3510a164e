"""A suppression comment names an unknown rule or gives no reason.

Suppressions are written in HCL comments (`#` or `//`), either on the line
above the resource or attribute they silence, or at the end of the offending
line:

```hcl
# emrlint:ignore EMR102 nightly batch cluster, Spot interruptions break the SLA
resource "aws_emr_cluster" "batch" {
  log_uri = "s3://logs/emr/" # emrlint:ignore EMR301,EMR201 reason text
}
```

One or more rule IDs (or rule names) follow `emrlint:ignore`, separated by
commas or spaces, then the reason. A suppression above a block silences the
findings inside the whole block; one above a `module` call silences the findings
in that module instance. A suppression without a reason, or naming a rule that
does not exist, is reported here so that silenced findings stay explained and
typos do not silently disable nothing. (A suppression without a reason still
silences the rules it names.)

## How to fix

Add the reason after the rule IDs, or correct the rule ID (`emrlint rules`
lists them).

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
