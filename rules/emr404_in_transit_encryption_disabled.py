"""A security configuration does not encrypt data in transit, or has no TLS certificates to do it.

Without in-transit encryption, the traffic between the nodes of an EMR cluster travels
in clear text: Spark shuffle and RPC, HDFS block transfers, Hadoop RPC, MapReduce
shuffle, Presto/Trino and Hive traffic (EMRFS talks to S3 over TLS either way). Anyone
able to capture traffic in the VPC (a compromised instance, a mirrored ENI) reads the
data being processed. In-transit encryption uses TLS, so turning it on also needs a certificate
provider: a PEM zip file in S3 or a custom provider class.

## What fires

* a security configuration (`aws_emr_security_configuration.configuration`,
  CloudFormation `AWS::EMR::SecurityConfiguration` `SecurityConfiguration`) whose
  `EncryptionConfiguration.EnableInTransitEncryption` is `false` or absent, or that has
  no `EncryptionConfiguration` at all;
* `EnableInTransitEncryption: true` without
  `InTransitEncryptionConfiguration.TLSCertificateConfiguration`, without
  `CertificateProviderType`, `PEM` without `S3Object`, or `Custom` without `S3Object` or
  `CertificateProviderClass`.

The finding points into the JSON where possible, else at the `configuration` attribute.

## What does not fire

* a configuration, or a key in it, that emrlint cannot evaluate (a variable without
  default, `file()` of a file outside the scan, `"S3Object": "${var.certs}"`): unknown
  is never missing;
* a configuration that is not a JSON object.

## How to fix

```json
"EncryptionConfiguration": {
  "EnableInTransitEncryption": true,
  "InTransitEncryptionConfiguration": {
    "TLSCertificateConfiguration": {
      "CertificateProviderType": "PEM",
      "S3Object": "s3://my-emr-certs/cluster/certs.zip"
    }
  }
}
```

## Anchor checks

* checkov **CKV_AWS_351** "Ensure EMR Cluster security configuration encrypts InTransit"
  (fails when `EnableInTransitEncryption` is not truthy; it does not look at the
  certificate provider, and a string `"false"` passes it).
* trivy **AVD-AWS-0138** (EMR security configuration does not enable in-transit
  encryption).
* AWS Security Hub **EMR.4** "Amazon EMR security configurations should be encrypted in
  transit".
* cfn_nag **W61** (EMR security configuration without encryption).

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
      EnableAtRestEncryption    = true
      EnableInTransitEncryption = false
      AtRestEncryptionConfiguration = {
        S3EncryptionConfiguration = {
          EncryptionMode = "SSE-KMS"
          AwsKmsKey      = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
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
          EnableAtRestEncryption: false
          EnableInTransitEncryption: true
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
          EnableAtRestEncryption: false
          EnableInTransitEncryption: true
          InTransitEncryptionConfiguration:
            TLSCertificateConfiguration:
              CertificateProviderType: PEM
              S3Object: s3://acme-emr-certs/etl/certs.zip
```

## References

* [Encryption options: in-transit encryption](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-data-encryption-options.html#emr-encryption-intransit)
* [Providing certificates for encrypting data in transit](https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-encryption-enable.html#emr-encryption-certificates)
* [Security Hub controls for Amazon EMR (EMR.4)](https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html)
"""

from emrlint.rulekit import Problem
from emrlint.rules._security import Settings, encryption_switch, text, unknowable

ID = "EMR404"
NAME = "in-transit-encryption-disabled"
SEVERITY = "error"
KIND = "security_configuration"

ENC = "EncryptionConfiguration"
SWITCH = (ENC, "EnableInTransitEncryption")
CONF = (ENC, "InTransitEncryptionConfiguration")
TLS = CONF + ("TLSCertificateConfiguration",)
_WHY = ("Spark RPC and shuffle, HDFS block transfers, Hadoop RPC and Presto/Trino traffic between the cluster's "
        "nodes travel unencrypted")
_FIX = ('Set "EnableInTransitEncryption": true with InTransitEncryptionConfiguration.TLSCertificateConfiguration '
        '{"CertificateProviderType": "PEM", "S3Object": "s3://.../certs.zip"}.')


def check(sec, ctx):
    s = Settings(sec, ctx)
    if not (yield from encryption_switch(s, SWITCH, "in-transit", _WHY, _FIX)):
        return
    tls = s.get(*TLS)
    if unknowable(tls):
        return
    if tls is None:
        yield Problem(s.loc(*(TLS if s.get(*CONF) is not None else SWITCH)),
                      "In-transit encryption is on without InTransitEncryptionConfiguration.TLSCertificateConfiguration: "
                      "without a certificate provider the nodes have no certificates to set up TLS with. Add "
                      '"TLSCertificateConfiguration": {"CertificateProviderType": "PEM", "S3Object": "s3://.../certs.zip"}.',
                      key=s.key(*TLS))
        return
    if not isinstance(tls, dict):
        return
    ptype = s.get(*(TLS + ("CertificateProviderType",)))
    if unknowable(ptype):
        return
    name = text(ptype)
    if ptype is None or name == "":
        yield Problem(s.loc(*TLS),
                      "TLSCertificateConfiguration names no CertificateProviderType, so in-transit encryption has no "
                      'certificates. Set "CertificateProviderType": "PEM" with "S3Object" (a zip of PEM files in S3).',
                      key=s.key(*(TLS + ("CertificateProviderType",))))
        return
    if name is None:
        return
    if name.lower() == "pem":
        needed = ("S3Object",)
    elif name.lower() == "custom":
        needed = ("S3Object", "CertificateProviderClass")
    else:
        return
    for key in needed:
        v = s.get(*(TLS + (key,)))
        if unknowable(v):
            continue
        if v is None or text(v) == "":
            written = s.has(*(TLS + (key,)))
            where = TLS + ((key,) if written else ("CertificateProviderType",))
            what = 'the S3 location of the certificates' if key == 'S3Object' else 'the provider class'
            if written:  # say what is wrong with the value that is there
                state = "is empty" if v is not None else "is null"
                problem = (f"TLSCertificateConfiguration.{key} {state}, so the {name} certificate provider has no "
                           f"certificates and in-transit encryption cannot start. Set \"{key}\" to {what}.")
            else:
                problem = (f"TLSCertificateConfiguration uses the {name} certificate provider without {key}, so "
                           f"in-transit encryption has no certificates. Add \"{key}\" ({what}).")
            yield Problem(s.loc(*where), problem, key=s.key(*(TLS + (key,))))

