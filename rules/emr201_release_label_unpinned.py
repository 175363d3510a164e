"""The EMR release label is missing or does not pin an exact release.

The release label decides the versions of Spark, Hadoop, Hive, Python and
every other application on the cluster. A label that is missing, picked at
apply time from `data.aws_emr_release_labels` ("the newest"), or not a full
`emr-MAJOR.MINOR.PATCH` version means the same configuration builds a
different platform next month: jobs change behaviour, dependencies break, and
nobody changed a line.

## What fires

* `release_label` absent, or evaluating to null;
* a value that comes from a `data "aws_emr_release_labels"` data source;
* a value that is not a full label: `emr-7`, `emr-7.x`, `emr-7.*`, `latest`,
  and the floating `emr-X.Y.Z-latest` labels of EMR on EKS (its dated labels,
  such as `emr-6.15.0-20231109`, are pinned and pass).

Applies to EMR on EC2 clusters (Terraform, CloudFormation, RunJobFlow requests, Step
Functions `createCluster` tasks, plans), EMR Serverless applications, and EMR on EKS job runs
and `aws_emrcontainers_job_template`s.

## What does not fire

* a value emrlint cannot evaluate (a variable without default, a module
  input it cannot see): unknown is never missing.

## How to fix

Write the exact release, for example `release_label = "emr-7.1.0"`, in the
resource, the variable default, the module input or the tfvars file the finding
points at, and upgrade it deliberately.

## Failing example

```hcl
data "aws_emr_release_labels" "latest" {
  filters {
    prefix = "emr-7"
  }
}

resource "aws_emrserverless_application" "spark" {
  name          = "etl"
  release_label = data.aws_emr_release_labels.latest.release_labels[0]
  type          = "spark"

  maximum_capacity {
    cpu    = "100 vCPU"
    memory = "500 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "spark" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "100 vCPU"
    memory = "500 GB"
  }
}
```

## References

* [About Amazon EMR releases](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-components.html)
* [Terraform data source `aws_emr_release_labels`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/emr_release_labels)
"""


from emrlint.rulekit import Problem, is_unknown, quote, refs_of
from emrlint.lazyre import lazy_re

ID = "EMR201"
NAME = "release-label-unpinned"
SEVERITY = "error"
KIND = ("cluster", "serverless_application", "job_run")

# emr-7.1.0, and EMR on EKS's dated labels emr-6.15.0-20231109 (pinned); not emr-6.15.0-latest
FULL_LABEL = lazy_re(r"^emr-\d+\.\d+\.\d+(-\d{8})?$")
_WHY = "the same configuration would build a different Spark/Hadoop platform over time"


def check(resource, ctx):
    if resource.kind == "job_run" and resource.platform != "eks":
        return  # an EMR Serverless job runs on its application's release
    f = resource.field("release_label")
    value = f.value
    if is_unknown(value):
        sources = sorted(r for r in refs_of(value) if "data.aws_emr_release_labels." in "." + r)
        if sources:
            yield Problem(
                f.origin,
                f"release_label comes from {sources[0]}, which picks whatever release is newest at apply time; "
                f'{_WHY}. Write the exact label (for example release_label = "emr-7.1.0").',
                key="release_label",
            )
        return
    if value is None:
        state = "evaluates to null" if f.present else "is not set"
        yield Problem(
            f.loc,
            f"release_label {state}; {_WHY}. Set the exact label (for example release_label = \"emr-7.1.0\").",
            key="release_label",
        )
    elif not isinstance(value, str) or not FULL_LABEL.match(value.strip()):
        yield Problem(
            f.origin,
            f"release_label {quote(value)} is not a full emr-MAJOR.MINOR.PATCH label; {_WHY}. "
            'Pin the exact release (for example "emr-7.1.0").',
            key="release_label",
        )
