resource "aws_security_group" "serverless" {
  name_prefix = "${var.name}-"
  description = "EMR Serverless application ${var.name}"
  vpc_id      = var.vpc_id
}

resource "aws_emrserverless_application" "this" {
  name          = var.name
  release_label = "emr-7.1.0"
  type          = "spark"
  architecture  = "ARM64"

  maximum_capacity {
    cpu    = "200 vCPU"
    memory = "800 GB"
  }

  auto_stop_configuration {
    enabled              = true
    idle_timeout_minutes = 15
  }

  network_configuration {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.serverless.id]
  }

  tags = {
    CostCenter = "cc-4711"
    Team       = "ingest"
  }
}
