"""A Kerberos password of an EMR cluster is written in the code.

`kdc_admin_password` is the password of the cluster KDC's administrator: whoever has it
can create principals and impersonate any user or service of the cluster.
`ad_domain_join_password` joins machines to the Active Directory domain, and
`cross_realm_trust_principal_password` is the secret of the trust between the cluster's
realm and the corporate one. Written as a literal, as a variable's default, in a tfvars
file or as a CloudFormation parameter's `Default`, the password is in the repository's
history, in every clone and CI log, and in the Terraform state.

## What fires

* `kerberos_attributes` `kdc_admin_password`, `ad_domain_join_password` or
  `cross_realm_trust_principal_password` (CloudFormation / RunJobFlow
  `KerberosAttributes.KdcAdminPassword`, `ADDomainJoinPassword`,
  `CrossRealmTrustPrincipalPassword`) whose value emrlint can evaluate to a non-empty
  string: a literal in the resource, a variable default, a module input, a tfvars line,
  a local, or a CloudFormation parameter `Default`. The finding points where the secret
  is written (the variable's `default`, the tfvars line, the module input, the
  parameter's `Default`).

## What does not fire

* a password that comes from somewhere emrlint cannot evaluate: a variable without
  default and without a value in the scanned tfvars (given by the pipeline,
  `TF_VAR_...`), a data source (`aws_secretsmanager_secret_version`,
  `aws_ssm_parameter`), a `random_password`, a CloudFormation parameter without
  `Default` (`NoEcho: true`), a Step Functions `"KdcAdminPassword.$"` path;
* a CloudFormation dynamic reference (`{{resolve:secretsmanager:...}}`,
  `{{resolve:ssm-secure:...}}`);
* an empty string.

## How to fix

Keep the password in AWS Secrets Manager (or SSM Parameter Store SecureString) and read it
at apply time: `kdc_admin_password =
data.aws_secretsmanager_secret_version.kdc.secret_string` in Terraform, or
`KdcAdminPassword: '{{resolve:secretsmanager:emr/kdc-admin:SecretString:password}}'` in
CloudFormation. Then rotate the password that was committed: it stays in the history.

## Anchor checks

* cfn_nag **F63** (EMR cluster `KerberosAttributes.ADDomainJoinPassword` in plain text),
  **F64** (`KdcAdminPassword` in plain text) and **F65**
  (`CrossRealmTrustPrincipalPassword` in plain text), which also flag a parameter with a
  default. emrlint applies the same rule to Terraform (literals, variable defaults,
  tfvars, module inputs) and RunJobFlow requests.

## Failing example

```hcl
variable "kdc_admin_password" {
  type      = string
  sensitive = true
  default   = "Emr-Kdc-Admin-2024!"
}

resource "aws_emr_cluster" "secure" {
  name                   = "secure-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  security_configuration = "emr-kerberos"

  kerberos_attributes {
    realm              = "EC2.INTERNAL"
    kdc_admin_password = var.kdc_admin_password
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
data "aws_secretsmanager_secret_version" "kdc" {
  secret_id = "emr/kdc-admin"
}

resource "aws_emr_cluster" "secure" {
  name                   = "secure-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  security_configuration = "emr-kerberos"

  kerberos_attributes {
    realm              = "EC2.INTERNAL"
    kdc_admin_password = data.aws_secretsmanager_secret_version.kdc.secret_string
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Failing example (CloudFormation)

```yaml
Parameters:
  KdcAdminPassword:
    Type: String
    NoEcho: true
    Default: Emr-Kdc-Admin-2024!
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: secure-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      SecurityConfiguration: emr-kerberos
      KerberosAttributes:
        Realm: EC2.INTERNAL
        KdcAdminPassword: !Ref KdcAdminPassword
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: secure-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      SecurityConfiguration: emr-kerberos
      KerberosAttributes:
        Realm: EC2.INTERNAL
        KdcAdminPassword: '{{resolve:secretsmanager:emr/kdc-admin:SecretString:password}}'
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Kerberos settings for clusters (KDC admin password, cross-realm trust, AD join)](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos-cluster-configuration.html)
* [KerberosAttributes (API reference)](https://docs.aws.amazon.com/emr/latest/APIReference/API_KerberosAttributes.html)
* [CloudFormation dynamic references to Secrets Manager](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html)
* [Terraform: protect sensitive input variables](https://developer.hashicorp.com/terraform/tutorials/configuration-language/sensitive-variables)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import is_terraform, spelled

ID = "EMR410"
NAME = "kerberos-secret-in-code"
SEVERITY = "error"
KIND = "cluster"

SECRETS = {
    "kdc_admin_password": "the KDC administrator password (whoever has it can create principals and impersonate "
                          "any user of the cluster)",
    "ad_domain_join_password": "the Active Directory domain-join password",
    "cross_realm_trust_principal_password": "the cross-realm trust password (the secret of the trust with the "
                                            "corporate realm)",
}


def check(cluster, ctx):
    try:
        blocks = cluster.body.sections("kerberos_attributes")
    except Exception:
        return
    seen = set()
    for block in blocks:
        if getattr(block, "unknown", False):
            continue
        for name, what in SECRETS.items():
            f = block.field(name)
            value = f.value
            if not isinstance(value, str) or not value.strip() or name in seen:
                continue
            if value.strip().startswith("{{resolve:"):
                continue  # a CloudFormation dynamic reference: resolved from Secrets Manager / SSM at deploy time
            seen.add(name)
            if is_terraform(cluster):
                where = "the repository, its history and the Terraform state"
                fix = "a data.aws_secretsmanager_secret_version"
            else:
                where = "the repository, its history and every copy of the template or request"
                fix = "a '{{resolve:secretsmanager:...}}' dynamic reference"
            yield Problem(
                f.origin,
                f"{spelled(cluster, 'kerberos_attributes.' + name)} is written in the code: {what} ends up in "
                f"{where}. Read it from AWS Secrets Manager at deploy time ({fix}) and rotate the committed password.",
                key=f"kerberos_attributes.{name}",
                secret=True,
            )
