package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** logs: every log under /var/log empty, no journal. */
final class LogsRule implements SealingRule {
    @Override
    public String id() {
        return "logs";
    }

    @Override
    public String why() {
        return "Logs of the build machine (its addresses, logins, package runs, journal) would appear in every clone's "
                + "history and confuse whoever investigates one of them later.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String file : image.filesUnder("/var/log")) {
            if (image.size(file) > 0) {
                findings.add(finding(file, "log of the build, " + image.size(file) + " bytes"));
            }
        }
        return findings;
    }
}
