package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** crash-dumps: no core dumps or crash reports of the build machine. */
final class CrashDumpsRule implements SealingRule {
    static final List<String> DIRECTORIES = List.of("/var/crash", "/var/lib/systemd/coredump", "/var/spool/abrt", "/var/lib/apport/coredump");

    @Override
    public String id() {
        return "crash-dumps";
    }

    @Override
    public String why() {
        return "A core dump holds the memory of a process of the build, secrets included, and is large; clones have no use for it.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String dir : DIRECTORIES) {
            for (String file : image.filesUnder(dir)) {
                findings.add(finding(file, "a crash dump of the build machine"));
            }
        }
        return findings;
    }
}
