"""A Terraform module directory declares the same name twice.

Terraform reads every `.tf` and `.tf.json` file of a module directory as one
configuration, so a resource copied into a second file (`cluster.tf` and
`cluster_old.tf`), a `variable` declared in both `variables.tf` and `main.tf`, or
two `locals` blocks that define the same value make `terraform plan` fail with
"Duplicate resource configuration" (or "Duplicate variable declaration", "Duplicate
local value definition"...). Until it is fixed, nothing in the directory can be
applied, and which copy was meant is a guess.

emrlint reports the second declaration and names the first, and still checks both
declarations of a resource or module call, so a problem in either copy is not hidden
behind the other.

## What fires

* A resource, data source, module call, variable, local value or output declared twice
  in one module directory, in one file or in two. Files are taken in lexical order,
  then by line: the finding is on the later declaration.

## What does not fire

* Terraform override files (`override.tf`, `*_override.tf` and their `.tf.json`
  forms): they are merged into the declarations they name, as Terraform merges them.
* The same name in two different module directories (each directory is its own
  namespace), or a resource and a data source of the same type and name.

## How to fix

Remove the copy that is not meant, or rename one of them (and the references to it).
To change a declaration from a separate file on purpose, use an override file.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
}

resource "aws_emr_cluster" "spark" {
  name          = "spark-v2"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
}
```

## Passing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
}

resource "aws_emr_cluster" "spark_v2" {
  name          = "spark-v2"
  release_label = "emr-7.2.0"
  service_role  = "EMR_DefaultRole"
}
```

## References

* [Terraform: files and directories, override files](https://developer.hashicorp.com/terraform/language/files/override)
"""

import os

ID = "EMR004"
NAME = "duplicate-definition"
SEVERITY = "error"
# Reported by the Terraform module loader (it sees every declaration), not by a check() over the model.


def message(what: str, name: str, first_path: str, first_line: int, path: str) -> str:
    """The finding's message for a second declaration of ``name``."""
    where = f"line {first_line}" if first_path == path else f"{os.path.basename(first_path)} line {first_line}"
    checked = " emrlint checks both declarations." if what in ("resource", "module call") else ""
    return (f"The {what} {name} is declared a second time in this module directory (first at {where}): Terraform "
            f"rejects the configuration, so nothing here can be applied.{checked} Remove the copy that is not meant "
            "or rename it (an override file changes a declaration on purpose).")
