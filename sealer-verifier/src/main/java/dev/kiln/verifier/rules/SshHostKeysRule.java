package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ssh-hostkeys: no SSH host key may ship in an image: none in /etc/ssh, and none where the image's sshd configuration
 * (with its Includes) tells sshd to look, whatever links lie on the way.
 */
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
        Set<String> keys = new LinkedHashSet<>();
        for (String path : image.list("/etc/ssh")) {
            if (path.substring(path.lastIndexOf('/') + 1).startsWith("ssh_host_") && image.isFile(path)) {
                keys.add(path);
            }
        }
        SshdConfig sshd = SshdConfig.of(image);
        for (String configured : sshd.hostKeys()) {
            for (String path : List.of(configured, configured + ".pub")) {
                if (image.isFile(path)) {
                    keys.add(path);
                }
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (String key : keys) {
            findings.add(finding(key, "SSH host key shipped in the image" + (sshd.hostKeys().contains(key) && !key.startsWith("/etc/ssh/ssh_host_")
                    ? " (sshd_config names it as a HostKey)" : "")));
        }
        return findings;
    }
}
