"""An EMR cluster has no Kerberos authentication.

Without Kerberos, the services of an EMR cluster trust whatever user name a client
claims: anyone who can reach YARN, HDFS, Hive or Livy over the network can submit jobs
and read data as any user, including `hadoop` and `hdfs`. Kerberos (a cluster-dedicated
KDC, or a trust with Active Directory) makes users and services prove who they are, and
is the basis for per-user authorization with Ranger or Lake Formation. This is an
information-level finding: short-lived, single-tenant batch clusters in a private
subnet often run without it by design.

## What fires

* a cluster without `kerberos_attributes` (CloudFormation/RunJobFlow
  `KerberosAttributes`) whose security configuration has no
  `AuthenticationConfiguration.KerberosConfiguration`: the cluster has no
  `security_configuration` at all, or names an `aws_emr_security_configuration`
  (`AWS::EMR::SecurityConfiguration`) of the scan whose JSON has no Kerberos section.
  The finding points at the security configuration's JSON when the cluster has one (that
  is where Kerberos is configured), else at the cluster.

## What does not fire

* a cluster with `kerberos_attributes`, or whose security configuration has
  `AuthenticationConfiguration.KerberosConfiguration`;
* a cluster whose security configuration cannot be evaluated or is not in the scan (a
  name literal of a configuration created elsewhere, a variable without default, a
  remote module's output), or whose configuration JSON, `AuthenticationConfiguration` or
  `KerberosConfiguration` is unknown: unknown is never missing;
* a `kerberos_attributes` block produced by a `dynamic` block whose `for_each` is unknown.

## How to fix

Add Kerberos to the security configuration and give the cluster its Kerberos attributes:

```hcl
configuration = jsonencode({
  AuthenticationConfiguration = {
    KerberosConfiguration = {
      Provider = "ClusterDedicatedKdc"
      ClusterDedicatedKdcConfiguration = { TicketLifetimeInHours = 24 }
    }
  }
  # EncryptionConfiguration = { ... }
})
```

and in the cluster `kerberos_attributes { realm = "EC2.INTERNAL" kdc_admin_password =
data.aws_secretsmanager_secret_version.kdc.secret_string }`.

## Anchor checks

* AWS Config managed rule **emr-kerberos-enabled** (checks that EMR clusters have Kerberos
  enabled). checkov, trivy and KICS have no equivalent.

## Failing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = false
      EnableInTransitEncryption = false
    }
  })
}

resource "aws_emr_cluster" "etl" {
  name                   = "nightly-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  security_configuration = aws_emr_security_configuration.etl.name

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

resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
  configuration = jsonencode({
    AuthenticationConfiguration = {
      KerberosConfiguration = {
        Provider = "ClusterDedicatedKdc"
        ClusterDedicatedKdcConfiguration = {
          TicketLifetimeInHours = 24
        }
      }
    }
  })
}

resource "aws_emr_cluster" "etl" {
  name                   = "nightly-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  security_configuration = aws_emr_security_configuration.etl.name

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
Resources:
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## Passing example (CloudFormation)

```yaml
Resources:
  KerberosSecurity:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: etl-kerberos
      SecurityConfiguration:
        AuthenticationConfiguration:
          KerberosConfiguration:
            Provider: ClusterDedicatedKdc
            ClusterDedicatedKdcConfiguration:
              TicketLifetimeInHours: 24
  Cluster:
    Type: AWS::EMR::Cluster
    Properties:
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      SecurityConfiguration: !Ref KerberosSecurity
      KerberosAttributes:
        Realm: EC2.INTERNAL
        KdcAdminPassword: '{{resolve:secretsmanager:emr/kdc-admin:SecretString:password}}'
      Instances:
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Use Kerberos for authentication with Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos.html)
* [Kerberos settings in a security configuration](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos-configure-settings.html)
* [AWS Config rule emr-kerberos-enabled](https://docs.aws.amazon.com/config/latest/developerguide/emr-kerberos-enabled.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import ABSENT, FOUND, Settings, cluster_security_configurations, unknowable

ID = "EMR411"
NAME = "kerberos-not-configured"
SEVERITY = "info"
KIND = "cluster"

KERBEROS = ("AuthenticationConfiguration", "KerberosConfiguration")
_WHY = ("its YARN, HDFS, Hive and Livy services trust whatever user name a client claims, so anyone who reaches "
        "them can run jobs and read data as any user")


def check(cluster, ctx):
    try:
        blocks = cluster.body.sections("kerberos_attributes")
    except Exception:
        return
    if blocks:
        return  # Kerberos attributes are given (or may be: a dynamic block)
    state, f, configs = cluster_security_configurations(cluster, ctx)
    if state == ABSENT:
        yield Problem(
            f.loc,
            f"Cluster has no Kerberos authentication (no kerberos_attributes and no security configuration): {_WHY}. "
            "Add a security configuration with AuthenticationConfiguration.KerberosConfiguration and "
            "kerberos_attributes with the realm.",
            key="kerberos_attributes",
        )
        return
    if state != FOUND:
        return
    for sec in configs:
        s = Settings(sec, ctx)
        if not isinstance(s.value, dict):
            return  # null, unknown or unreadable: nothing proven
        auth = s.get(*KERBEROS)
        if unknowable(auth) or auth is not None:
            return
    sec = configs[0]
    s = Settings(sec, ctx)
    where = s.loc("AuthenticationConfiguration") if s.get("AuthenticationConfiguration") is not None else s.loc()
    yield Problem(
        where,
        f"Cluster has no Kerberos authentication: its security configuration {sec.address} has no "
        f"AuthenticationConfiguration.KerberosConfiguration and the cluster no kerberos_attributes, so {_WHY}. Add "
        'KerberosConfiguration (for example {"Provider": "ClusterDedicatedKdc"}) and kerberos_attributes with the realm.',
        related=(("the cluster's security_configuration", f.attr_loc),),
        key="kerberos_attributes",
    )
