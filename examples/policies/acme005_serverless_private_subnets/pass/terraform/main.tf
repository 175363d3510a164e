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

module "interactive" {
  source = "./modules/emr-serverless"
  name   = "ingest-interactive"
  vpc_id = "vpc-0c2a4e6f8b0d10001"
}
