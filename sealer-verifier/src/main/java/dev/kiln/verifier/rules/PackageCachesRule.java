package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** package-caches: no downloaded packages or package lists of the build. */
final class PackageCachesRule implements SealingRule {
    @Override
    public String id() {
        return "package-caches";
    }

    @Override
    public String why() {
        return "Downloaded packages and index lists are large, stale the day after the build, and say which mirror and "
                + "credentials the build used; a clone fetches fresh lists when it needs them.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String file : image.filesUnder("/var/cache/apt")) {
            if (file.endsWith(".deb") || file.endsWith(".bin")) {
                findings.add(finding(file, "apt's cache of the build"));
            }
        }
        for (String file : image.filesUnder("/var/lib/apt/lists")) {
            if (!file.endsWith("/lock") && image.size(file) > 0) {
                findings.add(finding(file, "a package list of the build's mirror"));
            }
        }
        for (String dir : List.of("/var/cache/dnf", "/var/cache/yum")) {
            for (String file : image.filesUnder(dir)) {
                if (file.endsWith(".rpm") || file.endsWith(".solv") || file.endsWith("repomd.xml")) {
                    findings.add(finding(file, "the package manager's cache of the build"));
                }
            }
        }
        return findings;
    }
}
