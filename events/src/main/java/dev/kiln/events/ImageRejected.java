package dev.kiln.events;

import java.util.List;

/**
 * A built artifact failed verification: it must never be published.
 *
 * @param release        the release
 * @param format         the rejected format
 * @param sha256         digest of the artifact that was checked
 * @param reportLocation where the full report is stored
 * @param findings       why it was rejected; never empty
 */
public record ImageRejected(Release release, String format, String sha256, String reportLocation, List<Finding> findings)
        implements PerFormatEvent {
    public ImageRejected {
        Require.present(release, "release");
        Require.format(format, "format");
        Require.sha256(sha256, "sha256");
        Require.text(reportLocation, "reportLocation");
        findings = Capped.head(Require.present(findings, "findings"), Capped.FINDINGS,
                more -> new Finding("truncated", "", more + " more findings are in the report"));
        if (findings.isEmpty()) {
            throw new InvalidField("findings", "must name at least one finding");
        }
    }
}
