# Resolve a kiln image with Terraform alone: the built-in terraform_remote_state data source reads the registry's
# lookup as remote state over the http backend, so no provider is downloaded. Use the outputs wherever your
# provider takes an image: a libvirt volume source, a VMware template path, an Azure VHD URL, an AMI id later.
#
#   terraform init
#   terraform apply -var registry=http://localhost:8084 -var channel=production
#   terraform output location

variable "registry" {
  description = "Base URL of the kiln registry"
  type        = string
  default     = "http://localhost:8084"
}

variable "image" {
  description = "Image name, as in kiln.yaml"
  type        = string
  default     = "debian-chrony"
}

variable "format" {
  description = "raw, qcow2, vhd, vhdx, vmdk or ova"
  type        = string
  default     = "qcow2"
}

variable "image_version" {
  description = "A released version, e.g. 0.1.0; leave empty to follow the channel instead"
  type        = string
  default     = ""
}

variable "channel" {
  description = "The channel to follow when no version is given"
  type        = string
  default     = "production"
}

variable "read_token" {
  description = "The registry's read token, when it requires one (sent as the basic-auth password)"
  type        = string
  default     = ""
  sensitive   = true
}

locals {
  selector = var.image_version != "" ? "version=${var.image_version}" : "channel=${var.channel}"
}

data "terraform_remote_state" "image" {
  backend = "http"
  config = {
    address  = "${var.registry}/api/v1/terraform/${var.image}/${var.format}?${local.selector}"
    username = "terraform"
    password = var.read_token
  }
}

output "location" {
  description = "Where the image file is (file:// or s3://)"
  value       = data.terraform_remote_state.image.outputs.location
}

output "sha256" {
  value = data.terraform_remote_state.image.outputs.sha256
}

output "version" {
  value = data.terraform_remote_state.image.outputs.version
}

output "commit" {
  value = data.terraform_remote_state.image.outputs.commit
}
