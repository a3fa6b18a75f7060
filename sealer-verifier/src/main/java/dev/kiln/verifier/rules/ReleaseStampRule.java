package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** release-stamp: /etc/release names the image, version and commit this release is. */
final class ReleaseStampRule implements SealingRule {
    @Override
    public String id() {
        return "release-stamp";
    }

    @Override
    public String why() {
        return "A running machine must be able to say which release it was started from; an image stamped with another "
                + "version than its own is mislabelled and would be published under the wrong name.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        Optional<String> stamp = image.read("/etc/release");
        if (stamp.isEmpty()) {
            return List.of(finding("/etc/release", "missing; the release-stamp role writes it"));
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : stamp.get().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        List<Finding> findings = new ArrayList<>();
        compare(findings, values, "VERSION", expected.version());
        compare(findings, values, "IMAGE", expected.image());
        compare(findings, values, "COMMIT", expected.commit());
        return findings;
    }

    private void compare(List<Finding> findings, Map<String, String> values, String key, String expected) {
        String actual = values.get(key);
        if (actual == null && expected == null) {
            findings.add(finding("/etc/release", key + " is missing"));
        } else if (expected != null && !expected.equals(actual)) {
            findings.add(finding("/etc/release", key + " is " + (actual == null ? "missing" : "'" + actual + "'") + ", expected '" + expected + "'"));
        }
    }
}
