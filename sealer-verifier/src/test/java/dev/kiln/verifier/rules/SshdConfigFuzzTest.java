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
        assertTrue(SshdConfig.globPattern("*.conf").matcher("50-cloud.conf").matches());
        assertFalse(SshdConfig.globPattern("*.conf").matcher("50-cloud.conf.bak").matches());
        assertTrue(SshdConfig.globPattern("[a-c]x").matcher("bx").matches());
        assertFalse(SshdConfig.globPattern("[a-c]x").matcher("dx").matches());
        assertTrue(SshdConfig.globPattern("[!a]x").matcher("bx").matches());
        assertFalse(SshdConfig.globPattern("[!a]x").matcher("ax").matches());
        assertTrue(SshdConfig.globPattern("[").matcher("[").matches(), "an unclosed bracket is itself");
        assertTrue(SshdConfig.globPattern("{a,b}").matcher("{a,b}").matches(), "braces are no syntax of sshd's");
        assertTrue(SshdConfig.globPattern("a.c").matcher("a.c").matches());
        assertFalse(SshdConfig.globPattern("a.c").matcher("abc").matches(), "a dot is a dot");
    }
}
