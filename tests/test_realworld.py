"""Constructs of public EMR code, each from a minimal snippet: read right, pointed at the right line."""

from __future__ import annotations


def test_partly_known_strings_decide_what_their_known_parts_prove(tf):
    files = {"main.tf": '''
    variable "host" {}
    variable "repo" {}
    variable "bucket" {}
    variable "minor" {}
    resource "aws_emr_cluster" "c" {
      name          = "c"
      release_label = "emr-7.${var.minor}"
      bootstrap_action {
        name = "http"
        path = "https://${var.host}/bootstrap.sh"
      }
      bootstrap_action {
        name = "s3"
        path = "s3://${var.bucket}/bootstrap.sh"
      }
    }
    resource "aws_emrserverless_application" "a" {
      name          = "a"
      release_label = "emr-7.1.0"
      type          = "spark"
      image_configuration {
        image_uri = "${var.repo}:latest"
      }
    }
    resource "aws_emrcontainers_job_template" "t" {
      name = "t"
      job_template_data {
        execution_role_arn = "arn:aws:iam::123456789012:role/jobs"
        release_label      = "emr-7.1.0"
        job_driver {
          spark_submit_job_driver {
            entry_point             = "https://${var.host}/main.py"
            spark_submit_parameters = "--jars https://${var.host}/x.jar,s3://b/y.jar"
          }
        }
      }
    }
    resource "aws_emrcontainers_job_template" "after_unknown" {
      name = "after"
      job_template_data {
        execution_role_arn = "arn:aws:iam::123456789012:role/jobs"
        release_label      = "emr-7.1.0"
        job_driver {
          spark_submit_job_driver {
            entry_point             = "s3://b/main.py"
            spark_submit_parameters = "--conf spark.executor.memory=${var.host} --jars https://h/x.jar"
          }
        }
      }
    }
    '''}
    got = tf(files, select=["EMR201", "EMR202", "EMR204", "EMR205"], full=True)
    assert sorted((f.rule, f.loc.line) for f in got) == [
        ("EMR202", 11), ("EMR204", 23), ("EMR205", 33), ("EMR205", 34)]
    by_line = {f.loc.line: f.message for f in got}
    assert "(https://${...}/bootstrap.sh)" in by_line[11]
    assert "entry point https://${...}/main.py" in by_line[33]
    assert "fetches https://${...} (--jars)" in by_line[34]
