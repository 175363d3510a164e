variable "name" {
  type = string
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  description = "Subnets of the application's network interfaces"
  type        = list(string)
  default     = ["subnet-0a3c5e7f9b1d20001", "subnet-0a3c5e7f9b1d20002"]
}
