package dev.kiln.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A machine booted in QEMU from the upstream image (or a disk made on it), for a test that logs in as a build does:
 * its serial console in a file, its SSH port forwarded to a free loopback port, the build login's key from the image.
 * Under KILN_QEMU_ACCELERATOR (what ./kiln found works here; TCG when unset).
 */
public final class UpstreamGuest implements AutoCloseable {
    /** The login scripts/build-upstream-image gives the build's key to. */
    public static final String BUILD_USER = "kiln-build";

    private final Process qemu;
    private final Path dir;
    private final int sshPort;
    private final Path key;

    private UpstreamGuest(Process qemu, Path dir, int sshPort, Path key) {
        this.qemu = qemu;
        this.dir = dir;
        this.sshPort = sshPort;
        this.key = key;
    }

    /**
     * Boots the qcow2 {@code disk}; with {@code snapshot} its writes go to a temporary overlay and the disk is never
     * changed. The console and QEMU's own output are written in {@code dir}.
     */
    public static UpstreamGuest boot(UpstreamImage upstream, Path disk, boolean snapshot, Path dir) throws IOException {
        int ssh = LoopbackPorts.free();
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64",
                "-machine", "accel=" + dev.kiln.disk.QemuAccelerator.fromEnvironment(), "-cpu", "max",
                "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none", "-no-reboot",
                "-drive", "file=" + dev.kiln.disk.QemuOpts.value(disk) + ",if=virtio,format=qcow2",
                "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:" + ssh + "-:22", "-device", "virtio-net-pci,netdev=n0",
                "-serial", "file:" + dir.resolve("console.log")));
        if (snapshot) {
            command.add("-snapshot");
        }
        Process qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        return new UpstreamGuest(qemu, dir, ssh, upstream.buildKey());
    }

    public int sshPort() {
        return sshPort;
    }

    /** ssh to the build login; {@code options} (say, a control master) go before the destination. A command follows. */
    public List<String> ssh(List<String> options) {
        List<String> ssh = new ArrayList<>(List.of("ssh", "-i", key.toString(), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"));
        ssh.addAll(options);
        ssh.addAll(List.of("-p", Integer.toString(sshPort), BUILD_USER + "@127.0.0.1"));
        return ssh;
    }

    /** Until {@code marker} is on the serial console; fails with the console if QEMU ends or the time runs out. */
    public void awaitConsole(String marker, Duration timeout) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!console().contains(marker)) {
            requireRunning();
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no '" + marker + "' on the serial console within " + timeout + ":\n" + console());
            }
            Thread.sleep(1000);
        }
    }

    /** {@code login} (an {@link #ssh} command line) running {@code command}. */
    public static List<String> running(List<String> login, String command) {
        List<String> line = new ArrayList<>(login);
        line.add(command);
        return line;
    }

    /**
     * Runs {@code command} through {@code login} (an {@link #ssh} command line) until it succeeds, and returns its
     * output (without ssh's warnings); fails with the console if QEMU ends or the time runs out.
     */
    public String awaitSsh(List<String> login, String command, Duration timeout) throws IOException, InterruptedException {
        List<String> line = running(login, command);
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (true) {
            Process ssh = new ProcessBuilder(line).redirectErrorStream(true).start();
            last = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^Warning: .*\\R", "");
            if (ssh.waitFor() == 0) {
                return last.trim();
            }
            requireRunning();
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the build login could not log in within " + timeout + " (" + last.trim() + "):\n" + console());
            }
            Thread.sleep(2000);
        }
    }

    /** Whether the machine powered itself off within {@code timeout}. */
    public boolean poweredOffWithin(Duration timeout) throws InterruptedException {
        return qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The serial console so far. */
    public String console() throws IOException {
        Path console = dir.resolve("console.log");
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    }

    private void requireRunning() throws IOException {
        if (!qemu.isAlive()) {
            throw new AssertionError("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(dir.resolve("qemu.log")));
        }
    }

    @Override
    public void close() throws InterruptedException {
        qemu.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

}
