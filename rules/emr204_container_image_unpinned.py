"""An EMR Serverless custom image is not pinned to a version (no tag, or `latest`).

A custom image carries the job's Python packages, JARs and native libraries. An
image referenced without a tag (which means `latest`) or with the tag `latest`
is whatever was pushed last: the application picks up a new image when it next
starts (and when it is updated), so the same configuration runs different code
from one day to the next, and a bad push breaks every job at once. A version
tag, or better a digest (`@sha256:...`, which nobody can move), makes the
platform reproducible and rollbacks a one-line change.

## What fires

* `image_configuration { image_uri }` of an `aws_emrserverless_application`
  (CloudFormation `ImageConfiguration.ImageUri`, CreateApplication
  `imageConfiguration.imageUri`), and the per-worker-type images
  (`WorkerTypeSpecifications.<Driver|Executor>.ImageConfiguration.ImageUri`),
  when the URI has no tag or the tag `latest`; also when only the tag is known
  (`"${aws_ecr_repository.spark.repository_url}:latest"`);
* with the parameter `require_image_digest`, any image not pinned by
  `@sha256:` digest.

## What does not fire

* an image URI emrlint cannot evaluate, or whose tag comes from a variable
  without default (`"${local.repo}:${var.image_tag}"`);
* any image pinned by digest (`...@sha256:...`).

## How to fix

Tag each image build with an immutable version (a release number or the git
commit), enable tag immutability on the ECR repository, and reference that
tag, or the digest: `image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark-etl:2024.06.1"`.

## Failing example

```hcl
resource "aws_emrserverless_application" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  image_configuration {
    image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark-etl:latest"
  }

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "1000 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "etl" {
  name          = "etl"
  release_label = "emr-7.1.0"
  type          = "spark"

  image_configuration {
    image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark-etl:2024.06.1"
  }

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "1000 GB"
  }
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EtlApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: etl
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      WorkerTypeSpecifications:
        Driver:
          ImageConfiguration:
            ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark-etl-driver
```

## Passing example (CloudFormation)

```yaml
Resources:
  EtlApplication:
    Type: AWS::EMRServerless::Application
    Properties:
      Name: etl
      ReleaseLabel: emr-7.1.0
      Type: SPARK
      WorkerTypeSpecifications:
        Driver:
          ImageConfiguration:
            ImageUri: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/spark-etl-driver@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
```

## References

* [Customizing an EMR Serverless image](https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/application-custom-image.html)
* [EMR Serverless API: ImageConfigurationInput](https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_ImageConfigurationInput.html)
* [Amazon ECR: image tag mutability](https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html)
"""

from emrlint.rulekit import Param, Problem, is_unknown
from emrlint.values import shown

ID = "EMR204"
NAME = "container-image-unpinned"
SEVERITY = "warning"
KIND = "serverless_application"
PARAMS = {
    "require_image_digest": Param(
        "bool", False, "Require every image to be pinned by @sha256: digest (a tag can be moved; a digest cannot)."),
}


def _reference(value):
    """(known, digest, tag) of an image URI: the tag is None when there is none; ``known`` is
    False when the part that decides (the last path component) cannot be evaluated."""
    if is_unknown(value):
        parts = value.parts or ()
        tail = parts[-1] if parts else None
        if not isinstance(tail, str):
            return False, False, None
        if "@sha256:" in tail:
            return True, True, None
        if "/" in tail:
            value = tail  # the last path component is fully known
        elif ":" in tail:
            return True, False, tail.rsplit(":", 1)[1]  # "${repo_url}:latest"
        else:
            return False, False, None
    if not isinstance(value, str) or not value.strip():
        return False, False, None
    uri = value.strip()
    if "@sha256:" in uri:
        return True, True, None
    last = uri.rsplit("/", 1)[-1]
    return True, False, (last.rsplit(":", 1)[1] if ":" in last else None)


def _images(app):
    """(field, key, where) of every image URI of the application."""
    for ic in app.body.sections("image_configuration"):
        yield ic.field("image_uri"), "image_configuration.image_uri", "The application image"
    specs_value = app.field("worker_type_specifications").value
    for specs in app.body.sections("worker_type_specifications"):
        names = list(specs_value) if isinstance(specs_value, dict) else []
        for name in names:
            for spec in specs.sections(str(name)):
                for ic in spec.sections("image_configuration"):
                    yield (ic.field("image_uri"), f"worker_type_specifications.{name}.image_configuration.image_uri",
                           f"The {name} worker image")


def check(app, ctx):
    require_digest = ctx.params.get("require_image_digest") is True
    for f, key, where in _images(app):
        known, digest, tag = _reference(f.value)
        if not known or digest:
            continue
        moving = ("the application runs different code whenever a new image is pushed and it restarts, so runs "
                  "are not reproducible")
        if tag is None:
            problem = f"has no tag, so it means whatever was pushed last: {moving}"
        elif tag.lower() == "latest":
            problem = f"uses the tag latest: {moving}"
        elif require_digest:
            problem = (f"is pinned by the tag {tag}, not by digest as this repository requires (require_image_digest): "
                       "a tag can be moved to another image, so the same configuration can run different code")
        else:
            continue
        fix = ("Reference the image by its @sha256: digest." if require_digest
               else "Reference an immutable version tag or the @sha256: digest.")
        yield Problem(f.origin, f"{where} ({shown(f.value)}) {problem}. {fix}", key=key)

