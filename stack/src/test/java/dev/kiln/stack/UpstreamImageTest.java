package dev.kiln.stack;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The trusted upstream image (scripts/build-upstream-image) is published with its digest and package list,
 * boots under QEMU (KILN_QEMU_ACCELERATOR, which ./kiln probes for; TCG when unset) from its own disk, and lets the build login in by key.
 */
class UpstreamImageTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static Path image;

    @BeforeAll
    static void buildOrReuse() {
        image = UpstreamImage.buildOrReuse().image();
    }

    @Test
    void isPublishedWithItsDigestAndPackageList() throws Exception {
        Path dir = image.getParent();
        Process check = new ProcessBuilder("sha256sum", "--check", "SHA256SUMS").directory(dir.toFile())
                .redirectErrorStream(true).start();
        String said = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), said);
        assertTrue(said.contains(image.getFileName() + ": OK"), said);
        List<String> packages = Files.readAllLines(dir.resolve("packages.txt"));
        // python3-apt: the apt module's own dependency, so a playbook's apt task on a package the image has never
        // goes to Debian's live archive for it (the example's "Install chrony" did, on every build).
        for (String wanted : List.of("openssh-server ", "python3 ", "python3-apt ", "linux-image-cloud-amd64 ", "sudo ")) {
            assertTrue(packages.stream().anyMatch(p -> p.startsWith(wanted)), "package list lacks " + wanted);
        }
        assertTrue(Files.exists(dir.resolve("build_key")) && Files.exists(dir.resolve("build_key.pub")));
    }

    @Test
    void bootsFromItsOwnDiskAndLetsTheBuildLoginIn(@TempDir Path tmp) throws Exception {
        Path console = tmp.resolve("console.log");
        int ssh = LoopbackPorts.free();
        Process qemu = new ProcessBuilder("qemu-system-x86_64",
                "-machine", "accel=" + accelerator(), "-cpu", "max",
                "-m", "1024", "-smp", "2", "-display", "none", "-monitor", "none", "-no-reboot",
                // Copy-on-write: the image itself is never changed by booting it.
                "-snapshot",
                "-drive", "file=" + image + ",if=virtio,format=qcow2",
                "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:" + ssh + "-:22", "-device", "virtio-net-pci,netdev=n0",
                "-serial", "file:" + console)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("qemu.log").toFile()).start();
        try {
            Instant deadline = Instant.now().plus(BOOT_TIMEOUT);
            while (!read(console).contains("login:")) {
                if (!qemu.isAlive()) {
                    fail("QEMU exited with " + qemu.exitValue() + ": " + Files.readString(tmp.resolve("qemu.log")));
                }
                if (Instant.now().isAfter(deadline)) {
                    fail("no login prompt on the serial console within " + BOOT_TIMEOUT + ":\n" + read(console));
                }
                Thread.sleep(1000);
            }
            String answer = sshAsBuildLogin(ssh, "sudo -n cat /etc/debian_version; ls /etc/ssh/ssh_host_ed25519_key");
            assertTrue(answer.startsWith("12."), answer);
            assertTrue(answer.contains("/etc/ssh/ssh_host_ed25519_key"), "host keys are made on first boot: " + answer);
        } finally {
            qemu.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String sshAsBuildLogin(int port, String command) throws Exception {
        Instant deadline = Instant.now().plusSeconds(90);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            Process ssh = new ProcessBuilder("ssh", "-i", image.getParent().resolve("build_key").toString(),
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                    "-o", "ConnectTimeout=10", "-p", String.valueOf(port), "kiln-build@127.0.0.1", command)
                    .redirectErrorStream(true).start();
            last = new String(ssh.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^Warning: .*\\R", "");
            if (ssh.waitFor() == 0) {
                return last.trim();
            }
            Thread.sleep(2000);
        }
        throw new AssertionError("the build login could not log in: " + last);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }

    /** What ./kiln found works here (scripts/qemu-accelerator); /dev/kvm alone is no proof that KVM boots a guest. */
    private static String accelerator() {
        String value = System.getenv("KILN_QEMU_ACCELERATOR");
        return value == null || value.isBlank() ? "tcg" : value;
    }
}
