"""An EMR cluster has no security configuration: no encryption or Kerberos settings apply.

A security configuration is where EMR on EC2 turns on encryption at rest (S3 data that
EMRFS writes, local disks and EBS volumes), encryption in transit (TLS between nodes and
for Spark, Hadoop and Presto traffic), Kerberos authentication, Lake Formation and the
IAM roles for EMRFS. A cluster launched without one runs with none of them: data on its
disks and shuffle traffic between its nodes are in clear text, and nothing but the
network keeps other principals away from its services.

## What fires

* an `aws_emr_cluster` without `security_configuration`, or whose
  `security_configuration` evaluates to null or an empty string (for example
  `security_configuration = var.security_configuration` where the variable defaults to
  `null` and the module call gives no value: the finding points at the attribute and
  names the call site);
* a CloudFormation `AWS::EMR::Cluster`, a RunJobFlow / `create-cluster` request or a Step
  Functions `createCluster` task without `SecurityConfiguration`.

## What does not fire

* a `security_configuration` emrlint cannot evaluate (a variable without default, an
  output of a remote module, a CloudFormation parameter without `Default`, a Step
  Functions `"SecurityConfiguration.$"` path): unknown is never missing;
* a security configuration named by a literal (`"emr-prod-encryption"`) that is not in
  the scan: it exists somewhere, and the rules that check its content (EMR402-EMR405)
  cannot see it.

Whether the security configuration is any good is checked by EMR402 (at-rest
encryption), EMR403 (local disks), EMR404 (in transit) and EMR405 (S3 with KMS).

## How to fix

Create an `aws_emr_security_configuration` (CloudFormation
`AWS::EMR::SecurityConfiguration`) with at-rest and in-transit encryption and name it in
the cluster: `security_configuration = aws_emr_security_configuration.this.name`.

## Anchor checks

* checkov **CKV2_AWS_55** "Ensure AWS EMR cluster is configured with security
  configuration". checkov only tests that the attribute exists: a
  `security_configuration = var.x` whose variable defaults to `null` passes checkov and
  fires here.
* KICS (CloudFormation) "EMR Cluster Without Security Configuration".
* cfn_nag **W63** (EMR cluster without a security configuration).

## Failing example

```hcl
resource "aws_emr_cluster" "etl" {
  name          = "nightly-etl"
  release_label = "emr-7.1.0"
  service_role  = "EMR_DefaultRole"
  log_uri       = "s3://acme-emr-logs/nightly/"

  ec2_attributes {
    subnet_id        = "subnet-0a1b2c3d"
    instance_profile = "EMR_EC2_DefaultRole"
  }

  master_instance_group {
    instance_type = "m6g.xlarge"
  }
}
```

## Passing example

```hcl
resource "aws_emr_security_configuration" "encryption" {
  name = "etl-encryption"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = true
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-KMS"
          AwsKmsKey      = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        }
        LocalDiskEncryptionConfiguration = {
          EncryptionKeyProviderType = "AwsKms"
          AwsKmsKey                 = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          EnableEbsEncryption       = true
        }
      }
      InTransitEncryptionConfiguration = {
        TLSCertificateConfiguration = {
          CertificateProviderType = "PEM"
          S3Object                = "s3://acme-emr-certs/etl/certs.zip"
        }
      }
    }
  })
}

resource "aws_emr_cluster" "etl" {
  name                   = "nightly-etl"
  release_label          = "emr-7.1.0"
  service_role           = "EMR_DefaultRole"
  log_uri                = "s3://acme-emr-logs/nightly/"
  security_configuration = aws_emr_security_configuration.encryption.name

  ec2_attributes {
    subnet_id        = "subnet-0a1b2c3d"
    instance_profile = "EMR_EC2_DefaultRole"
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
        Ec2SubnetId: subnet-0a1b2c3d
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
      Name: nightly-etl
      ReleaseLabel: emr-7.1.0
      JobFlowRole: EMR_EC2_DefaultRole
      ServiceRole: EMR_DefaultRole
      SecurityConfiguration: emr-prod-encryption
      Instances:
        Ec2SubnetId: subnet-0a1b2c3d
        MasterInstanceGroup:
          InstanceCount: 1
          InstanceType: m6g.xlarge
```

## References

* [Use security configurations to set up cluster security](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-configurations.html)
* [Create a security configuration](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html)
* [Terraform `aws_emr_cluster` `security_configuration`](https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/emr_cluster#security_configuration)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import spelled

ID = "EMR401"
NAME = "security-configuration-missing"
SEVERITY = "warning"
KIND = "cluster"


def check(cluster, ctx):
    f = cluster.field("security_configuration")
    value = f.value
    if f.unknown:
        return
    if value is None or (isinstance(value, str) and not value.strip()):
        state = ("evaluates to null" if value is None else "is empty") if f.present else "is not set"
        yield Problem(
            f.loc,
            f"Cluster {spelled(cluster, 'security_configuration')} {state}: the cluster runs without encryption at rest, encryption in "
            "transit or Kerberos, so data on its disks and traffic between its nodes are unprotected. Create a security "
            "configuration with encryption (aws_emr_security_configuration, AWS::EMR::SecurityConfiguration) and "
            "name it in security_configuration.",
            key="security_configuration",
        )
