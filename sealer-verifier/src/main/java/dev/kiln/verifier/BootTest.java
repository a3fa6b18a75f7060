package dev.kiln.verifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Boots a disk in QEMU from the disk alone (under the configured accelerator), copy-on-write ({@code -snapshot}) so the
 * artifact is never changed, and waits for the boot marker on the serial console.
 */
final class BootTest {
    private final Duration timeout;
    private final Pattern marker;
    private final VerifierConfig.Accelerator accelerator;

    BootTest(Duration timeout, Pattern marker, VerifierConfig.Accelerator accelerator) {
        this.timeout = timeout;
        this.marker = marker;
        this.accelerator = accelerator;
    }

    /**
     * Boots under way in this verifier at most: each guest has 2 vCPUs and 1 GiB, and more of them at once on a small
     * host only makes every one slower (under TCG, towards the boot timeout) while the other verifications decode.
     */
    private static final java.util.concurrent.Semaphore BOOTS = new java.util.concurrent.Semaphore(2, true);

    /** Milliseconds from power-on to the marker. */
    long boot(Path disk, String qemuFormat, Path workspace) throws Rejection, IOException, InterruptedException {
        BOOTS.acquire();
        try {
            return bootNow(disk, qemuFormat, workspace);
        } finally {
            BOOTS.release();
        }
    }

    private long bootNow(Path disk, String qemuFormat, Path workspace) throws Rejection, IOException, InterruptedException {
        Path console = workspace.resolve("console.log");
        Path qemuLog = workspace.resolve("qemu.log");
        Files.deleteIfExists(console);
        boolean kvm = accelerator == VerifierConfig.Accelerator.kvm;
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64",
                "-machine", kvm ? "accel=kvm" : "accel=tcg", "-cpu", kvm ? "host" : "max", "-m", "1024", "-smp", "2",
                "-display", "none", "-monitor", "none", "-no-reboot", "-snapshot",
                "-drive", "file=" + disk.toAbsolutePath() + ",if=virtio,format=" + qemuFormat,
                // restrict=on: the image gets its NIC and a DHCP answer, but no path to this host (10.0.2.2 would be its
                // loopback: the broker, the database) or anywhere else. Booting needs no network.
                "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
                "-serial", "file:" + console));
        long start = System.nanoTime();
        // Waited for in this thread: a verifier killed mid-boot takes its QEMU with it.
        Process qemu = new ProcessBuilder(dev.kiln.disk.ToolProcess.asTool(command)).redirectErrorStream(true)
                .redirectOutput(qemuLog.toFile()).start();
        try {
            long deadline = start + timeout.toNanos();
            while (true) {
                if (marker.matcher(read(console)).find()) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
                if (!qemu.isAlive()) {
                    throw new Rejection("boot", "", "QEMU stopped (exit " + qemu.exitValue() + ") before the boot marker '" + marker
                            + "': " + tail(read(qemuLog) + read(console)));
                }
                if (System.nanoTime() > deadline) {
                    throw new Rejection("boot", "", "the image did not boot: no '" + marker + "' on the serial console within "
                            + timeout.toSeconds() + " s; console ends with: " + tail(read(console)));
                }
                Thread.sleep(100); // the console is a small file; a boot is seen within a tenth of a second
            }
        } finally {
            qemu.destroyForcibly();
            qemu.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    }

    private static String tail(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}&&[^\n]]", "").strip();
        return clean.isEmpty() ? "(nothing)" : clean.substring(Math.max(0, clean.length() - 600));
    }
}
