# Packer template kiln runs for every release tag (written for Packer 1.6.6, HCL2).
# kiln passes the variables below with -var; values reach Packer only as variables, never through a shell.

variable "image_name" {
  type = string
}

variable "version" {
  type = string
}

variable "commit" {
  type = string
}

variable "source_date_epoch" {
  type = string
}

# The upstream image, already downloaded and checked by kiln; Packer checks the digest again before booting it.
variable "upstream_image" {
  type = string
}

variable "upstream_sha256" {
  type = string
}

variable "output_dir" {
  type = string
}

variable "ssh_username" {
  type    = string
  default = "kiln-build"
}

variable "ssh_private_key_file" {
  type = string
}

# The playbook to run: kiln passes its own, which runs build.playbook from kiln.yaml and then kiln's
# release-stamp and seal roles, so the image is sealed even when the repository's playbook forgets to.
variable "playbook_file" {
  type = string
}

# Where kiln's own roles (seal, release-stamp) are.
variable "kiln_roles_dir" {
  type = string
}

variable "accelerator" {
  type    = string
  default = "tcg"
}

# Optional: declared, it is where kiln wants the guest's serial console written (a file in the build's workspace).
# When a build fails, kiln copies the console's end into the build log, and, when the guest never answered SSH, its
# last line into the reason. /dev/null when Packer runs without kiln.
variable "console_log" {
  type    = string
  default = "/dev/null"
}

source "qemu" "image" {
  iso_url          = var.upstream_image
  iso_checksum     = "sha256:${var.upstream_sha256}"
  disk_image       = true
  use_backing_file = false
  skip_compaction  = true
  # Keep the upstream disk's size: growing it is the guest's business (growroot), not the build's.
  skip_resize_disk = true
  # One raw disk out: kiln converts it to every format, so all formats carry the same bytes.
  format           = "raw"
  output_directory = var.output_dir
  vm_name          = "disk.raw"
  accelerator      = var.accelerator
  cpus             = 2
  memory           = 1024
  qemuargs         = [["-cpu", "max"], ["-serial", "file:${var.console_log}"]]
  disk_interface   = "virtio"
  net_device       = "virtio-net"
  headless         = true
  vnc_bind_address = "127.0.0.1"

  communicator         = "ssh"
  ssh_username         = var.ssh_username
  ssh_private_key_file = var.ssh_private_key_file
  ssh_timeout          = "10m"
  # The seal role leaves this one step for last: it removes the login that runs it, then powers off.
  shutdown_command = "sudo -n /usr/local/sbin/kiln-seal-final"
  shutdown_timeout = "5m"
}

build {
  sources = ["source.qemu.image"]

  provisioner "ansible" {
    playbook_file = var.playbook_file
    user          = var.ssh_username
    # Packer 1.6.6's proxy offers only ssh-rsa host keys, which Debian 12's OpenSSH refuses.
    use_proxy = false
    ansible_env_vars = [
      "ANSIBLE_ROLES_PATH=${path.root}/../ansible/roles:${var.kiln_roles_dir}",
      "ANSIBLE_HOST_KEY_CHECKING=False",
      "ANSIBLE_NOCOLOR=True",
    ]
    extra_arguments = [
      "--extra-vars", jsonencode({
        kiln_image             = var.image_name
        kiln_version           = var.version
        kiln_commit            = var.commit
        kiln_source_date_epoch = var.source_date_epoch
        kiln_build_user        = var.ssh_username
      }),
    ]
  }
}
