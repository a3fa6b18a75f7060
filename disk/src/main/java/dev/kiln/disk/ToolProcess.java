package dev.kiln.disk;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a tool (packer, qemu-img, sfdisk, e2fsprogs) as a child process: arguments as a list, never through a shell; output
 * line by line into the build log; stopped with its whole process tree (QEMU included) when it overruns.
 */
public final class ToolProcess {
    /** How a run ended. */
    public record Result(int exitCode, boolean timedOut, List<String> output) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** What it printed, as one text. */
        public String text() {
            return String.join("\n", output);
        }
    }

    private ToolProcess() {
    }

    /**
     * The command, started so that it dies with this service (SIGKILL when the thread that started it ends, which for a
     * tool run here is this service dying: {@link #run} waits for the tool in that thread). Not for a tool that must
     * outlive the thread that starts it.
     */
    public static List<String> diesWithThisService(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * The command as this service runs a tool: dying with it ({@link #diesWithThisService}) and niced {@value #NICENESS}
     * below it. A tool is batch work (a build, a conversion, a boot test) that takes every core it gets; the services and
     * the broker only need a moment now and then, and an event's hop should not wait behind a disk being decoded.
     */
    public static List<String> asTool(List<String> command) {
        return diesWithThisService(niced(NICENESS, command));
    }

    /** The command under {@code nice -n steps}, which execs it: the process (its pid, its signals) is the command's. */
    public static List<String> niced(int steps, List<String> command) {
        List<String> niced = new ArrayList<>(List.of("nice", "-n", Integer.toString(steps), "--"));
        niced.addAll(command);
        return niced;
    }

    /** How far below the service that runs it a tool is scheduled (relative, as {@code nice -n} counts). */
    public static final int NICENESS = 5;

    /**
     * A tool that yields to the other tools: niced {@code steps} further than they are (run it as any tool; the ranks
     * between tools are stated where each is run, e.g. the verifier's boot behind the builder's conversions).
     */
    public static List<String> behindOtherTools(int steps, List<String> command) {
        return niced(steps, command);
    }

    public static Result run(List<String> command, Path directory, Map<String, String> environment, Duration timeout,
                             Consumer<String> log) throws IOException, InterruptedException {
        return run(command, directory, environment, true, timeout, log, process -> { });
    }

    /**
     * The same, for untrusted work: with {@code inherit} false the tool sees only {@code environment} (an allow-list,
     * so no credential of this service leaks into it), and {@code started} sees the process as soon as it runs (to
     * attach what it needs, e.g. a network).
     */
    public static Result run(List<String> command, Path directory, Map<String, String> environment, boolean inherit, Duration timeout,
                             Consumer<String> log, Consumer<Process> started) throws IOException, InterruptedException {
        return run(command, asTool(command), directory, environment, inherit, timeout, log, started);
    }

    /**
     * Runs a program at this process's own priority, not niced as a tool: for a load that must compete with the server it
     * measures on equal terms (the bench's wrk). Otherwise as {@link #run(List, Duration)}.
     */
    public static Result runAtOwnPriority(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return run(command, diesWithThisService(command), Path.of("").toAbsolutePath(), Map.of(), true, timeout, line -> { }, process -> { });
    }

    /** Runs {@code launched}, which is {@code command} as it is started (wrapped), and reports it as {@code command}. */
    private static Result run(List<String> command, List<String> launched, Path directory, Map<String, String> environment, boolean inherit,
                              Duration timeout, Consumer<String> log, Consumer<Process> started) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(launched).directory(directory.toFile()).redirectErrorStream(true);
        if (!inherit) {
            builder.environment().clear();
        }
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " could not be started (is it installed? ./kiln setup installs it): " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        try {
            started.accept(process);
        } catch (RuntimeException e) {
            stop(process);
            throw e;
        }
        List<String> output = new ArrayList<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    log.accept(line);
                }
            } catch (IOException ignored) {
                // the process is gone; what it printed so far is logged
            }
        }, "tool-output");
        pump.setDaemon(true);
        pump.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            stop(process);
            throw e;
        }
        if (!finished) {
            stop(process);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (output) {
            if (finished && process.exitValue() == 127 && output.stream().anyMatch(l -> l.startsWith("setpriv: failed to execute")
                    || l.startsWith("nice: "))) {
                throw new IOException(command.get(0) + " could not be started (is it installed? ./kiln setup installs it): " + output);
            }
            return new Result(finished ? process.exitValue() : -1, !finished, List.copyOf(output));
        }
    }

    /** Runs a tool in the current directory with this process's environment, its output kept, not logged. */
    public static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        return run(command, Path.of("").toAbsolutePath(), Map.of(), timeout, line -> { });
    }

    /** Runs a quick tool and returns its output, failing with that output when it does not exit 0. */
    public static String check(List<String> command, Path directory, Duration timeout, Consumer<String> log)
            throws IOException, InterruptedException {
        Result result = run(command, directory, Map.of(), timeout, log);
        if (!result.ok()) {
            throw new IOException(String.join(" ", command) + (result.timedOut() ? " timed out" : " exited with " + result.exitCode())
                    + ": " + String.join("\n", result.output()));
        }
        return String.join("\n", result.output());
    }

    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        Thread.sleep(2000);
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
