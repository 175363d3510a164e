resource "aws_emr_cluster" "this" {
  name          = var.name
  release_label = var.release_label
  applications  = var.applications
  service_role  = "arn:aws:iam::123456789012:role/acme-emr-service"
  log_uri       = "s3://acme-emr-logs/${var.team}/${var.name}/"

  ec2_attributes {
    subnet_id                         = var.subnet_id
    instance_profile                  = "arn:aws:iam::123456789012:instance-profile/acme-emr-ec2"
    emr_managed_master_security_group = "sg-0b1c2d3e4f5a60001"
    emr_managed_slave_security_group  = "sg-0b1c2d3e4f5a60002"
    service_access_security_group     = "sg-0b1c2d3e4f5a60003"
  }

  master_instance_group {
    instance_type = "m7g.xlarge"
  }

  core_instance_group {
    instance_type  = var.core_instance_type
    instance_count = 3

    ebs_config {
      size = 256
      type = "gp3"
    }
  }

  auto_termination_policy {
    idle_timeout = 3600
  }

  tags = var.tags
}

resource "aws_emr_instance_group" "spot_task" {
  name           = "${var.name}-spot-task"
  cluster_id     = aws_emr_cluster.this.id
  instance_type  = "c7g.4xlarge"
  instance_count = 4
  bid_price      = "0.35"
}
