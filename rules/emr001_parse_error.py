"""A file emrlint recognises could not be parsed.

emrlint reports a file it cannot read or parse as one finding at the parser's
line and column, and goes on scanning every other file. Nothing in that file is
checked until it parses, so a syntax error can hide other findings.

It fires for Terraform (`*.tf`, `*.tf.json`, `*.tfvars`, `*.tfvars.json`) with
a syntax error, for JSON and YAML documents that are recognisably EMR
configuration (CloudFormation, plans, job requests, Step Functions) and do not
parse, and for every file the scan discovers but could not read: binary content,
invalid UTF-8, a file that cannot be read (permissions), a pipe or device, or one
larger than the size limit (64 MB by default; `max-file-size` in the config; the
message gives both sizes).

EMR001 is always on: `--select` and `--ignore` (and `select:`/`ignore:` in the
config) do not turn it off, and its severity cannot be lowered, because a file
that was not read must never pass a gate as if it were clean.

## How to fix

Correct the syntax error at the reported position (`terraform fmt` and
`terraform validate` show the same errors), or exclude the file with
`--exclude` / `exclude:` in the config if it is not meant to be Terraform.

## Failing example

```hcl
resource "aws_emr_cluster" "spark" {
  name          = "spark"
  release_label = "emr-7.1.0"
```

## Passing example

```hcl
variable "release_label" {
  type    = string
  default = "emr-7.1.0"
}
```
"""

ID = "EMR001"
NAME = "parse-error"
SEVERITY = "error"
# Reported by the loaders themselves, not by a check() over the model.
