"""A suppression silences no finding: the problem was fixed, or the comment is in the wrong place.

A suppression is a promise that a finding is known and accepted. When the finding
goes away (someone fixed the configuration) the comment stays behind and would
silence the next, different problem of the same rule in that block without anyone
deciding so. When the comment is not where the finding points (a line too low, on
the wrong block), it silences nothing and the finding it was meant for is still
reported, which looks like emrlint ignoring the comment.

## What fires

* a valid suppression (`# emrlint:ignore EMR301 reason`, a `"//"` key in a JSON
  document, a CloudFormation `Metadata.emrlint.ignore` entry) of a rule that is
  enabled in this scan, where that rule reports nothing the suppression covers:
  nothing in the block or attribute on the line below the comment, on the line the
  comment ends, in the module call below it, or in the CloudFormation resource;
* one finding per rule of the suppression that silences nothing, at the comment.

## What does not fire

* a suppression of a rule that is not enabled in this scan (`--select`, `--ignore`,
  `select:`/`ignore:` in the config): whether it would silence something is unknown;
* a suppression that silences at least one finding of each rule it names;
* a comment that is not a suppression at all, or a malformed one (EMR002 reports those).

## How to fix

Remove the rule ID from the comment (or the whole comment) when the finding was
fixed; otherwise move the comment to the line above the block or attribute the
finding points at, or to the end of that line.

## Failing example

```hcl
# emrlint:ignore EMR301 logs are shipped by the CloudWatch agent (LOG-212)
resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/etl/"
}
```

## Passing example

```hcl
# emrlint:ignore EMR301 logs are shipped by the CloudWatch agent (LOG-212)
resource "aws_emr_cluster" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
}
```

## Failing example (RunJobFlow JSON)

```json
{
  "//": "emrlint:ignore EMR201 the launcher pins the label at run time (PLAT-77)",
  "Name": "nightly",
  "ReleaseLabel": "emr-7.1.0",
  "LogUri": "s3://acme-emr-logs/nightly/",
  "Instances": {"InstanceGroups": [{"InstanceRole": "MASTER", "InstanceType": "m6g.xlarge", "InstanceCount": 1}]}
}
```
"""

ID = "EMR003"
NAME = "unused-suppression"
SEVERITY = "warning"
# Reported by the suppression handling, not by a check() over the model.
# The rules a suppression names must run for it to be judged: tests and docs examples
# enable them with fixtures/EMR003/select.json.
