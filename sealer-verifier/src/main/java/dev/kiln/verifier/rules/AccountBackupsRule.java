package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** account-backups: the backups shadow-utils keeps of the account files hold no build login and no password. */
final class AccountBackupsRule implements SealingRule {
    static final List<String> BACKUPS = List.of("/etc/passwd-", "/etc/shadow-", "/etc/group-", "/etc/gshadow-",
            "/etc/passwd.bak", "/etc/shadow.bak", "/etc/group.bak", "/etc/gshadow.bak", "/etc/passwd.OLD", "/etc/shadow.OLD");

    @Override
    public String id() {
        return "account-backups";
    }

    @Override
    public String why() {
        return "useradd, userdel and passwd keep the previous account files as /etc/passwd-, /etc/shadow- and so on: removing "
                + "the build login leaves it, and any password, in the backup, ready to be restored on every clone.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String backup : BACKUPS) {
            for (String line : image.read(backup).orElse("").split("\n")) {
                String[] fields = line.split(":", -1);
                if (fields[0].equals(expected.buildUser())) {
                    findings.add(finding(backup, "the build login '" + expected.buildUser() + "' survives in this backup"));
                    break;
                }
                if (fields.length > 1 && fields[1].startsWith("$")) {
                    findings.add(finding(backup, "'" + fields[0] + "' has a password hash in this backup"));
                    break;
                }
            }
        }
        return findings;
    }
}
