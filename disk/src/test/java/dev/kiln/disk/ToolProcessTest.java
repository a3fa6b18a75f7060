package dev.kiln.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ToolProcessTest {
    @TempDir
    Path temp;

    /** A service running a tool, as the builder runs qemu-img: the JVM that ToolProcessTest kills. */
    public static final class ServiceRunningATool {
        public static void main(String[] args) throws Exception {
            ToolProcess.run(List.of("sleep", args[0]), Path.of("."), Map.of(), Duration.ofMinutes(10), line -> { });
        }
    }

    @Test
    void aToolDiesWithTheServiceThatRanIt() throws Exception {
        String marker = Long.toString(100_000 + (System.nanoTime() % 100_000));
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServiceRunningATool.class.getName(), marker)
                .redirectErrorStream(true).redirectOutput(temp.resolve("service.log").toFile()).start();
        ProcessHandle tool = awaitTool(marker).orElseThrow(() -> new AssertionError("the tool did not start: " + read(temp.resolve("service.log"))));

        service.toHandle().destroyForcibly();
        service.waitFor();
        Instant deadline = Instant.now().plusSeconds(10);
        while (tool.isAlive() && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        assertFalse(tool.isAlive(), "the tool outlived its service (kill -9)");
    }

    @Test
    void aToolRunsNicedBelowTheServiceThatRanIt() throws Exception {
        // `nice` with no command prints the niceness it runs at: here as a plain child, then as a tool.
        Process plain = new ProcessBuilder("nice").redirectErrorStream(true).start();
        int service = Integer.parseInt(new String(plain.getInputStream().readAllBytes()).strip());
        plain.waitFor();
        assumeTrue(service + ToolProcess.NICENESS <= 19, "this test runs at niceness " + service + ": no room below it to see");
        ToolProcess.Result tool = ToolProcess.run(List.of("nice"), temp, Map.of(), Duration.ofSeconds(10), line -> { });
        assertTrue(tool.ok(), tool.text());
        assertEquals(service + ToolProcess.NICENESS, Integer.parseInt(tool.text().strip()), "a tool's niceness");
        ToolProcess.Result load = ToolProcess.runAtOwnPriority(List.of("nice"), Duration.ofSeconds(10));
        assertEquals(service, Integer.parseInt(load.text().strip()), "a program run at the service's own priority");
        assumeTrue(service + ToolProcess.NICENESS + 3 <= 19, "no room for a tool behind the others");
        ToolProcess.Result behind = ToolProcess.run(ToolProcess.behindOtherTools(3, List.of("nice")), temp, Map.of(), Duration.ofSeconds(10), line -> { });
        assertEquals(service + ToolProcess.NICENESS + 3, Integer.parseInt(behind.text().strip()), "a tool behind the other tools");
    }

    @Test
    void aToolThatIsNotInstalledSaysSo() {
        IOException e = assertThrows(IOException.class,
                () -> ToolProcess.run(List.of("no-such-kiln-tool"), temp, Map.of(), Duration.ofSeconds(10), line -> { }));
        assertTrue(e.getMessage().contains("no-such-kiln-tool could not be started (is it installed?"), e.getMessage());
    }

    @Test
    void aToolsOutputAndExitCodeAreItsOwn() throws Exception {
        ToolProcess.Result result = ToolProcess.run(List.of("sh", "-c", "echo hello; exit 3"), temp, Map.of(), Duration.ofSeconds(10), line -> { });
        assertEquals(3, result.exitCode());
        assertEquals(List.of("hello"), result.output());
    }

    private static Optional<ProcessHandle> awaitTool(String marker) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            Optional<ProcessHandle> found = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().map(c -> c.endsWith("sleep " + marker)).orElse(false)).findFirst();
            if (found.isPresent()) {
                return found;
            }
            Thread.sleep(100);
        }
        return Optional.empty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
