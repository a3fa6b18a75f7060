package dev.kiln.stack;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trusted upstream image (scripts/build-upstream-image) is published with its digest and package list,
 * boots under QEMU (KILN_QEMU_ACCELERATOR, which ./kiln probes for; TCG when unset) from its own disk, and lets the build login in by key.
 */
class UpstreamImageTest {
    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(4);
    private static UpstreamImage upstream;
    private static Path image;

    @BeforeAll
    static void buildOrReuse() {
        upstream = UpstreamImage.buildOrReuse();
        image = upstream.image();
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
        // Copy-on-write: the image itself is never changed by booting it.
        try (UpstreamGuest guest = UpstreamGuest.boot(upstream, image, true, tmp)) {
            guest.awaitConsole("login:", BOOT_TIMEOUT);
            String answer = guest.awaitSsh(guest.ssh(List.of()), "sudo -n cat /etc/debian_version; ls /etc/ssh/ssh_host_ed25519_key",
                    Duration.ofSeconds(90));
            assertTrue(answer.startsWith("12."), answer);
            assertTrue(answer.contains("/etc/ssh/ssh_host_ed25519_key"), "host keys are made on first boot: " + answer);
        }
    }
}
