variable "primary_region" {
  type    = string
  default = "eu-west-1"
}

# terraform.tfvars overrides this default.
variable "dr_region" {
  type    = string
  default = "eu-central-1"
}

locals {
  name = "example-mail"
}
