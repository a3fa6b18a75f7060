package dev.kiln.events;

import java.util.List;

/**
 * What the sealer-verifier proved about one artifact.
 *
 * @param reportLocation where the full report is stored
 * @param rulesChecked   ids of the sealing rules that ran
 * @param relaxed        findings a kiln.yaml policy allowed, each with its reason in the message
 * @param bootMillis     time from power-on to the boot marker
 */
public record VerificationSummary(String reportLocation, List<String> rulesChecked, @OptionalField List<Finding> relaxed,
                                  long bootMillis) {
    public VerificationSummary {
        Require.text(reportLocation, "reportLocation");
        rulesChecked = List.copyOf(Require.present(rulesChecked, "rulesChecked"));
        relaxed = relaxed == null ? List.of() : List.copyOf(relaxed);
        Require.notNegative(bootMillis, "bootMillis");
    }
}
