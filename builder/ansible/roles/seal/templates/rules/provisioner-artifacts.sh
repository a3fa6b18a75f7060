# provisioner-artifacts: files Packer and Ansible leave behind (kiln-seal-final empties /tmp and /var/tmp last).
# Provisioner files are removed.
rm -rf /tmp/packer* /var/tmp/* /root/.ansible /root/.cache
