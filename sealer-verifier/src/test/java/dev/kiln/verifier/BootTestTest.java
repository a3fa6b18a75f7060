package dev.kiln.verifier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boot test gives the image no path to the verifier's host: a unit in the image tries a port this test listens on
 * (as the broker or the database would, on the host's loopback: 10.0.2.2 in QEMU's user network) while it boots, and
 * reaches nothing.
 */
class BootTestTest {
    @TempDir
    Path temp;

    @Test
    void aBootingImageCannotReachTheHostsLoopbackServices() throws Exception {
        try (ServerSocket service = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = service.getLocalPort();
            String unit = """
                    [Unit]
                    Description=kiln test: try the host's loopback services
                    After=network.target
                    Before=getty.target serial-getty@ttyS0.service

                    [Service]
                    Type=oneshot
                    StandardOutput=tty
                    TTYPath=/dev/ttyS0
                    # Once the NIC has its DHCP address (or after 60 s), try the port.
                    ExecStart=/bin/bash -c 'for i in $(seq 120); do ip -4 addr show eth0 | grep -q inet && break; sleep 0.5; done; ip -4 addr show eth0 | grep -q inet && echo kiln-probe: has an address; if timeout 8 bash -c "exec 3<>/dev/tcp/10.0.2.2/%d"; then echo kiln-probe: reached; else echo kiln-probe: unreachable; fi'

                    [Install]
                    WantedBy=multi-user.target
                    """.formatted(port);
            Path disk = TestImages.bootableSealed(TestImages.COMMIT, Map.of(
                    "etc/systemd/system/kiln-probe.service", unit,
                    "etc/systemd/system/multi-user.target.wants/kiln-probe.service", "->/etc/systemd/system/kiln-probe.service"));
            AtomicBoolean reached = new AtomicBoolean();
            service.setSoTimeout(500);
            Thread listener = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        service.accept().close();
                        reached.set(true);
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            listener.start();
            try {
                new BootTest(Duration.ofMinutes(4), Pattern.compile("kiln-probe: (reached|unreachable)"), dev.kiln.disk.QemuAccelerator.fromEnvironment())
                        .boot(disk, "raw", temp);
            } finally {
                listener.interrupt();
                listener.join(2000);
            }
            String console = Files.readString(temp.resolve("console.log"));
            assertTrue(console.contains("kiln-probe: unreachable"), "the probe's answer on the console: "
                    + console.substring(Math.max(0, console.length() - 600)));
            assertTrue(console.contains("kiln-probe: has an address"), "the image's network came up (DHCP), so the probe was real");
            assertFalse(reached.get(), "the image connected to a service on the verifier host's loopback");
        }
    }

    /**
     * QEMU dying of a signal is the emulator's crash, not the image's finding: a boot whose QEMU is sent SIGSEGV (as one
     * crashed by itself under load in a CI run) is booted again and passes; a disk whose every boot crashes is rejected,
     * saying so. Real QEMU, real signals (kill -SEGV), on the verifier's test image.
     */
    @Test
    void aQemuThatDiesOfASignalIsBootedAgainAndOnlyAnImageThatCrashesItEveryTimeIsRejected() throws Exception {
        Path disk = TestImages.bootableSealed(TestImages.COMMIT);
        BootTest boot = new BootTest(Duration.ofMinutes(4), Pattern.compile("login:"), dev.kiln.disk.QemuAccelerator.fromEnvironment());

        Path once = Files.createDirectories(temp.resolve("once"));
        List<Long> crashed = new CopyOnWriteArrayList<>();
        Thread crasher = crashQemus(once, 1, crashed);
        long millis;
        try {
            millis = boot.boot(disk, "raw", once);
        } finally {
            crasher.interrupt();
            crasher.join(2000);
        }
        assertEquals(1, crashed.size(), "one QEMU was sent SIGSEGV mid-boot");
        assertTrue(millis > 0);
        assertTrue(Files.readString(once.resolve("console.log")).contains("login:"), "the second boot reached the marker");

        Path always = Files.createDirectories(temp.resolve("always"));
        List<Long> everyOne = new CopyOnWriteArrayList<>();
        Thread crashEach = crashQemus(always, Integer.MAX_VALUE, everyOne);
        Rejection rejected;
        try {
            rejected = assertThrows(Rejection.class, () -> boot.boot(disk, "raw", always));
        } finally {
            crashEach.interrupt();
            crashEach.join(2000);
        }
        assertEquals(BootTest.CRASHED_BOOTS_TRIED, everyOne.size(), "every boot was tried: " + everyOne);
        assertEquals("boot", rejected.check());
        assertTrue(rejected.getMessage().contains("died of signal 11") && rejected.getMessage().contains("each of 3 boots"), rejected.getMessage());
    }

    /**
     * Sends SIGSEGV to up to {@code count} QEMUs booting in {@code workspace} (found by their console file), each once its
     * guest has written to the console, and records their pids.
     */
    private static Thread crashQemus(Path workspace, int count, List<Long> crashed) {
        String console = "file:" + workspace.resolve("console.log");
        Thread crasher = new Thread(() -> {
            try {
                while (crashed.size() < count && !Thread.currentThread().isInterrupted()) {
                    Optional<ProcessHandle> qemu = ProcessHandle.allProcesses()
                            .filter(p -> !crashed.contains(p.pid()) && p.info().arguments().map(a -> List.of(a).contains(console)).orElse(false))
                            .findFirst();
                    Path log = workspace.resolve("console.log");
                    if (qemu.isPresent() && Files.exists(log) && Files.size(log) > 0) {
                        new ProcessBuilder("kill", "-SEGV", Long.toString(qemu.get().pid())).start().waitFor();
                        crashed.add(qemu.get().pid());
                    }
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                // the boot ended
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "kiln-test-qemu-crasher");
        crasher.setDaemon(true);
        crasher.start();
        return crasher;
    }
}
