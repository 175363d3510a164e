"""An EMR Serverless application does not run in the shared VPC's private subnets.

ACME's EMR Serverless applications run in the shared VPC's private subnets: their traffic
to the internet goes through the inspected NAT gateways, and they reach the data lake
through its VPC endpoints. An application without a network configuration has no network
interfaces in the VPC at all and reaches the internet directly.

This is the Python twin of the YAML policy `acme005_serverless_private_subnets.yaml`: the
same rule, written with emrlint's rule kit, to show what a plugin module looks like.

## What fires

* an application without `network_configuration`, or with no `subnet_ids`;
* a subnet that is not one of the shared VPC's private subnets (the parameter
  `private_subnet_ids`).

## What does not fire

* subnets emrlint cannot evaluate (`module.shared_vpc.private_subnet_ids` of a remote module,
  a data source): unknown is never wrong.

## How to fix

Set `network_configuration` with the private subnets and a security group.

## Failing example

```hcl
resource "aws_emrserverless_application" "adhoc" {
  name          = "analytics-adhoc"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "100 vCPU"
    memory = "400 GB"
  }
}
```

## Passing example

```hcl
resource "aws_emrserverless_application" "adhoc" {
  name          = "analytics-adhoc"
  release_label = "emr-7.1.0"
  type          = "spark"

  maximum_capacity {
    cpu    = "100 vCPU"
    memory = "400 GB"
  }

  network_configuration {
    subnet_ids         = ["subnet-0a3c5e7f9b1d20001", "subnet-0a3c5e7f9b1d20002"]
    security_group_ids = ["sg-0d2e4f6a8b0c10001"]
  }
}
```
"""

from emrlint.rulekit import Param, Problem, is_unknown

from acme_emrlint_rules._network import subnets_outside

ID = "ACME005"
NAME = "serverless-application-outside-private-subnets"
SEVERITY = "error"
KIND = "serverless_application"
PARAMS = {
    "private_subnet_ids": Param("list", ["subnet-0a3c5e7f9b1d20001", "subnet-0a3c5e7f9b1d20002",
                                         "subnet-0a3c5e7f9b1d20003"], "The shared VPC's private subnets"),
}

WHY = ("ACME's EMR Serverless applications run in the shared VPC's private subnets, behind the inspected NAT and "
       "next to the data lake's endpoints; without a network configuration they reach the internet directly. Set "
       "network_configuration with the private subnets (subnet_ids = module.shared_vpc.private_subnet_ids) and a "
       "security group.")


def check(app, ctx):
    network = app.body.section("network_configuration")
    if network is not None and getattr(network, "unknown", False):
        return  # the whole block cannot be evaluated
    subnets = network.field("subnet_ids") if network is not None else app.body.field("network_configuration")
    if subnets.unknown:
        return
    if subnets.missing:
        yield Problem(subnets.loc, f"{WHY} (network_configuration.subnet_ids is not set)",
                      key="network_configuration.subnet_ids")
        return
    outside, _ = subnets_outside(subnets.value, ctx.params["private_subnet_ids"])
    if outside and not is_unknown(subnets.value):
        yield Problem(subnets.loc, f"{WHY} (network_configuration.subnet_ids has {', '.join(outside)}, which is not "
                      "a private subnet of the shared VPC)", key="network_configuration.subnet_ids")
