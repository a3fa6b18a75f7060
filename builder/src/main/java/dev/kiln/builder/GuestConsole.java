package dev.kiln.builder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The guest's serial console as QEMU wrote it during the build, where the template declares {@code console_log} and
 * points a {@code -serial file:} at it. Read only when a build fails: it shows what the guest did while Packer waited
 * for it (a guest whose SSH never answers leaves nothing else to go on).
 */
final class GuestConsole {
    /** The template variable kiln sets to the console file's path when the template declares it. */
    static final String VARIABLE = "console_log";
    /** How much of the console's end is read: a boot writes some tens of KiB, the end is what matters. */
    private static final int TAIL_BYTES = 64 * 1024;
    /** Terminal escape sequences (colours, cursor moves) that a console carries around its text. */
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]");
    private static final Pattern CONTROLS = Pattern.compile("[\\p{Cntrl}&&[^\t]]");

    private GuestConsole() {
    }

    /**
     * The console's last lines, as plain text: escape sequences and other control characters removed, blank lines
     * left out. Empty when there is no console file (the template does not write one, or the guest never started).
     */
    static List<String> tail(Path workspace, Path file, int lines) throws IOException, BuildFailure {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        Path console = SandboxOutput.file(workspace, file);
        byte[] end;
        try (SeekableByteChannel channel = Files.newByteChannel(console, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = channel.size();
            int length = (int) Math.min(size, TAIL_BYTES);
            channel.position(size - length);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // read on to the end
            }
            end = Arrays.copyOf(buffer.array(), buffer.position());
        }
        String text = ESCAPES.matcher(new String(end, StandardCharsets.UTF_8)).replaceAll("");
        List<String> printable = text.lines()
                .map(line -> CONTROLS.matcher(line).replaceAll("").strip())
                .filter(line -> !line.isEmpty())
                .toList();
        // The first line read may start mid-line: drop it when the file was longer than what was read.
        List<String> whole = end.length == TAIL_BYTES && !printable.isEmpty() ? printable.subList(1, printable.size()) : printable;
        return whole.subList(Math.max(0, whole.size() - lines), whole.size());
    }
}
