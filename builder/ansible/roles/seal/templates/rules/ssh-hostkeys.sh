# ssh-hostkeys: shared host keys let one clone impersonate another; each machine makes its own on first boot.
# SSH host keys are removed, wherever sshd_config and its Includes put them, and made again on first boot.
set -e
keys=$(sshd -T 2>/dev/null | awk '$1 == "hostkey" || $1 == "hostcertificate" { print $2 }') || true
rm -f /etc/ssh/ssh_host_*
for key in $keys; do
  rm -f "$key" "$key.pub"
done
cat > /etc/systemd/system/ssh-host-keys.service <<'KILN_UNIT'
{{ lookup('ansible.builtin.file', 'ssh-host-keys.service') }}
KILN_UNIT
chmod 0644 /etc/systemd/system/ssh-host-keys.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /etc/systemd/system/ssh-host-keys.service /etc/systemd/system/multi-user.target.wants/ssh-host-keys.service
