package dev.kiln.verifier;

import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the operator lets image repositories loosen: the rules a kiln.yaml may relax ({@code kiln.verifier.relaxable-rules},
 * none by default) and whether file systems kiln cannot read may ship ({@code kiln.verifier.allow-uninspectable}).
 * ssh-hostkeys and build-credentials are never relaxed, whatever the configuration says: they are what makes a clone
 * safe to run.
 */
public record OperatorPolicy(Set<String> relaxableRules, boolean allowUninspectable) {
    public static final Set<String> NEVER_RELAXED = Set.of("ssh-hostkeys", "build-credentials");
    static final String RULE = "policy";

    public OperatorPolicy {
        relaxableRules = Set.copyOf(relaxableRules);
    }

    /** Nothing relaxable, nothing uninspectable: the default. */
    public static OperatorPolicy strict() {
        return new OperatorPolicy(Set.of(), false);
    }

    /** Whether a kiln.yaml may relax this rule here. */
    boolean mayRelax(String rule) {
        return !NEVER_RELAXED.contains(rule) && relaxableRules.contains(rule);
    }

    /** Findings for every relaxation in kiln.yaml that this operator does not allow; each names the setting to change. */
    List<Finding> refused(KilnFile.Verify requested, Collection<String> knownRules) {
        List<Finding> refused = new ArrayList<>();
        for (KilnFile.Relaxation relaxation : requested.relax()) {
            String rule = relaxation.rule();
            if (!knownRules.contains(rule)) {
                refused.add(new Finding(RULE, "kiln.yaml", "verify.relax names '" + rule + "', which is not a sealing rule; the rules are "
                        + String.join(", ", new TreeSet<>(knownRules))));
            } else if (NEVER_RELAXED.contains(rule)) {
                refused.add(new Finding(RULE, "kiln.yaml", "verify.relax names '" + rule + "', which can never be relaxed: "
                        + "every clone of the image would share what it protects"));
            } else if (!mayRelax(rule)) {
                refused.add(new Finding(RULE, "kiln.yaml", "verify.relax names '" + rule + "', which this kiln does not let image "
                        + "repositories relax; its operator can allow it with kiln.verifier.relaxable-rules (now: "
                        + (relaxableRules.isEmpty() ? "none" : String.join(",", new TreeSet<>(relaxableRules))) + ")"));
            }
        }
        return refused;
    }
}
