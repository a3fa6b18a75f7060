package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** build-credentials: no build login, no authorized or private keys, no password, no passwordless root. */
final class BuildCredentialsRule implements SealingRule {
    @Override
    public String id() {
        return "build-credentials";
    }

    @Override
    public String why() {
        return "Whoever holds the build's key or password could log in to every machine started from the image. The build "
                + "login, its keys and sudo rule must be gone; keys for real users arrive at boot (cloud-init), never in the image.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String user = expected.buildUser();
        for (String line : image.read("/etc/passwd").orElse("").split("\n")) {
            if (line.startsWith(user + ":")) {
                findings.add(finding("/etc/passwd", "the build login '" + user + "' still exists"));
            }
        }
        if (image.exists("/etc/sudoers.d/" + user)) {
            findings.add(finding("/etc/sudoers.d/" + user, "sudo rule of the build login"));
        }
        for (String home : image.homes()) {
            for (String file : image.list(home + "/.ssh")) {
                String name = file.substring(file.lastIndexOf('/') + 1);
                if (name.startsWith("authorized_keys") && image.isFile(file) && image.size(file) > 0) {
                    findings.add(finding(file, "authorized SSH keys shipped in the image"));
                } else if (name.startsWith("id_") && !name.endsWith(".pub")) {
                    findings.add(finding(file, "a private SSH key shipped in the image"));
                }
            }
        }
        for (String line : image.read("/etc/shadow").orElse("").split("\n")) {
            String[] fields = line.split(":", -1);
            if (fields.length < 2) {
                continue;
            }
            if (fields[0].equals("root") && fields[1].isEmpty()) {
                findings.add(finding("/etc/shadow", "root has an empty password: anyone at the console is root"));
            } else if (fields[1].startsWith("$")) {
                findings.add(finding("/etc/shadow", "'" + fields[0] + "' has a password hash; every clone would share it"));
            }
        }
        return findings;
    }
}
