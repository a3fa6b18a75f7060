package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** build-spools: the build login leaves no crontab, at job or mailbox behind. */
final class BuildSpoolsRule implements SealingRule {
    @Override
    public String id() {
        return "build-spools";
    }

    @Override
    public String why() {
        return "A crontab of the build login would run on every clone under a uid that a later account reuses; its mail "
                + "holds what the build's jobs printed.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        String user = expected.buildUser();
        List<Finding> findings = new ArrayList<>();
        for (String path : List.of("/var/spool/cron/crontabs/" + user, "/var/spool/cron/" + user, "/var/mail/" + user, "/var/spool/mail/" + user)) {
            if (image.isFile(path)) {
                findings.add(finding(path, "the build login's " + (path.contains("cron") ? "crontab" : "mailbox")));
            }
        }
        return findings;
    }
}
