package dev.kiln.events;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KilnFileTest {
    private static final String SHA = "a".repeat(64);

    private static String example() throws Exception {
        return Files.readString(Path.of("../examples/kiln.yaml"))
                .replace("set-by-kiln-up-or-your-published-image-sha256", SHA);
    }

    @Test
    void theExampleParses() throws Exception {
        KilnFile file = KilnFile.parse(example());
        assertEquals("debian-chrony", file.image());
        assertEquals(SHA, file.upstream().sha256());
        assertEquals("kiln-build", file.upstream().sshUsername());
        assertEquals(dev.kiln.stack.UpstreamGuest.BUILD_USER, KilnFile.Upstream.DEFAULT_SSH_USERNAME,
                "kiln.yaml's default login is the one scripts/build-upstream-image gives the key to, as the test stack knows it");
        assertEquals("packer/image.pkr.hcl", file.build().template());
        assertEquals(Duration.ofMinutes(20), file.build().timeoutDuration());
        assertEquals(KilnFile.ALL_FORMATS, file.formats());
    }

    @Test
    void defaultsApplyWhenOptionalKeysAreLeftOut() {
        KilnFile file = KilnFile.parse("""
                image: minimal
                upstream: {url: "https://example.org/d.qcow2", sha256: "%s"}
                build: {template: image.pkr.hcl, playbook: site.yml}
                """.formatted(SHA));
        assertEquals(Duration.ofMinutes(30), file.build().timeoutDuration());
        assertEquals(KilnFile.ALL_FORMATS, file.formats());
        assertTrue(file.verify().relax().isEmpty());
    }

    @Test
    void errorsNameTheKeyToFix() throws Exception {
        String ok = example();
        assertMessage(ok.replace("image: debian-chrony", "image: Debian Chrony"), "'image' must be 1-63 characters");
        assertMessage(ok.replace(SHA, "abc"), "'upstream.sha256' must be the upstream image's sha256");
        assertMessage(ok.replace("[raw, qcow2", "[raw, iso, qcow2"), "'formats' lists 'iso'");
        assertMessage(ok.replace("packer/image.pkr.hcl", "../../etc/passwd"), "'build.template' must be a relative path");
        assertMessage(ok.replace("timeout: 20m", "timeout: soon"), "'build.timeout' must be a duration");
        assertMessage(ok.replace("description:", "descripton:"), "unknown key 'descripton'");
        assertMessage(ok.replace("  ssh_username:", "  ssh_user:"), "unknown key 'upstream.ssh_user'");
        assertMessage(ok.replace("url: file:///", "url: ftp://"), "'upstream.url' must be an https://");
        assertMessage("image: \"unterminated", "not valid YAML");
        assertMessage("image: [a]", "'image' Cannot deserialize");
        assertMessage("", "kiln.yaml is empty");
        assertMessage(ok + "\nverify:\n  relax:\n    - rule: logs\n", "'verify.relax.reason' is missing");
    }

    @Test
    void relaxationsKeepTheirReason() throws Exception {
        KilnFile file = KilnFile.parse(example() + "\nverify:\n  relax:\n    - rule: logs\n      reason: the app ships a seed log\n");
        assertEquals(List.of(new KilnFile.Relaxation("logs", "the app ships a seed log")), file.verify().relax());
        assertEquals("the app ships a seed log", file.verify().reasonFor("logs").orElseThrow());
        assertTrue(file.verify().reasonFor("ssh-hostkeys").isEmpty());
    }

    private static void assertMessage(String yaml, String expected) {
        KilnFile.InvalidKilnFile e = assertThrows(KilnFile.InvalidKilnFile.class, () -> KilnFile.parse(yaml));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
