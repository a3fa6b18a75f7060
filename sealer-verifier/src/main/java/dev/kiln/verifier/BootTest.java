package dev.kiln.verifier;

import org.jboss.logging.Logger;

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
    private final dev.kiln.disk.QemuAccelerator accelerator;

    BootTest(Duration timeout, Pattern marker, dev.kiln.disk.QemuAccelerator accelerator) {
        this.timeout = timeout;
        this.marker = marker;
        this.accelerator = accelerator;
    }

    /**
     * Boots under way in this verifier at most: each guest has 2 vCPUs and 1 GiB, and more of them at once on a small
     * host only makes every one slower (under TCG, towards the boot timeout) while the other verifications decode.
     */
    private static final java.util.concurrent.Semaphore BOOTS = new java.util.concurrent.Semaphore(2, true);

    /**
     * Boots in all when QEMU itself dies of a signal before the marker (seen once under TCG on a loaded 2-core host:
     * SIGSEGV 2 s into the guest's PCI scan, while the same disk booted in another format): the emulator's crash is not
     * a finding about the image, so the boot is tried again; an image that crashes it every time is rejected.
     */
    static final int CRASHED_BOOTS_TRIED = 3;

    private static final Logger LOG = Logger.getLogger(BootTest.class);

    /**
     * How far below the other tools (the builder's conversions above all) a boot test is scheduled. A boot under TCG
     * takes every core it is given, and the conversion it slowed is the VMDK's compression, which that format's and the
     * OVA's verifications wait for. Measured (./kiln bench, six releases against eight before): the VMDK was ready
     * 16.9 s after the raw disk on average against 19.5 s, and the boot took 28–30 s either way. The decoding of formats
     * is niced further still ({@link DecodedImage}).
     */
    static final int BOOT_NICENESS = 3;

    /** Milliseconds from power-on to the marker (of the boot that reached it). */
    long boot(Path disk, String qemuFormat, Path workspace) throws Rejection, IOException, InterruptedException {
        BOOTS.acquire();
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    return bootNow(disk, qemuFormat, workspace);
                } catch (EmulatorCrashed crash) {
                    if (attempt == CRASHED_BOOTS_TRIED) {
                        throw new Rejection("boot", "", "QEMU died of signal " + crash.signal + " before the boot marker '" + marker
                                + "' in each of " + CRASHED_BOOTS_TRIED + " boots: if other images boot on this verifier, this disk is what crashes "
                                + "QEMU; if none does, look at the host (its kernel log, its memory); the console ends with: " + crash.consoleTail);
                    }
                    LOG.warnf("QEMU died of signal %d booting %s (boot %d of at most %d), booting it again; the console ended with: %s",
                            crash.signal, disk.getFileName(), attempt, CRASHED_BOOTS_TRIED, crash.consoleTail);
                }
            }
        } finally {
            BOOTS.release();
        }
    }

    /** QEMU ended by a signal (its exit value above 128), not by exiting. */
    private static final class EmulatorCrashed extends Exception {
        final int signal;
        final String consoleTail;

        EmulatorCrashed(int signal, String consoleTail) {
            super("QEMU died of signal " + signal, null, false, false);
            this.signal = signal;
            this.consoleTail = consoleTail;
        }
    }

    private long bootNow(Path disk, String qemuFormat, Path workspace) throws Rejection, EmulatorCrashed, IOException, InterruptedException {
        Path console = workspace.resolve("console.log");
        Path qemuLog = workspace.resolve("qemu.log");
        Files.deleteIfExists(console);
        boolean kvm = accelerator == dev.kiln.disk.QemuAccelerator.kvm;
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64",
                "-machine", kvm ? "accel=kvm" : "accel=tcg", "-cpu", kvm ? "host" : "max", "-m", "1024", "-smp", "2",
                "-display", "none", "-monitor", "none", "-no-reboot", "-snapshot",
                "-drive", "file=" + dev.kiln.disk.QemuOpts.value(disk.toAbsolutePath()) + ",if=virtio,format=" + qemuFormat,
                // restrict=on: the image gets its NIC and a DHCP answer, but no path to this host (10.0.2.2 would be its
                // loopback: the broker, the database) or anywhere else. Booting needs no network.
                "-netdev", "user,id=n0,restrict=on", "-device", "virtio-net-pci,netdev=n0",
                "-serial", "file:" + console));
        long start = System.nanoTime();
        // Waited for in this thread: a verifier killed mid-boot takes its QEMU with it.
        Process qemu = new ProcessBuilder(dev.kiln.disk.ToolProcess.asTool(dev.kiln.disk.ToolProcess.behindOtherTools(BOOT_NICENESS, command)))
                .redirectErrorStream(true)
                .redirectOutput(qemuLog.toFile()).start();
        try {
            long deadline = start + timeout.toNanos();
            while (true) {
                if (marker.matcher(read(console)).find()) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
                if (!qemu.isAlive()) {
                    if (qemu.exitValue() > 128) {
                        throw new EmulatorCrashed(qemu.exitValue() - 128, tail(read(qemuLog) + read(console)));
                    }
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
