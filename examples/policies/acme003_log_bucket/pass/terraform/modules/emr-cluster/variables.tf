variable "name" {
  description = "Name of the cluster"
  type        = string
}

variable "subnet_id" {
  description = "Private subnet the cluster runs in"
  type        = string
}

variable "release_label" {
  type    = string
  default = "emr-7.1.0"
}

variable "core_instance_type" {
  description = "Instance type of the core nodes"
  type        = string
  default     = "r7g.2xlarge"
}

variable "applications" {
  type    = list(string)
  default = ["Spark", "Hive"]
}

variable "tags" {
  description = "Tags of the cluster"
  type        = map(string)
  default = {
    CostCenter = "cc-4711"
    Team       = "ingest"
  }
}

variable "team" {
  description = "The owning team (set by each environment)"
  type        = string
}
