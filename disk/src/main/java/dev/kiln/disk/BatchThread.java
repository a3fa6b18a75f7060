package dev.kiln.disk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A service thread that does a tool's kind of work itself (digesting a disk in Java): scheduled as the tools are,
 * {@link ToolProcess#NICENESS} below its service, so the services' event handling and the broker (on the same cores) go
 * first. Only the calling thread is lowered, never the JVM's own threads; Linux keeps a niceness per thread, which Java
 * does not expose, so {@code renice} sets it on the thread's id. Where that cannot be done the thread runs on as it
 * was: a matter of speed only.
 */
public final class BatchThread {
    private static final ThreadLocal<Boolean> LOWERED = ThreadLocal.withInitial(() -> false);

    private BatchThread() {
    }

    /** Lowers the calling thread, once per thread; its niceness after, as Linux reports it (-1 when unknown). */
    public static int lowerThisThread() {
        if (!LOWERED.get()) {
            LOWERED.set(true);
            try {
                int now = niceness();
                String thread = Path.of("/proc/thread-self").toRealPath().getFileName().toString();
                int wanted = Math.min(19, now + ToolProcess.NICENESS);
                ToolProcess.runAtOwnPriority(List.of("renice", "-n", Integer.toString(wanted), "-p", thread), Duration.ofSeconds(10));
            } catch (IOException | RuntimeException e) {
                return -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        try {
            return niceness();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The calling thread's niceness (the 19th field of its stat, counted after the command name's closing parenthesis). */
    static int niceness() throws IOException {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }
}
