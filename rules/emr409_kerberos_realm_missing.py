"""A cluster's Kerberos attributes name no realm.

`kerberos_attributes` turns on Kerberos authentication for the cluster's Hadoop, Spark,
Hive and Livy services together with the security configuration's Kerberos settings.
The realm (`EC2.INTERNAL`, `CORP.EXAMPLE.COM`) is what the cluster's KDC issues
principals in; without it the cluster either fails to launch or is left without the
authentication the configuration meant to give it.

## What fires

* a `kerberos_attributes` block (CloudFormation / RunJobFlow `KerberosAttributes`) without
  `realm` (`Realm`), or whose `realm` evaluates to null or an empty string.

## What does not fire

* a cluster without `kerberos_attributes` (see EMR411, which reports clusters with no
  Kerberos at all);
* a `realm` emrlint cannot evaluate (a variable without default, a module input it cannot
  see): unknown is never missing;
* a `kerberos_attributes` block produced by a `dynamic` block whose `for_each` is unknown.

## How to fix

Set the realm the cluster's KDC uses: `realm = "EC2.INTERNAL"` for a cluster-dedicated
KDC in the default setup, or your Active Directory realm for a cross-realm trust. It
must match the `Realm` of the security configuration's `KerberosConfiguration`.

## Anchor checks

* checkov **CKV_AWS_114** "Ensure that EMR clusters with Kerberos have Kerberos Realm set"
  (fails a `kerberos_attributes` block without a `realm` key; a `realm` that evaluates
  to null passes it and fires here).

## Failing example

```hcl
resource "aws_emr_cluster" "secure" {
  name                   = "secure-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  security_configuration = "emr-kerberos"

  kerberos_attributes {
    kdc_admin_password = data.aws_secretsmanager_secret_version.kdc.secret_string
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}

data "aws_secretsmanager_secret_version" "kdc" {
  secret_id = "emr/kdc-admin"
}
```

## Passing example

```hcl
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

data "aws_secretsmanager_secret_version" "kdc" {
  secret_id = "emr/kdc-admin"
}
```

## Failing example (CloudFormation)

```yaml
Parameters:
  KdcAdminPassword:
    Type: String
    NoEcho: true
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
        KdcAdminPassword: !Ref KdcAdminPassword
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Parameters:
  KdcAdminPassword:
    Type: String
    NoEcho: true
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

## References

* [Use Kerberos for authentication with Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos.html)
* [Kerberos settings for clusters](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos-cluster-configuration.html)
* [KerberosAttributes (API reference)](https://docs.aws.amazon.com/emr/latest/APIReference/API_KerberosAttributes.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import spelled

ID = "EMR409"
NAME = "kerberos-realm-missing"
SEVERITY = "error"
KIND = "cluster"


def check(cluster, ctx):
    try:
        blocks = cluster.body.sections("kerberos_attributes")
    except Exception:
        return
    for block in blocks:
        if block.maybe or getattr(block, "unknown", False):
            continue
        f = block.field("realm")
        if f.unknown:
            continue
        if f.value is None or (isinstance(f.value, str) and not f.value.strip()):
            state = ("evaluates to null" if f.value is None else "is empty") if f.present else "is not set"
            yield Problem(
                f.loc,
                f"{spelled(cluster, 'kerberos_attributes.realm')} {state}: without the realm the cluster's KDC has no realm to issue "
                "principals in, so the cluster fails to launch or runs without the Kerberos authentication it was "
                f"meant to have. Set the realm (for example {_example(cluster)}), matching the security configuration.",
                key="kerberos_attributes.realm",
            )
            return


def _example(cluster):
    return 'realm = "EC2.INTERNAL"' if spelled(cluster, "realm") == "realm" else "Realm: EC2.INTERNAL"
