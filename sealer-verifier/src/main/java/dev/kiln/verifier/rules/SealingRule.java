package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.List;

/**
 * One thing a sealed image must not carry (virt-sysprep's one operation per file is the model): a stable id that
 * findings, reports and kiln.yaml relaxations use, the reason it matters, and the check.
 */
public interface SealingRule {
    /** Stable id, e.g. {@code ssh-hostkeys}; never renamed, since kiln.yaml relaxations name it. */
    String id();

    /** Why a cloned image must not carry this, in a sentence or two. */
    String why();

    /** What this rule finds in the image; empty when the image is clean. */
    List<Finding> check(ImageTree image, Expectations expected) throws IOException;

    default Finding finding(String path, String message) {
        return new Finding(id(), path, message);
    }
}
