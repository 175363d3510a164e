"""A security configuration does not encrypt data at rest, or encrypts it without S3 encryption.

With at-rest encryption off, everything an EMR cluster writes to Amazon S3 through EMRFS,
to its local instance-store disks and to its EBS volumes (HDFS blocks, shuffle and spill
files, cached data) is stored as written: anyone who can read the bucket or a snapshot
reads the data. Turning `EnableAtRestEncryption` on without an
`S3EncryptionConfiguration` is not enough either: EMRFS needs an encryption mode to
encrypt the objects it writes.

## What fires

* a security configuration (`aws_emr_security_configuration.configuration`, given as
  `jsonencode({...})`, heredoc JSON or a variable; CloudFormation
  `AWS::EMR::SecurityConfiguration` `SecurityConfiguration`) whose
  `EncryptionConfiguration.EnableAtRestEncryption` is `false` or absent, or that has no
  `EncryptionConfiguration` at all (a configuration for Kerberos only, for example);
* `EnableAtRestEncryption: true` without
  `AtRestEncryptionConfiguration.S3EncryptionConfiguration`, or with one that names no
  `EncryptionMode`.

The finding points into the JSON where possible: at `EnableAtRestEncryption`, or at the
enclosing object that lacks the key (inside a `jsonencode({...})` object, a heredoc or a
CloudFormation mapping), else at the `configuration` attribute.

## What does not fire

* a configuration emrlint cannot evaluate (a variable without default, `file()` of a file
  outside the scan, a `templatefile()` it cannot render): unknown is never missing; the
  same for an `EnableAtRestEncryption` or `S3EncryptionConfiguration` that is itself
  unknown;
* a configuration that is not a JSON object.

Local-disk encryption is checked by EMR403 and the S3 encryption mode by EMR405.

## How to fix

```json
"EncryptionConfiguration": {
  "EnableAtRestEncryption": true,
  "AtRestEncryptionConfiguration": {
    "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", "AwsKmsKey": "<key ARN>"},
    "LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", "AwsKmsKey": "<key ARN>",
                                         "EnableEbsEncryption": true}
  }
}
```

## Anchor checks

* trivy **AVD-AWS-0137** (EMR security configuration does not enable at-rest encryption).
* AWS Security Hub **EMR.3** "Amazon EMR security configurations should be encrypted at
  rest".
* cfn_nag **W61** (EMR security configuration without encryption).
* KICS (CloudFormation) "EMR Security Configuration Encryption Disabled".

checkov has no check for the switch itself; its CKV_AWS_349/CKV_AWS_350 (see EMR403) and
CKV_AWS_171 (see EMR405) fail such configurations for their own reasons.

checkov does not evaluate a `jsonencode({...})` configuration that references another
resource (`AwsKmsKey = aws_kms_key.emr.arn`, the usual way to name the KMS key): its JSON
checks stay silent on it. emrlint decodes it (and heredoc JSON with `${...}`
interpolations), keeps the references as unknown values and reports what it can prove.

## Failing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableAtRestEncryption    = false
      EnableInTransitEncryption = true
      InTransitEncryptionConfiguration = {
        TLSCertificateConfiguration = {
          CertificateProviderType = "PEM"
          S3Object                = "s3://acme-emr-certs/etl/certs.zip"
        }
      }
    }
  })
}
```

## Passing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name = "etl-security"
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
            LocalDiskEncryptionConfiguration:
              EncryptionKeyProviderType: AwsKms
              AwsKmsKey: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
              EnableEbsEncryption: true
```

## Passing example (CloudFormation)

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
              EncryptionMode: SSE-KMS
              AwsKmsKey: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
            LocalDiskEncryptionConfiguration:
              EncryptionKeyProviderType: AwsKms
              AwsKmsKey: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
              EnableEbsEncryption: true
```

## References

* [Encrypt data at rest and in transit with Amazon EMR](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption.html)
* [Encryption options: at-rest encryption for Amazon S3 data with EMRFS](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html)
* [Create a security configuration: encryption settings](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html)
* [Security Hub controls for Amazon EMR (EMR.3)](https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import Settings, encryption_switch, unknowable

ID = "EMR402"
NAME = "at-rest-encryption-disabled"
SEVERITY = "error"
KIND = "security_configuration"

_WHY = ("data that EMRFS writes to S3 and the cluster's local and EBS disks are stored unencrypted")
_FIX = ('Set "EnableAtRestEncryption": true with an AtRestEncryptionConfiguration.S3EncryptionConfiguration '
        '(for example {"EncryptionMode": "SSE-KMS", "AwsKmsKey": "<key ARN>"}).')

ENC = "EncryptionConfiguration"
AT_REST = (ENC, "EnableAtRestEncryption")
CONF = (ENC, "AtRestEncryptionConfiguration")
S3 = CONF + ("S3EncryptionConfiguration",)


def check(sec, ctx):
    s = Settings(sec, ctx)
    if not (yield from encryption_switch(s, AT_REST, "at-rest", _WHY, _FIX)):
        return
    s3 = s.get(*S3)
    if unknowable(s3):
        return
    if s3 is None:
        yield Problem(s.loc(*S3), "At-rest encryption is on but AtRestEncryptionConfiguration has no "
                                  "S3EncryptionConfiguration, so EMRFS data written to S3 is not encrypted by EMR. "
                                  'Add "S3EncryptionConfiguration": {"EncryptionMode": "SSE-KMS", '
                                  '"AwsKmsKey": "<key ARN>"}.', key=s.key(*S3))
        return
    mode = s.get(*(S3 + ("EncryptionMode",)))
    if unknowable(mode):
        return
    if mode is None or (isinstance(mode, str) and not mode.strip()):
        yield Problem(s.loc(*(S3 + ("EncryptionMode",))),
                      "S3EncryptionConfiguration names no EncryptionMode, so EMRFS data written to S3 is not "
                      'encrypted by EMR. Set "EncryptionMode": "SSE-KMS" (or "CSE-KMS") with "AwsKmsKey".',
                      key=s.key(*(S3 + ("EncryptionMode",))))

