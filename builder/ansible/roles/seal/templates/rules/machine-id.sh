# machine-id: emptied, not deleted, so systemd makes a new one on first boot; D-Bus's copy goes.
# machine-id is emptied and D-Bus's copy of it removed.
set -e
: > /etc/machine-id
chmod 0444 /etc/machine-id
rm -f /var/lib/dbus/machine-id
