package dev.kiln.verifier.rules;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kiln.verifier.ImageTree;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sshd configuration an image ships is the image's to write: whatever it says, reading it names host keys and
 * authorized-keys files (sshd's defaults at least) and never throws. Inputs: SshdConfigFuzzTestInputs/.
 */
class SshdConfigFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void anyConfigurationIsReadWithoutFailing(FuzzedDataProvider data) throws Exception {
        Path root = Files.createTempDirectory("kiln-sshd-");
        try {
            Path ssh = Files.createDirectories(root.resolve("etc/ssh"));
            Files.createDirectories(ssh.resolve("sshd_config.d"));
            // sshd_config, then after a NUL what sshd_config.d/extra.conf holds: inputs stay plain text files.
            String[] files = data.consumeRemainingAsString().split("\0", 2);
            Files.writeString(ssh.resolve("sshd_config"), files[0]);
            Files.writeString(ssh.resolve("sshd_config.d/extra.conf"), files.length > 1 ? files[1] : "");
            SshdConfig config = SshdConfig.of(new ImageTree(root));
            assertFalse(config.hostKeys().isEmpty());
            assertFalse(config.authorizedKeysFiles().isEmpty());
        } finally {
            dev.kiln.stack.TempDirs.delete(root);
        }
    }

    @org.junit.jupiter.api.Test
    void includePatternsMatchAsSshdReadsThem() {
        assertTrue(SshdConfig.globMatches("*.conf", "50-cloud.conf"));
        assertFalse(SshdConfig.globMatches("*.conf", "50-cloud.conf.bak"));
        assertTrue(SshdConfig.globMatches("[a-c]x", "bx"));
        assertFalse(SshdConfig.globMatches("[a-c]x", "dx"));
        assertTrue(SshdConfig.globMatches("[!a]x", "bx"));
        assertFalse(SshdConfig.globMatches("[!a]x", "ax"));
        assertTrue(SshdConfig.globMatches("[", "["), "an unclosed bracket is itself");
        assertTrue(SshdConfig.globMatches("{a,b}", "{a,b}"), "braces are no syntax of sshd's");
        assertTrue(SshdConfig.globMatches("a.c", "a.c"));
        assertFalse(SshdConfig.globMatches("a.c", "abc"), "a dot is a dot");
        assertTrue(SshdConfig.globMatches("*a*b*c", "xxaxxbxxc"));
        assertFalse(SshdConfig.globMatches("*".repeat(60) + "x", "extra.conf".repeat(20)), "and quickly: no backtracking blow-up");
        assertTrue(SshdConfig.globMatches("[]a]", "]"), "a ']' right after '[' is a member");
    }
}
