package dev.kiln.events;

import java.util.List;

/**
 * The answer to a {@link RebuildRequested}: a builder rebuilt the release from scratch and compared every format
 * with what was recorded.
 *
 * @param rebuildId      the request's id
 * @param release        the release
 * @param builder        which builder instance rebuilt it
 * @param verdict        {@code bit-identical}, {@code differs} (see differences and the report) or {@code failed}
 *                       (the rebuild did not finish; see reason)
 * @param formats        recorded and rebuilt digest of each format
 * @param differences    what differs, one line each, for a person; capped, with a last line that says so
 * @param reason         why the rebuild failed, or null
 * @param reportLocation the full difference report (and for a failure, the build log), or null when identical
 */
public record ImageRebuilt(String rebuildId, Release release, String builder, String verdict, List<FormatDigests> formats,
                           List<String> differences, @OptionalField String reason, @OptionalField String reportLocation)
        implements KilnEvent {
    public static final String BIT_IDENTICAL = "bit-identical";
    public static final String DIFFERS = "differs";
    public static final String FAILED = "failed";
    /** At most this many difference lines travel in the event; the report has them all. */
    public static final int MAX_DIFFERENCES = 200;

    public ImageRebuilt {
        Require.uuid(rebuildId, "rebuildId");
        Require.present(release, "release");
        Require.text(builder, "builder");
        if (!List.of(BIT_IDENTICAL, DIFFERS, FAILED).contains(verdict)) {
            throw new InvalidField("verdict", "must be bit-identical, differs or failed, but was '" + verdict + "'");
        }
        formats = List.copyOf(Require.present(formats, "formats"));
        differences = Capped.head(Require.present(differences, "differences"), MAX_DIFFERENCES + 1,
                more -> "… " + more + " more lines in the report").stream().map(line -> Capped.text(line, Capped.LOG_LINE)).toList();
        if (verdict.equals(FAILED)) {
            Require.text(reason, "reason");
        }
        reason = Capped.text(reason, Capped.TEXT);
    }

    /**
     * One format's digests.
     *
     * @param format         the format
     * @param recordedSha256 what the registry recorded
     * @param rebuiltSha256  what the rebuild made, or null when the rebuild did not make this format
     */
    public record FormatDigests(String format, String recordedSha256, @OptionalField String rebuiltSha256) {
        public FormatDigests {
            Require.format(format, "format");
            Require.sha256(recordedSha256, "recordedSha256");
            if (rebuiltSha256 != null) {
                Require.sha256(rebuiltSha256, "rebuiltSha256");
            }
        }

        public boolean identical() {
            return recordedSha256.equals(rebuiltSha256);
        }
    }
}
