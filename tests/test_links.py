"""The model's links between resources: what security rules and cost rules follow."""

from __future__ import annotations

import json
import os

from emrlint.documents.load import load_documents
from emrlint.model import Model
from emrlint.sources import Boundary, Sources
from emrlint.terraform.build import build_model
from emrlint.terraform.project import Options, TerraformProject
from emrlint.values import Unknown

from conftest import write_tree


def model_of(tmp_path, files):
    write_tree(str(tmp_path), files)
    paths = [os.path.join(d, f) for d, _, fs in os.walk(tmp_path) for f in fs]
    sources = Sources(Boundary([str(tmp_path)]))
    model = Model()
    tf = [p for p in paths if p.endswith((".tf", ".tfvars"))]
    build_model(TerraformProject(tf, sources, Options()), model)
    docs = load_documents([p for p in paths if p.endswith((".json", ".yaml"))], sources)
    for r in docs.resources:
        model.add(r)
    return model


TF = '''
resource "aws_emr_security_configuration" "sec" {
  name = "emr-sec"
  configuration = jsonencode({
    EncryptionConfiguration = {
      EnableInTransitEncryption = false
      EnableAtRestEncryption    = true
    }
  })
}
resource "aws_security_group" "master" {
  name = "emr-master"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
resource "aws_security_group_rule" "open" {
  type              = "ingress"
  security_group_id = aws_security_group.master.id
  from_port         = 8443
  to_port           = 8443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "out" {
  type              = "egress"
  security_group_id = aws_security_group.master.id
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  cidr_blocks       = ["0.0.0.0/0"]
}
resource "aws_subnet" "public" {
  vpc_id                  = "vpc-1"
  cidr_block              = "10.0.1.0/24"
  map_public_ip_on_launch = true
}
resource "aws_emr_cluster" "c" {
  name                   = "c"
  release_label          = "emr-7.1.0"
  security_configuration = aws_emr_security_configuration.sec.name
  ec2_attributes {
    subnet_id                         = aws_subnet.public.id
    emr_managed_master_security_group = aws_security_group.master.id
  }
  step {
    name              = "spark"
    action_on_failure = "CONTINUE"
    hadoop_jar_step {
      jar  = "command-runner.jar"
      args = ["spark-submit", "--packages", "org.example:lib:LATEST", "s3://b/job.py"]
    }
  }
}
resource "aws_emr_managed_scaling_policy" "c" {
  cluster_id = aws_emr_cluster.c.id
  compute_limits {
    unit_type              = "Instances"
    minimum_capacity_units = 2
    maximum_capacity_units = 40
  }
}
'''


def test_terraform_links(tmp_path):
    model = model_of(tmp_path, {"main.tf": TF})
    (cluster,) = model.of_kind("cluster")
    exact, _ = model.find(cluster.field("security_configuration").value, "security_configuration", cluster.root)
    (sec,) = exact
    assert sec.settings.value["EncryptionConfiguration"]["EnableInTransitEncryption"] is False
    ec2 = cluster.body.section("ec2_attributes")
    (subnet,), _ = model.find(ec2.field("subnet_id").value, "subnet", cluster.root)
    assert subnet.field("map_public_ip_on_launch").value is True
    (group,), _ = model.find(ec2.field("emr_managed_master_security_group").value, "security_group", cluster.root)
    opened = [r for r in group.ingress if r.open_to_world()]
    assert len(group.ingress) == 2 and len(opened) == 1
    assert opened[0].address == "aws_security_group_rule.open" and opened[0].from_port.value == 8443
    (limits,) = cluster.managed_scaling
    assert limits.field("maximum_capacity_units").value == 40
    (step,) = cluster.steps
    assert step.field("args").value[2] == "org.example:lib:LATEST"


CFN = {
    "Resources": {
        "Sec": {"Type": "AWS::EMR::SecurityConfiguration", "Properties": {"SecurityConfiguration": {
            "EncryptionConfiguration": {"EnableAtRestEncryption": True, "EnableInTransitEncryption": True}}}},
        "MasterSG": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "m", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]}},
        "Extra": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
            "GroupId": {"Fn::GetAtt": ["MasterSG", "GroupId"]}, "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "CidrIpv6": "::/0"}},
        "Cluster": {"Type": "AWS::EMR::Cluster", "Properties": {
            "Name": "c", "ReleaseLabel": "emr-7.1.0", "SecurityConfiguration": {"Ref": "Sec"},
            "Instances": {"Ec2SubnetId": "subnet-1", "EmrManagedMasterSecurityGroup": {"Ref": "MasterSG"}},
            "ManagedScalingPolicy": {"ComputeLimits": {"UnitType": "Instances", "MinimumCapacityUnits": 2,
                                                       "MaximumCapacityUnits": 10}},
            "Steps": [{"Name": "s", "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "x.py"]}}]}},
        "Step": {"Type": "AWS::EMR::Step", "Properties": {"JobFlowId": {"Ref": "Cluster"}, "Name": "later",
                                                          "HadoopJarStep": {"Jar": "command-runner.jar", "Args": []}}},
    }
}


def test_cloudformation_links(tmp_path):
    model = model_of(tmp_path, {"stack.json": json.dumps(CFN, indent=2)})
    (cluster,) = model.of_kind("cluster")
    (sec,), _ = model.find(cluster.field("security_configuration").value, "security_configuration", cluster.root)
    assert sec.settings.value["EncryptionConfiguration"]["EnableInTransitEncryption"] is True
    ec2 = cluster.body.section("ec2_attributes")
    (group,), _ = model.find(ec2.field("emr_managed_master_security_group").value, "security_group", cluster.root)
    assert sorted(r.from_port.value for r in group.ingress if r.open_to_world()) == [22, 443]
    assert [l.field("maximum_capacity_units").value for l in cluster.managed_scaling] == [10]
    assert len(cluster.steps) == 2


def test_block_public_access_document(tmp_path):
    doc = {"BlockPublicAccessConfiguration": {"BlockPublicSecurityGroupRules": True,
                                              "PermittedPublicSecurityGroupRuleRanges": [{"MinRange": 22, "MaxRange": 22},
                                                                                         {"MinRange": 80, "MaxRange": 80}]}}
    model = model_of(tmp_path, {"bpa.json": json.dumps(doc)})
    (bpa,) = model.of_kind("block_public_access")
    assert bpa.field("block_public_security_group_rules").value is True
    ranges = [(r.field("min_range").value, r.field("max_range").value)
              for r in bpa.body.sections("permitted_public_security_group_rule_range")]
    assert ranges == [(22, 22), (80, 80)]


def test_unknown_cluster_id_marks_scaling_incomplete(tmp_path):
    model = model_of(tmp_path, {"main.tf": '''
        variable "cluster_id" {}
        resource "aws_emr_cluster" "c" {
          name = "c"
        }
        resource "aws_emr_managed_scaling_policy" "p" {
          cluster_id = var.cluster_id
          compute_limits {
            unit_type              = "Instances"
            minimum_capacity_units = 1
            maximum_capacity_units = 4
          }
        }
    '''})
    (cluster,) = model.of_kind("cluster")
    assert cluster.scaling_incomplete and not cluster.managed_scaling
    assert isinstance(model.of_kind("managed_scaling_policy")[0].field("cluster_id").value, Unknown)
