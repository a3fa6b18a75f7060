# hypervisor-agent: agents provision each VM once, from their own state; a clone must start as a new instance.
# Azure agent state (waagent -deprovision) and cloud-init instance state (cloud-init clean) are removed.
set -e
if [ -e /usr/sbin/waagent ]; then waagent -deprovision -force; fi
if [ -e /usr/bin/cloud-init ]; then cloud-init clean --logs --seed; fi
# The rule reads the state itself, so state an agent left behind without the agent to clean it (a playbook that
# removed the package, or state copied in) would fail verification: it goes too.
rm -rf /var/lib/waagent/* /var/lib/waagent/.[!.]* /var/lib/cloud/instance /var/lib/cloud/instances/* \
  /var/lib/cloud/data/instance-id /var/lib/cloud/data/previous-instance-id
rm -f /var/lib/hyperv/.kvp_pool_*
