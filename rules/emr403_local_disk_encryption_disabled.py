"""At-rest encryption leaves the cluster's local disks or EBS volumes unencrypted.

EMR's at-rest encryption has two halves: S3 encryption for the data EMRFS writes to
Amazon S3, and local-disk encryption for the instance-store volumes and, with
`EnableEbsEncryption`, the EBS root and storage volumes of every node. HDFS blocks,
shuffle and spill files, YARN logs and cached datasets live on those disks; without
`LocalDiskEncryptionConfiguration` they stay in clear text although the security
configuration claims at-rest encryption. With `EnableEbsEncryption`, EMR uses EBS
encryption for the root and storage volumes of every node; without it the EBS root
volume (logs, temporary files, configuration) is not encrypted at all and the storage
volumes rely on LUKS inside the instance only.

## What fires

For a security configuration with `EncryptionConfiguration.EnableAtRestEncryption: true`:

* no `AtRestEncryptionConfiguration.LocalDiskEncryptionConfiguration`;
* a `LocalDiskEncryptionConfiguration` without a key provider: no
  `EncryptionKeyProviderType`, `AwsKms` without `AwsKmsKey`, or `Custom` without
  `S3Object` or `EncryptionKeyProviderClass`;
* `EnableEbsEncryption` absent or not `true`.

The finding points into the JSON where possible (the key, or the object that lacks it),
else at the `configuration` attribute.

## What does not fire

* a security configuration whose at-rest encryption is off or absent: EMR402 reports it
  (checkov's CKV_AWS_349/CKV_AWS_350 fail it too: they require at-rest encryption);
* a configuration, or a key in it, that emrlint cannot evaluate (a variable without
  default, `file()` of a file outside the scan): unknown is never missing.

## How to fix

```json
"AtRestEncryptionConfiguration": {
  "LocalDiskEncryptionConfiguration": {
    "EncryptionKeyProviderType": "AwsKms",
    "AwsKmsKey": "arn:aws:kms:eu-west-1:111122223333:key/...",
    "EnableEbsEncryption": true
  }
}
```

EBS encryption needs `AwsKms` as the key provider; the instance profile of the cluster
(and the EMR service role, for EBS) need permission to use the key.

## Anchor checks

* checkov **CKV_AWS_349** "Ensure EMR Cluster security configuration encrypts local
  disks" (fails when at-rest encryption is not `true` or there is no
  `LocalDiskEncryptionConfiguration`: emrlint splits the first half off to EMR402).
* checkov **CKV_AWS_350** "Ensure EMR Cluster security configuration encrypts EBS disks"
  (fails when at-rest encryption is not `true` or `EnableEbsEncryption` is not truthy).
* trivy **AVD-AWS-0139** (EMR security configuration does not encrypt local disks).

emrlint also requires a key provider, which checkov does not look at, and treats a
`"true"` string like `true` where checkov's `is True` does not.

checkov does not evaluate a `jsonencode({...})` configuration that references another
resource (`AwsKmsKey = aws_kms_key.emr.arn`, the usual way to name the KMS key): its JSON
checks stay silent on it. emrlint decodes it (and heredoc JSON with `${...}`
interpolations), keeps the references as unknown values and reports what it can prove.

## Failing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name          = "etl-security"
  configuration = <<-JSON
    {
      "EncryptionConfiguration": {
        "EnableAtRestEncryption": true,
        "EnableInTransitEncryption": false,
        "AtRestEncryptionConfiguration": {
          "S3EncryptionConfiguration": {
            "EncryptionMode": "SSE-KMS",
            "AwsKmsKey": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          }
        }
      }
    }
  JSON
}
```

## Passing example

```hcl
resource "aws_emr_security_configuration" "etl" {
  name          = "etl-security"
  configuration = <<-JSON
    {
      "EncryptionConfiguration": {
        "EnableAtRestEncryption": true,
        "EnableInTransitEncryption": false,
        "AtRestEncryptionConfiguration": {
          "S3EncryptionConfiguration": {
            "EncryptionMode": "SSE-KMS",
            "AwsKmsKey": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
          },
          "LocalDiskEncryptionConfiguration": {
            "EncryptionKeyProviderType": "AwsKms",
            "AwsKmsKey": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "EnableEbsEncryption": true
          }
        }
      }
    }
  JSON
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
              EncryptionMode: SSE-KMS
              AwsKmsKey: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
            LocalDiskEncryptionConfiguration:
              EncryptionKeyProviderType: AwsKms
              AwsKmsKey: arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
              EnableEbsEncryption: false
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

* [Encryption options: local disk encryption](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-localdisk)
* [Create a security configuration: local disk encryption settings](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-create-security-configuration.html)
* [Providing keys for encrypting data at rest](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-encryption-enable.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import Settings, is_true, show, text, unknowable

ID = "EMR403"
NAME = "local-disk-encryption-disabled"
SEVERITY = "error"
KIND = "security_configuration"

ENC = "EncryptionConfiguration"
CONF = (ENC, "AtRestEncryptionConfiguration")
LOCAL = CONF + ("LocalDiskEncryptionConfiguration",)
_WHY = "HDFS blocks, shuffle and spill files on the cluster's disks"


def check(sec, ctx):
    s = Settings(sec, ctx)
    if not isinstance(s.value, dict):
        return  # null, unknown or not an object: EMR402 reports what can be reported
    if not is_true(s.get(ENC, "EnableAtRestEncryption")):
        return  # at-rest encryption off (EMR402) or unknown
    conf = s.get(*CONF)
    if unknowable(conf):
        return
    local = s.get(*LOCAL)
    if unknowable(local):
        return
    if local is None:
        where = LOCAL if conf is not None else (ENC, "EnableAtRestEncryption")
        yield Problem(s.loc(*where),
                      f"At-rest encryption has no LocalDiskEncryptionConfiguration: {_WHY} stay unencrypted. Add "
                      '"LocalDiskEncryptionConfiguration": {"EncryptionKeyProviderType": "AwsKms", '
                      '"AwsKmsKey": "<key ARN>", "EnableEbsEncryption": true}.',
                      key=s.key(*LOCAL))
        return
    if not isinstance(local, dict):
        return
    yield from _provider(s, local)
    ebs = s.get(*(LOCAL + ("EnableEbsEncryption",)))
    if unknowable(ebs) or is_true(ebs):
        return
    state = "is not set" if ebs is None else f"is {show(ebs)}"
    yield Problem(s.loc(*(LOCAL + (("EnableEbsEncryption",) if ebs is not None else ()))),
                  f"LocalDiskEncryptionConfiguration.EnableEbsEncryption {state}: the EBS root volume of every node "
                  "(logs, temporary files, configuration) is not encrypted and storage volumes rely on LUKS alone. "
                  'Set "EnableEbsEncryption": true with the AwsKms key provider.', key=s.key(*(LOCAL + ("EnableEbsEncryption",))))


def _provider(s, local):
    ptype = s.get(*(LOCAL + ("EncryptionKeyProviderType",)))
    if unknowable(ptype):
        return
    name = text(ptype)
    if ptype is None or name == "":
        yield Problem(s.loc(*LOCAL),
                      f"LocalDiskEncryptionConfiguration names no EncryptionKeyProviderType, so {_WHY} have no key "
                      'to be encrypted with. Set "EncryptionKeyProviderType": "AwsKms" with "AwsKmsKey".',
                      key=s.key(*(LOCAL + ("EncryptionKeyProviderType",))))
        return
    if name is None:
        return
    if name.lower() == "awskms":
        needed = ("AwsKmsKey",)
    elif name.lower() == "custom":
        needed = ("S3Object", "EncryptionKeyProviderClass")
    else:
        return  # an unknown provider type: AWS rejects it; not this rule's business
    for key in needed:
        v = s.get(*(LOCAL + (key,)))
        if unknowable(v):
            continue
        if v is None or text(v) == "":
            where = LOCAL + ((key,) if s.has(*(LOCAL + (key,))) else ("EncryptionKeyProviderType",))
            yield Problem(s.loc(*where),
                          f"LocalDiskEncryptionConfiguration uses the {name} key provider without {key}, so {_WHY} "
                          f"have no key to be encrypted with. Add \"{key}\" "
                          f"({'the KMS key ARN' if key == 'AwsKmsKey' else 'the custom key provider'}).",
                          key=s.key(*(LOCAL + (key,))))

