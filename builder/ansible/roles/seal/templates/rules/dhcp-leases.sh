# dhcp-leases: a lease of the build network makes a clone ask for the build's address (kiln-seal-final removes it again after the DHCP client stops).
# DHCP leases are removed.
rm -f /var/lib/dhcp/*.leases /var/lib/dhclient/*.leases /var/lib/NetworkManager/*.lease
