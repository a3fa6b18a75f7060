package dev.kiln.verifier;

import dev.kiln.events.Sha256;
import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images that cannot be verified are rejected with a reason, in bounded time, never a crash or a hang. */
class BadImagesTest {
    private static final KilnFile.Verify STRICT = new KilnFile.Verify(List.of());

    @TempDir
    Path temp;

    private Finding only(Path file, String format, String sha256, String rawSha256, boolean boot) throws Exception {
        VerificationReport report = new Verification(Duration.ofSeconds(20), "login:", boot, VerifierConfig.Accelerator.fromEnvironment(), OperatorPolicy.strict())
                .verify(file, new Verification.Claim(format, sha256, rawSha256, SealingRulesTest.EXPECTED, STRICT), temp.resolve("ws"));
        assertEquals(VerificationReport.REJECTED, report.verdict());
        assertEquals(1, report.findings().size(), report.findings().toString());
        return report.findings().get(0);
    }

    private Path sealedDisk() throws Exception {
        return TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));
    }

    @Test
    void everyFormatDecodesToTheSameDisk() throws Exception {
        Path raw = sealedDisk();
        String rawSha = Sha256.of(raw);
        for (String[] format : new String[][] {{"qcow2", "qcow2", ""}, {"vhd", "vpc", "subformat=fixed,force_size=on"},
                {"vhdx", "vhdx", ""}, {"vmdk", "vmdk", "subformat=streamOptimized"}}) {
            Path file = TestImages.convert(raw, format[1], format[2].isEmpty() ? List.of() : List.of("-o", format[2]), temp.resolve("disk." + format[0]));
            VerificationReport report = new Verification(Duration.ofSeconds(1), "login:", false, VerifierConfig.Accelerator.fromEnvironment(), OperatorPolicy.strict()).verify(file,
                    new Verification.Claim(format[0], Sha256.of(file), rawSha, SealingRulesTest.EXPECTED, STRICT), temp.resolve("ws-" + format[0]));
            assertTrue(report.verified(), format[0] + ": " + report.findings());
            assertEquals(rawSha, report.rawSha256(), format[0]);
        }
    }

    @Test
    void aTruncatedImageIsRejectedAsCorrupt() throws Exception {
        Path qcow2 = TestImages.convert(sealedDisk(), "qcow2", List.of(), temp.resolve("disk.qcow2"));
        try (RandomAccessFile file = new RandomAccessFile(qcow2.toFile(), "rw")) {
            file.setLength(file.length() / 2);
        }
        Finding finding = only(qcow2, "qcow2", null, null, false);
        assertEquals("decode", finding.rule());
        assertTrue(finding.message().contains("corrupt") || finding.message().contains("truncated"), finding.message());
    }

    @Test
    void anUnknownFormatIsRejected() throws Exception {
        Finding finding = only(sealedDisk(), "iso", null, null, false);
        assertEquals("decode", finding.rule());
        assertTrue(finding.message().contains("unknown format 'iso'"), finding.message());
    }

    @Test
    void aDiskWithNoFileSystemIsRejected() throws Exception {
        Path noise = temp.resolve("noise.raw");
        byte[] bytes = new byte[8 << 20];
        new Random(7).nextBytes(bytes);
        Files.write(noise, bytes);
        Finding finding = only(noise, "raw", null, null, false);
        assertEquals("filesystem", finding.rule());
        assertTrue(finding.message().contains("no readable Linux root file system"), finding.message());
    }

    @Test
    void aFileThatChangedSinceTheBuildOrDiffersFromItsSiblingsIsRejected() throws Exception {
        Path raw = sealedDisk();
        Finding changed = only(raw, "raw", "f".repeat(64), null, false);
        assertEquals("artifact", changed.rule());
        assertTrue(changed.message().contains("changed or was damaged"), changed.message());
        Finding differs = only(raw, "raw", Sha256.of(raw), "e".repeat(64), false);
        assertEquals("decode", differs.rule());
        assertTrue(differs.message().contains("does not carry the same disk"), differs.message());
    }

    @Test
    void anImageThatNeverBootsIsRejectedWithinTheTimeout() throws Exception {
        long start = System.nanoTime();
        Finding finding = only(sealedDisk(), "raw", null, null, true);
        assertEquals("boot", finding.rule());
        assertTrue(finding.message().contains("did not boot"), finding.message());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos());
    }
}
