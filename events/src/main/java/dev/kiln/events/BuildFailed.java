package dev.kiln.events;

import java.util.List;

/**
 * A format of a release could not be built.
 *
 * @param release  the release
 * @param format   the format that was not built
 * @param stage    the build stage that failed, e.g. {@code verify-upstream}
 * @param reason   what went wrong, for a person to act on
 * @param logTail  the last lines of the build log
 * @param buildLog where the whole build log is stored, or null when none was written
 */
public record BuildFailed(Release release, String format, String stage, String reason, @OptionalField List<String> logTail,
                          @OptionalField String buildLog)
        implements PerFormatEvent {
    public BuildFailed {
        Require.present(release, "release");
        Require.format(format, "format");
        Require.text(stage, "stage");
        Require.text(reason, "reason");
        reason = Capped.text(reason, Capped.TEXT);
        logTail = logTail == null ? List.of() : Capped.tail(logTail, Capped.LOG_LINES, Capped.LOG_LINE);
    }
}
