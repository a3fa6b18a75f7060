# net-hwaddr: configuration bound to this build's MAC address never matches a clone's NIC. The lines removed are the
# ones the verifier's rule looks for (ifupdown hwaddress, netplan macaddress, NetworkManager mac-address, networkd
# MACAddress, sysconfig HWADDR/MACADDR); files without one are left untouched.
# udev persistent-net rules and hard-coded MAC addresses are removed.
set -e
rm -f /etc/udev/rules.d/70-persistent-net.rules /etc/udev/rules.d/75-persistent-net-generator.rules
pinned='^[[:space:]]*(hwaddress[[:space:]]+(ether[[:space:]]+)?|HWADDR[[:space:]]*=|MACADDR[[:space:]]*=|macaddress[[:space:]]*:|mac-address[[:space:]]*=|cloned-mac-address[[:space:]]*=|MACAddress[[:space:]]*=)'
for dir in /etc/network /etc/netplan /etc/NetworkManager/system-connections /etc/systemd/network /etc/sysconfig/network-scripts; do
  [ -d "$dir" ] || continue
  find "$dir" -type f -exec grep -liE "$pinned" {} + | while IFS= read -r file; do
    sed -i -E "/$pinned/Id" "$file"
  done
done
