package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** machine-id: /etc/machine-id empty (not missing), no D-Bus copy of an old one. */
final class MachineIdRule implements SealingRule {
    @Override
    public String id() {
        return "machine-id";
    }

    @Override
    public String why() {
        return "systemd, journald, DHCP client ids and many agents identify a machine by its machine-id; clones with the "
                + "same id collide (same DHCP lease, merged logs). An empty /etc/machine-id makes systemd create a new one "
                + "on first boot; a missing one breaks read-only roots.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        Optional<String> id = image.read("/etc/machine-id");
        if (id.isEmpty()) {
            findings.add(finding("/etc/machine-id", "missing; it must exist and be empty so systemd makes a new id on first boot"));
        } else if (!id.get().isBlank() && !id.get().trim().equals("uninitialized")) {
            findings.add(finding("/etc/machine-id", "holds the build machine's id " + id.get().trim()));
        }
        if (image.isFile("/var/lib/dbus/machine-id") && !image.read("/var/lib/dbus/machine-id").orElse("").isBlank()) {
            findings.add(finding("/var/lib/dbus/machine-id", "holds a copy of the build machine's id; remove it or link it to /etc/machine-id"));
        }
        return findings;
    }
}
