"""EMR block public access is turned off, or lets clusters open ports other than 22 to the internet.

Block public access is an account- and region-wide guardrail: EMR refuses to launch a
cluster whose security groups allow inbound traffic from `0.0.0.0/0` or `::/0`, except
on the port ranges listed as exceptions (port 22 by default). Turning it off, or adding
exceptions such as 8088 (YARN), 8443 or 18080 (Spark history), means one careless
security group rule publishes a cluster's web interfaces, which run code on the cluster
for whoever reaches them, to the whole internet.

## What fires

* an `aws_emr_block_public_access_configuration` whose
  `block_public_security_group_rules` is `false`, absent or null (a
  PutBlockPublicAccessConfiguration request, `aws emr put-block-public-access-configuration
  --cli-input-json`, with `BlockPublicSecurityGroupRules: false`);
* with the block on, a `permitted_public_security_group_rule_range`
  (`PermittedPublicSecurityGroupRuleRanges`) that is not exactly port 22 (`min_range =
  22`, `max_range = 22`): one finding per such range, at its `min_range` where it was
  written (for a `dynamic` block, the element of the `for_each` collection: a variable
  default, a tfvars line).

## What does not fire

* `block_public_security_group_rules = true` with no exception, or with only port 22;
* a value or a range emrlint cannot evaluate (a variable without default, a `dynamic`
  range block whose `for_each` is unknown): unknown is never bad.

There is no CloudFormation resource for block public access; the setting lives in the
account (API, CLI, Terraform).

## How to fix

```hcl
resource "aws_emr_block_public_access_configuration" "this" {
  block_public_security_group_rules = true

  permitted_public_security_group_rule_range {
    min_range = 22
    max_range = 22
  }
}
```

Reach cluster web interfaces through an SSH tunnel, Session Manager, a VPN or an
internal load balancer instead of opening their ports.

## Anchor checks

* checkov **CKV_AWS_390** "Ensure AWS EMR block public access setting is enabled" (fails
  when `block_public_security_group_rules` is not `true`; it does not look at the
  permitted port ranges).
* AWS Security Hub **EMR.2** "Amazon EMR block public access setting should be enabled"
  (which also accepts only port 22 as an exception).

## Failing example

```hcl
resource "aws_emr_block_public_access_configuration" "account" {
  block_public_security_group_rules = true

  permitted_public_security_group_rule_range {
    min_range = 22
    max_range = 22
  }

  permitted_public_security_group_rule_range {
    min_range = 8443
    max_range = 8443
  }
}
```

## Passing example

```hcl
resource "aws_emr_block_public_access_configuration" "account" {
  block_public_security_group_rules = true

  permitted_public_security_group_rule_range {
    min_range = 22
    max_range = 22
  }
}
```

## Failing example (PutBlockPublicAccessConfiguration request)

```json
{
  "BlockPublicAccessConfiguration": {
    "BlockPublicSecurityGroupRules": false
  }
}
```

## Passing example (PutBlockPublicAccessConfiguration request)

```json
{
  "BlockPublicAccessConfiguration": {
    "BlockPublicSecurityGroupRules": true,
    "PermittedPublicSecurityGroupRuleRanges": [
      {"MinRange": 22, "MaxRange": 22}
    ]
  }
}
```

## References

* [Using Amazon EMR block public access](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-block-public-access.html)
* [PutBlockPublicAccessConfiguration API](https://docs.aws.amazon.com/emr/latest/APIReference/API_PutBlockPublicAccessConfiguration.html)
* [Security Hub controls for Amazon EMR (EMR.2)](https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html)
* [Terraform `aws_emr_block_public_access_configuration`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_block_public_access_configuration)
"""

from emrlint.model import is_true, known_number
from emrlint.rulekit import Problem, quote
from emrlint.rules._security import is_terraform, spelled

ID = "EMR406"
NAME = "block-public-access-disabled"
SEVERITY = "error"
KIND = "block_public_access"

RANGE = "permitted_public_security_group_rule_range"


def check(bpa, ctx):
    f = bpa.field("block_public_security_group_rules")
    if f.unknown:
        return
    if not is_true(f.value):
        if f.value is None:
            state = "evaluates to null" if f.present else "is not set"
        else:
            state = f"is {quote(f.value)}"
        name = spelled(bpa, "block_public_security_group_rules")
        yield Problem(
            f.loc,
            f"EMR block public access {name} {state}: any cluster in the account and region may launch with "
            "security groups open to 0.0.0.0/0, exposing its web interfaces to the internet. "
            f"Set {name} {'=' if is_terraform(bpa) else 'to'} true and permit at most port 22.",
            key="block_public_security_group_rules",
        )
        return
    try:
        ranges = bpa.body.sections(RANGE)
    except Exception:
        return
    for block in ranges:
        if block.maybe or getattr(block, "unknown", False):
            continue
        low_f, high_f = block.field("min_range"), block.field("max_range")
        if low_f.unknown or high_f.unknown:
            continue
        low, high = known_number(low_f.value), known_number(high_f.value)
        if low is None and high is None:
            continue
        if low is None:
            low = high
        if high is None:
            high = low
        if low == 22 and high == 22:
            continue
        ports = f"port {_port(low)}" if low == high else f"ports {_port(low)}-{_port(high)}"
        written = low_f if low_f.present and low_f.value is not None else high_f
        yield Problem(
            written.origin if written.present and written.value is not None else block.loc,
            f"EMR block public access permits {ports} to be opened to 0.0.0.0/0: a cluster may then publish services "
            "on them (YARN, Spark, Livy, JupyterHub web interfaces run code for whoever reaches them) to the internet. "
            "Remove the exception and keep at most port 22 "
            f"({'min_range = 22, max_range = 22' if is_terraform(bpa) else 'MinRange 22, MaxRange 22'}).",
            key=f"{RANGE}[{_port(low)}-{_port(high)}]",
        )


def _port(value):
    return str(int(value)) if float(value).is_integer() else str(value)


