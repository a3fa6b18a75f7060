package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** random-seed: no saved entropy pool of the build machine. */
final class RandomSeedRule implements SealingRule {
    @Override
    public String id() {
        return "random-seed";
    }

    @Override
    public String why() {
        return "The saved random seed credits the kernel's pool at boot; every clone starting from the same seed begins "
                + "with the same, known randomness (keys and tokens made early in boot are then predictable).";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String seed : List.of("/var/lib/systemd/random-seed", "/var/lib/urandom/random-seed")) {
            if (image.exists(seed)) {
                findings.add(finding(seed, "saved random seed of the build machine"));
            }
        }
        return findings;
    }
}
