"""The EMR release label is older than the repository allows, or not on its allow-list.

Old EMR releases carry old Spark, Hadoop, Python and JDK versions, with their
known bugs and CVEs, and miss years of performance work (EMR 6.x and 7.x run
Spark jobs markedly faster than 5.x at the same instance cost). Pinning a label
(EMR201) makes a platform reproducible; this rule keeps the pinned platform
inside the range the organisation supports, so upgrades happen deliberately
rather than never.

Labels are compared numerically: `emr-6.10.0` is newer than `emr-6.9.0`.

## What fires

* a full release label (`emr-MAJOR.MINOR.PATCH`) older than the parameter
  `min_release_label` (default `emr-6.0.0`);
* when the repository sets `allowed_release_labels`, a label that is not in
  that list.

Applies to EMR on EC2 clusters (Terraform, plans, CloudFormation, RunJobFlow
requests, Step Functions `createCluster` tasks), EMR Serverless applications,
and EMR on EKS job runs and `aws_emrcontainers_job_template`s.

## What does not fire

* labels emrlint cannot evaluate (a variable without default, a JSONPath
  parameter, a data source), absent labels and labels that are not a full
  `emr-MAJOR.MINOR.PATCH` version: EMR201 reports those;
* EMR Serverless job runs, which run on their application's release.

## How to fix

Upgrade to a supported release (for example `release_label = "emr-7.1.0"`)
where the finding points (the resource, the variable default, the module
input or the tfvars file), after testing the jobs on it; or, if the old
release is a deliberate exception, suppress the finding with the reason.

## Failing example

```hcl
resource "aws_emr_cluster" "legacy_hive" {
  name          = "legacy-hive"
  release_label = "emr-5.36.1"
  applications  = ["Hadoop", "Hive"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/legacy-hive/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "legacy_hive" {
  name          = "legacy-hive"
  release_label = "emr-6.15.0"
  applications  = ["Hadoop", "Hive"]
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/legacy-hive/"

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  AdHocApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: ad-hoc-analytics
      ReleaseLabel: emr-5.36.0
      Type: SPARK
```

## Passing example (CloudFormation)

```yaml
Resources:
  AdHocApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: ad-hoc-analytics
      ReleaseLabel: emr-6.10.0
      Type: SPARK
```

## References

* [Amazon EMR release versions](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-components.html)
* [Amazon EMR standard support policy for releases](https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-standard-support.html)
* [EMR Serverless release versions](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-versions.html)
"""


from emrlint.rulekit import Param, Problem, quote, release_label
from emrlint.rules.emr201_release_label_unpinned import FULL_LABEL
from emrlint.lazyre import lazy_re

ID = "EMR203"
NAME = "release-label-below-policy"
SEVERITY = "warning"
KIND = ("cluster", "serverless_application", "job_run")
PARAMS = {
    "min_release_label": Param("string", "emr-6.0.0", "Oldest release label allowed (compared numerically).",
                               check=release_label, accepted="a full release label such as emr-6.15.0"),
    "allowed_release_labels": Param(
        "list", [], "When not empty, the only release labels allowed (exact labels, such as \"emr-7.1.0\").",
        check=release_label, accepted="a list of full release labels such as emr-7.1.0"),
}

_VERSION = lazy_re(r"^(?:emr-)?(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?$")  # longer is no version


def version(label):
    """``"emr-6.10.0"`` -> (6, 10, 0); ``"emr-6"`` -> (6, 0, 0) (for parameters); None otherwise."""
    if not isinstance(label, str):
        return None
    m = _VERSION.match(label.strip().lower())
    return tuple(int(g or 0) for g in m.groups()) if m else None


def check(resource, ctx):
    if resource.kind == "job_run" and getattr(resource, "platform", "") != "eks":
        return  # an EMR Serverless job runs on its application's release
    f = resource.field("release_label")
    label = f.value
    if not isinstance(label, str) or not FULL_LABEL.match(label.strip()):
        return  # unknown, absent or not a full label: EMR201's business
    label = label.strip()
    allowed = ctx.params.get("allowed_release_labels")
    if isinstance(allowed, list) and allowed:
        allowed = [a.strip() for a in allowed if isinstance(a, str)]
        if label not in allowed:
            shown = ", ".join(quote(a) for a in allowed[:5]) + (", ..." if len(allowed) > 5 else "")
            yield Problem(
                f.origin,
                f"release_label {quote(label)} is not one of this repository's allowed_release_labels ({shown}); "
                "releases outside the supported set miss its fixes and are not tested with its jobs. "
                f"Use an allowed label (for example \"{max(allowed, key=lambda a: version(a) or (0,))}\").",
                key="release_label",
            )
            return
    minimum = ctx.params.get("min_release_label")
    floor = version(minimum)
    current = version(label)
    if floor is None or current is None or current >= floor:
        return
    yield Problem(
        f.origin,
        f"release_label {quote(label)} is older than this repository's min_release_label {quote(minimum)}; old releases carry "
        "old Spark/Hadoop/JDK versions with known bugs and CVEs and run the same jobs slower. "
        f"Upgrade to {minimum} or later, after testing the jobs on it.",
        key="release_label",
    )
