package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** hypervisor-agent: no Azure agent, cloud-init or Hyper-V KVP state from the build machine. */
final class HypervisorAgentRule implements SealingRule {
    @Override
    public String id() {
        return "hypervisor-agent";
    }

    @Override
    public String why() {
        return "Guest agents provision a machine once and remember it: with the build's waagent or cloud-init instance state "
                + "a clone skips provisioning (no user, no SSH key, wrong hostname) or acts on the build machine's identity.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String file : image.filesUnder("/var/lib/waagent")) {
            findings.add(finding(file, "Azure agent state of the build machine; run waagent -deprovision"));
        }
        for (String path : List.of("/var/lib/cloud/instance", "/var/lib/cloud/data/instance-id", "/var/lib/cloud/data/previous-instance-id")) {
            if (image.exists(path)) {
                findings.add(finding(path, "cloud-init instance state of the build machine; run cloud-init clean"));
            }
        }
        for (String instance : image.list("/var/lib/cloud/instances")) {
            findings.add(finding(instance, "cloud-init instance directory of the build machine; run cloud-init clean"));
        }
        for (String pool : image.list("/var/lib/hyperv")) {
            if (pool.contains(".kvp_pool_")) {
                findings.add(finding(pool, "Hyper-V key-value pool of the build machine"));
            }
        }
        return findings;
    }
}
