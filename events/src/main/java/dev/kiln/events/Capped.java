package dev.kiln.events;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Limits for the event fields that grow with what went wrong (reasons, log tails, findings): an event always fits
 * the broker's message limit (1 MiB by default) with room to spare, and what was cut says so, visibly, where it was cut.
 * Applied by the records themselves, so no producer can emit an oversized event and none decoded is oversized.
 */
public final class Capped {
    /** A reason or message, in characters. */
    public static final int TEXT = 4096;
    /** Lines of a log tail, and characters per line. */
    public static final int LOG_LINES = 100;
    public static final int LOG_LINE = 1000;
    /** Findings of one rejection. */
    public static final int FINDINGS = 200;

    private Capped() {
    }

    /** {@code text} cut to {@code max} characters, ending with a marker that says how much was cut. */
    public static String text(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        String marker = " … [" + (text.length() - max) + " more characters cut]";
        return text.substring(0, Math.max(0, max - marker.length())) + marker;
    }

    /** The last {@code maxLines} lines (a tail keeps its end), each cut to {@code maxLine}; a first line says what was left out. */
    public static List<String> tail(List<String> lines, int maxLines, int maxLine) {
        List<String> kept = new ArrayList<>();
        int skipped = Math.max(0, lines.size() - maxLines);
        if (skipped > 0) {
            kept.add("… [" + (skipped + 1) + " earlier lines cut; the whole log is in the build log]");
        }
        for (String line : lines.subList(skipped == 0 ? 0 : skipped + 1, lines.size())) {
            kept.add(text(line, maxLine));
        }
        return List.copyOf(kept);
    }

    /** The first {@code max} items; the last one kept is replaced by what {@code more} makes of the number left out. */
    public static <T> List<T> head(List<T> items, int max, Function<Integer, T> more) {
        if (items.size() <= max) {
            return List.copyOf(items);
        }
        List<T> kept = new ArrayList<>(items.subList(0, max - 1));
        kept.add(more.apply(items.size() - (max - 1)));
        return List.copyOf(kept);
    }
}
