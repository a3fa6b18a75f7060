package dev.kiln.verifier;

import dev.kiln.events.Finding;

import java.util.List;
import java.util.Map;

/**
 * What the sealer-verifier found about one image: stored per image, version and format, served by the REST API,
 * printed by the command line.
 *
 * @param verdict      {@code verified} or {@code rejected}
 * @param findings     what failed (empty when verified)
 * @param relaxed      findings a kiln.yaml policy allowed, each message ending with the policy's reason
 * @param rulesChecked the rules that ran, by id, with why each matters
 * @param phaseMillis  how long each phase took: fetch, digest, decode, inspect, boot (power-on to marker; a raw file's
 *                     boot runs beside its digest and inspection, so the phases can add up to more than the whole)
 * @param bootMillis   power-on to boot marker; 0 when the boot test did not run
 */
public record VerificationReport(String image, String version, String format, String commit, String sha256, String rawSha256,
                                 String verdict, List<Finding> findings, List<Finding> relaxed, Map<String, String> rulesChecked,
                                 Map<String, Long> phaseMillis, long bootMillis) {
    public static final String VERIFIED = "verified";
    public static final String REJECTED = "rejected";

    public boolean verified() {
        return VERIFIED.equals(verdict);
    }
}
