package dev.kiln.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the commands that set up and stop the servers; arguments go to exec directly, never through a shell. */
public final class ChildProcess {
    private ChildProcess() {
    }

    /** Runs to completion, output appended to {@code log}; fails with the log's tail when the exit code is not 0. */
    static void run(List<String> command, Path log, Duration timeout) {
        run(command, java.util.Map.of(), log, timeout);
    }

    /** The same, with extra environment (secrets go there, never into the command line). */
    static void run(List<String> command, java.util.Map<String, String> environment, Path log, Duration timeout) {
        Process process = start(command, environment, log);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within " + timeout + "; log: " + log
                        + "\n" + tail(log, 20));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(describe(command) + " exited with " + process.exitValue()
                    + "; log: " + log + "\n" + tail(log, 20));
        }
    }

    /** The command for a message: a classpath argument would drown everything else, so it is left out. */
    private static String describe(List<String> command) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < command.size(); i++) {
            boolean classpath = i > 0 && command.get(i - 1).equals("-cp");
            text.append(i == 0 ? "" : " ").append(classpath ? "<classpath>" : command.get(i));
        }
        return text.toString();
    }

    static Process start(List<String> command, Path log) {
        return start(command, java.util.Map.of(), log);
    }

    static Process start(List<String> command, java.util.Map<String, String> environment, Path log) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            return builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0), e);
        }
    }

    /** Stops gracefully, then forcibly after the grace period. */
    public static void stop(Process process, Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
