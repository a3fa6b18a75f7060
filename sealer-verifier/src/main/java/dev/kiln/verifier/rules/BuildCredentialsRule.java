package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** build-credentials: no build login (account, group, home, sudo rule), no password, no passwordless root. */
final class BuildCredentialsRule implements SealingRule {
    @Override
    public String id() {
        return "build-credentials";
    }

    @Override
    public String why() {
        return "Whoever holds the build's key or password could log in to every machine started from the image. The build "
                + "login, its home and sudo rule must be gone; passwords must not ship, since every clone would share them.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        String user = expected.buildUser();
        for (ImageTree.Account account : image.accounts()) {
            if (account.name().equals(user)) {
                findings.add(finding("/etc/passwd", "the build login '" + user + "' still exists"));
                if (!account.home().isEmpty() && !account.home().equals("/") && image.isDirectory(account.home())) {
                    findings.add(finding(account.home(), "the build login's home is still there"));
                }
            }
        }
        if (image.isDirectory("/home/" + user)) {
            findings.add(finding("/home/" + user, "the build login's home is still there"));
        }
        for (String line : image.read("/etc/group").orElse("").split("\n")) {
            if (line.startsWith(user + ":")) {
                findings.add(finding("/etc/group", "the build login's group '" + user + "' still exists"));
            }
        }
        List<String> sudoers = new ArrayList<>(List.of("/etc/sudoers"));
        sudoers.addAll(image.list("/etc/sudoers.d"));
        for (String file : sudoers) {
            for (String line : image.read(file).orElse("").split("\n")) {
                String rule = line.strip();
                if (!rule.startsWith("#") && (rule.startsWith(user + " ") || rule.startsWith(user + "\t"))) {
                    findings.add(finding(file, "a sudo rule for the build login"));
                    break;
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
