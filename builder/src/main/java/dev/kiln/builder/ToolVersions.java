package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The versions of the tools a build runs, read from the tools themselves, for every event's provenance. */
final class ToolVersions {
    private static final Pattern VERSION = Pattern.compile("(\\d+\\.\\d+(\\.\\d+)?)");

    private ToolVersions() {
    }

    static Map<String, String> read() {
        Map<String, String> tools = new LinkedHashMap<>();
        tools.put("packer", version(List.of("packer", "version")));
        tools.put("ansible", version(List.of("ansible", "--version")));
        tools.put("qemu-img", version(List.of("qemu-img", "--version")));
        // mke2fs lays out the re-mastered file system: another version may lay it out differently.
        tools.put("e2fsprogs", version(List.of("mke2fs", "-V")));
        return tools;
    }

    private static String version(List<String> command) {
        try {
            String out = ToolProcess.check(command, Path.of("."), Duration.ofSeconds(30), line -> { });
            Matcher m = VERSION.matcher(out);
            return m.find() ? m.group(1) : "unknown";
        } catch (Exception e) {
            return "missing";
        }
    }
}
