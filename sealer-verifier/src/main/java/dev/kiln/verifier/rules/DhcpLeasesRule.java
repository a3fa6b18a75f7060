package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** dhcp-leases: no DHCP lease of the build network. */
final class DhcpLeasesRule implements SealingRule {
    @Override
    public String id() {
        return "dhcp-leases";
    }

    @Override
    public String why() {
        return "A clone that finds the build's lease asks the DHCP server for the build machine's address first, and on "
                + "some networks gets it: two machines, one address.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String dir : List.of("/var/lib/dhcp", "/var/lib/dhclient", "/var/lib/NetworkManager", "/var/lib/systemd/network")) {
            for (String file : image.filesUnder(dir)) {
                if (file.endsWith(".lease") || file.endsWith(".leases") || file.contains("/leases/")) {
                    findings.add(finding(file, "DHCP lease of the build machine"));
                }
            }
        }
        return findings;
    }
}
