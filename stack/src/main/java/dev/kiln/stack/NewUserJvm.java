package dev.kiln.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of the test's own classpath whose home is new and empty: what a service meets on a new machine or as a new
 * user, where nothing a library keeps per user (JGit's measurement of the file system, in ~/.config/jgit/config) has
 * been made yet.
 */
public final class NewUserJvm {
    private static final String MEASURED_AT_RETURN = "jgit had measured the file system when the work returned: ";
    private static final String MEASURED_LATER = "jgit had measured the file system within a minute: ";

    private NewUserJvm() {
    }

    /** What the JVM said of JGit's measurement; {@code output} is all it printed. */
    public record JGitMeasurement(boolean whenTheWorkReturned, boolean withinAMinute, String output) {
    }

    /**
     * Runs {@code main} with {@code args} in such a JVM (its home and temporary directory under {@code dir}); the main
     * does its work and then calls {@link #reportJGitMeasurement()}.
     */
    public static JGitMeasurement run(Path dir, Class<?> main, String... args) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path out = dir.resolve("jvm-output.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder jvm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        // JGit prefers XDG_CONFIG_HOME to the home for its per-user file.
        jvm.environment().remove("XDG_CONFIG_HOME");
        Process process = jvm.start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(main.getSimpleName() + " did not end within 3 minutes: " + Files.readString(out));
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed (exit " + process.exitValue() + "): " + output);
        }
        return new JGitMeasurement(output.contains(MEASURED_AT_RETURN + true), output.contains(MEASURED_LATER + true), output);
    }

    /** In the JVM {@link #run} started, once its work has returned: whether JGit's measurement was saved then, and later. */
    public static void reportJGitMeasurement() throws IOException, InterruptedException {
        Path config = Path.of(System.getProperty("user.home"), ".config", "jgit", "config");
        System.out.println(MEASURED_AT_RETURN + measured(config));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!measured(config) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        System.out.println(MEASURED_LATER + measured(config));
    }

    private static boolean measured(Path config) throws IOException {
        return Files.exists(config) && Files.readString(config).contains("timestampResolution");
    }
}
