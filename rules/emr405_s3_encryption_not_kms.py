"""A security configuration encrypts EMRFS data in S3 with SSE-S3 instead of a KMS key.

With `SSE-S3`, Amazon S3 encrypts objects with keys it owns and manages: anyone with
`s3:GetObject` on the bucket reads the data, there is no key policy to restrict who may
decrypt, and no CloudTrail record of each decryption. `SSE-KMS` (or `CSE-KMS`, which
encrypts on the cluster before the data leaves it) puts a KMS key between the data and
its readers: access needs both S3 and KMS permissions, every use of the key is logged,
and disabling the key locks the data.

## What fires

* `EncryptionConfiguration.AtRestEncryptionConfiguration.S3EncryptionConfiguration.EncryptionMode`
  is `SSE-S3` (in any letter case), in an `aws_emr_security_configuration`
  (`jsonencode({...})`, heredoc JSON) or a CloudFormation `AWS::EMR::SecurityConfiguration`;
* a per-bucket override (`S3EncryptionConfiguration.Overrides[].EncryptionMode`) that is
  `SSE-S3` (one finding per override, at its `EncryptionMode`).

The mode is reported whatever `EnableAtRestEncryption` says: with at-rest encryption off,
EMR402 reports that as well, and turning it on would use the SSE-S3 mode written here.

## What does not fire

* `SSE-KMS`, `CSE-KMS` and `CSE-Custom` (a client-side provider of your own);
* a security configuration without S3 encryption at all (EMR402 reports it);
* an encryption mode emrlint cannot evaluate (a variable without default): unknown is
  never bad.

## How to fix

```json
"S3EncryptionConfiguration": {
  "EncryptionMode": "SSE-KMS",
  "AwsKmsKey": "arn:aws:kms:eu-west-1:111122223333:key/..."
}
```

Give the cluster's EC2 instance profile `kms:Decrypt` and `kms:GenerateDataKey` on the key.

## Anchor checks

* checkov **CKV_AWS_171** "Ensure EMR Cluster security configuration encryption is using
  SSE-KMS". checkov only searches the configuration's text for the string `SSE-KMS`: it
  fails `CSE-KMS` (which is KMS encryption, done on the cluster), fails configurations it
  cannot read (`configuration = var.security_json`) and configurations without S3
  encryption, and passes any configuration that mentions `SSE-KMS` anywhere, even in a
  per-bucket override while the default mode is `SSE-S3`. emrlint reads the JSON.

## Failing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = false
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-S3"
        }
      }
    }
  })
}
```

## Passing example

```hcl
resource "aws_kms_key" "emr" {
  description         = "EMR at-rest encryption"
  enable_key_rotation = true
}

resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = false
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-KMS"
          AwsKmsKey      = aws_kms_key.emr.arn
        }
      }
    }
  })
}
```

## Failing example (CloudFormation)

```yaml
Resources:
  EtlSecurity:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: etl-security
      SecurityConfiguration:
        EncryptionConfiguration:
          EnableAtRestEncryption: true
          EnableInTransitEncryption: false
          AtRestEncryptionConfiguration:
            S3EncryptionConfiguration:
              EncryptionMode: SSE-S3
```

## Passing example (CloudFormation)

```yaml
Resources:
  EmrKey:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
  EtlSecurity:
    Type: AWS::EMR::SecurityConfiguration
    Properties:
      Name: etl-security
      SecurityConfiguration:
        EncryptionConfiguration:
          EnableAtRestEncryption: true
          EnableInTransitEncryption: false
          AtRestEncryptionConfiguration:
            S3EncryptionConfiguration:
              EncryptionMode: CSE-KMS
              AwsKmsKey: !GetAtt EmrKey.Arn
```

## References

* [Encryption options: Amazon S3 encryption with EMRFS](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-s3)
* [Protecting data with server-side encryption (SSE-S3, SSE-KMS)](https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html)
* [Create a security configuration: S3 encryption and per-bucket overrides](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import Settings, lookup, text

ID = "EMR405"
NAME = "s3-encryption-not-kms"
SEVERITY = "info"
KIND = "security_configuration"

S3 = ("EncryptionConfiguration", "AtRestEncryptionConfiguration", "S3EncryptionConfiguration")
_WHY = ("S3 manages the keys, so anyone who can read the bucket reads the data, with no key policy and no "
        "CloudTrail record of each decryption")


def check(sec, ctx):
    s = Settings(sec, ctx)
    if not isinstance(s.value, dict):
        return
    s3 = s.get(*S3)
    if not isinstance(s3, dict):
        return
    mode = text(s.get(*(S3 + ("EncryptionMode",))))
    if mode is not None and mode.upper() == "SSE-S3":
        yield Problem(s.loc(*(S3 + ("EncryptionMode",))),
                      f"S3EncryptionConfiguration.EncryptionMode is SSE-S3: {_WHY}. Use \"EncryptionMode\": "
                      '"SSE-KMS" (or "CSE-KMS") with "AwsKmsKey" set to a customer managed KMS key.',
                      key=s.key(*(S3 + ("EncryptionMode",))))
    overrides = s.get(*(S3 + ("Overrides",)))
    if not isinstance(overrides, list):
        return
    for i, item in enumerate(overrides):
        if not isinstance(item, dict):
            continue
        mode = text(lookup(item, ("EncryptionMode",)))
        if mode is None or mode.upper() != "SSE-S3":
            continue
        bucket = text(lookup(item, ("BucketName",)))
        label = f"bucket {bucket}" if bucket else f"override #{i + 1}"
        yield Problem(s.loc(*(S3 + ("Overrides", i, "EncryptionMode"))),
                      f"The S3 encryption override for {label} uses SSE-S3: {_WHY}. Use \"EncryptionMode\": "
                      '"SSE-KMS" (or "CSE-KMS") with "AwsKmsKey" for this bucket too.',
                      key=s.key(*(S3 + ("Overrides", bucket or f"#{i + 1}", "EncryptionMode"))))
