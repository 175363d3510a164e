terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

module "nightly_etl" {
  source    = "./modules/emr-cluster"
  name      = "ingest-nightly-etl"
  subnet_id = "subnet-0a3c5e7f9b1d20001"
}
