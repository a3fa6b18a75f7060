package dev.kiln.local;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a Packer build's time went, read from its output as {@code packer build -timestamp-ui} stamps it: booting the
 * source to its first SSH login, the Ansible run, and halting and saving the disk. The bench sets kiln's build and
 * the bare build side by side with it, so a gap between them is found in a phase.
 *
 * @param seconds each phase's length in whole seconds (Packer stamps to the second), in the order they ran
 */
record PackerPhases(Map<String, Long> seconds) {
    private static final Pattern STAMPED = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z): (.*)$");

    /** The phases of one build's output; empty when it lacks a stamp or a phase's mark (a failed or unstamped build). */
    static Optional<PackerPhases> of(List<String> output) {
        Instant start = null;
        Instant connected = null;
        Instant provisioned = null;
        Instant finished = null;
        for (String line : output) {
            Matcher m = STAMPED.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Instant at = Instant.parse(m.group(1));
            String text = m.group(2);
            if (start == null) {
                start = at;
            }
            if (connected == null && text.contains("Connected to SSH!")) {
                connected = at;
            } else if (connected != null && text.contains("PLAY RECAP")) {
                provisioned = at;
            } else if (provisioned != null && text.startsWith("Build '") && text.contains("' finished")) {
                finished = at;
            }
        }
        if (finished == null) {
            return Optional.empty();
        }
        Map<String, Long> seconds = new LinkedHashMap<>();
        seconds.put("boot to SSH", Duration.between(start, connected).toSeconds());
        seconds.put("Ansible", Duration.between(connected, provisioned).toSeconds());
        seconds.put("halt and save", Duration.between(provisioned, finished).toSeconds());
        return Optional.of(new PackerPhases(seconds));
    }

    @Override
    public String toString() {
        return seconds.toString().replace("=", " ").replace("}", " s}");
    }
}
