# SealRoleTest: one leak per sealing rule, some where only the configuration says to look, planted as root in the
# upstream image before kiln's seal role runs. Every line must succeed (set -e): a leak not planted tests nothing.
set -eu
# authorized-keys: root's own file, and files only sshd's AuthorizedKeysFile names (by %u, and by %h and %U).
mkdir -p /root/.ssh /etc/ssh/authorized
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtXwM5L5bq3c4jxWwq9T1z2kqJ0N4dO8x2Qz7v1yZ0k root-leak" > /root/.ssh/authorized_keys
useradd --create-home app
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtXwM5L5bq3c4jxWwq9T1z2kqJ0N4dO8x2Qz7v1yZ0k app-leak" > /etc/ssh/authorized/app
mkdir -p /home/app/.config
echo "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtXwM5L5bq3c4jxWwq9T1z2kqJ0N4dO8x2Qz7v1yZ0k app-uid-leak" > "/home/app/.config/ssh-keys-$(id -u app)"
# ssh-hostkeys: the keys of first boot, and one more that only a HostKey line in an Include names.
mkdir -p /etc/ssh/hidden
ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/hidden/host_key
printf 'AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized/%%u %%h/.config/ssh-keys-%%U\nHostKey /etc/ssh/ssh_host_ed25519_key\nHostKey /etc/ssh/ssh_host_rsa_key\nHostKey /etc/ssh/hidden/host_key\n' > /etc/ssh/sshd_config.d/50-planted.conf
# net-hwaddr: a pinned MAC in each network stack's syntax, and a udev persistent-net rule.
mkdir -p /etc/network/interfaces.d /etc/netplan /etc/systemd/network
printf 'auto eth0\niface eth0 inet dhcp\n  hwaddress ether 52:54:00:12:34:56\n' > /etc/network/interfaces.d/pinned
printf 'network:\n  ethernets:\n    eth0:\n      match:\n        macaddress: 52:54:00:12:34:57\n' > /etc/netplan/50-pinned.yaml
printf '[Match]\nName=eth0\n\n[Link]\nMACAddress = 52:54:00:12:34:58\n' > /etc/systemd/network/10-pinned.link
echo 'SUBSYSTEM=="net", ATTR{address}=="52:54:00:12:34:59", NAME="eth0"' > /etc/udev/rules.d/70-persistent-net.rules
# provisioner-artifacts
mkdir -p /tmp/packer-provisioner-ansible /root/.ansible/tmp
echo x > /tmp/packer-provisioner-ansible/playbook.yml
echo x > /var/tmp/provisioner-leftover
# account-backups: a backup that still holds an account the image no longer has.
cp -p /etc/passwd /etc/passwd-
echo 'gone:x:1500:1500::/home/gone:/bin/sh' >> /etc/passwd-
# home-credentials
echo 'https://deploy:s3cret@git.example.com' > /home/app/.git-credentials
mkdir -p /root/.aws /home/app/.ssh /root/.gnupg/private-keys-v1.d
printf '[default]\naws_secret_access_key = planted\n' > /root/.aws/credentials
ssh-keygen -q -t ed25519 -N "" -f /home/app/.ssh/id_ed25519
echo planted > /root/.gnupg/private-keys-v1.d/planted.key
# host-secrets
echo keytab > /etc/krb5.keytab
# build-spools: the build login's mail.
echo 'From kiln' > /var/mail/kiln-build
# crash-dumps
mkdir -p /var/crash
echo core > /var/crash/planted.crash
# package-caches
apt-get update -qq || { mkdir -p /var/lib/apt/lists; echo planted > /var/lib/apt/lists/planted_Packages; }
# shell-history
echo 'export TOKEN=planted' > /root/.bash_history
# logs: a rotated log and a written one.
echo rotated > /var/log/planted.log.1
echo written >> /var/log/planted.log
# dhcp-leases
mkdir -p /var/lib/dhcp
echo 'lease { fixed-address 10.0.2.15; }' > /var/lib/dhcp/dhclient.eth0.leases
# random-seed: made at boot; it must be there to be removed.
test -s /var/lib/systemd/random-seed
# machine-id: made at first boot.
test -s /etc/machine-id
