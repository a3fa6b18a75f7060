package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.List;

/** ssh-hostkeys: no SSH host key may ship in an image. */
final class SshHostKeysRule implements SealingRule {
    @Override
    public String id() {
        return "ssh-hostkeys";
    }

    @Override
    public String why() {
        return "Every machine cloned from an image with host keys shares them: any one of them can impersonate the others "
                + "and clients cannot tell them apart. Keys must be made on each machine's first boot.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        return image.list("/etc/ssh").stream()
                .filter(path -> path.substring(path.lastIndexOf('/') + 1).startsWith("ssh_host_"))
                .map(path -> finding(path, "SSH host key shipped in the image"))
                .toList();
    }
}
