package dev.kiln.verifier;

import dev.kiln.disk.QemuAccelerator;
import dev.kiln.disk.ToolProcess;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A raw file boots beside its digest and inspection, and that boot counts for the release's disk only when those
 * checks show the file is that disk. Real QEMU, on the verifier's bootable test image.
 */
class BootAheadTest {
    private static final KilnFile.Verify STRICT = new KilnFile.Verify(List.of());

    @TempDir
    Path temp;

    @Test
    void aRawFileBootsBesideItsChecksAndTheBootCountsOnlyForTheDiskTheyShowItIs() throws Exception {
        Path disk = TestImages.bootableSealed(TestImages.COMMIT);
        String diskSha = Sha256.of(disk);
        Verification verification = new Verification(Duration.ofMinutes(4), "login:", true, QemuAccelerator.fromEnvironment(),
                OperatorPolicy.strict());

        // Another file claiming to be the disk (one byte differs): its boot begins, its digest refuses it, and the boot
        // is stopped before the verification ends, counting for nothing.
        Path impostor = temp.resolve("impostor.raw");
        assertTrue(ToolProcess.run(List.of("cp", "--sparse=always", disk.toString(), impostor.toString()), Duration.ofMinutes(2)).ok());
        try (FileChannel file = FileChannel.open(impostor, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(new byte[] {1}), file.size() - 1);
        }
        VerificationReport refused = verify(verification, impostor, diskSha, "impostor");
        assertFalse(refused.verified());
        assertEquals("artifact", refused.findings().get(0).rule(), refused.findings().toString());
        assertFalse(refused.phaseMillis().containsKey("boot"), refused.phaseMillis().toString());
        assertEquals(List.of(), qemusOfThisProcess(), "the impostor's boot was stopped with its verification");

        // The disk itself: booted by its own verification (not credited with the impostor's boot), beside its checks.
        long start = System.nanoTime();
        VerificationReport report = verify(verification, disk, diskSha, "disk");
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(report.verified(), report.findings().toString());
        assertTrue(report.rulesChecked().get("boot").contains("booted beside its digest and inspection"), report.rulesChecked().get("boot"));
        long sequential = report.phaseMillis().get("digest") + report.phaseMillis().get("decode") + report.phaseMillis().get("inspect")
                + report.phaseMillis().get("boot");
        assertTrue(wallMillis < sequential, "the verification took " + wallMillis + " ms, no less than its phases one after another: "
                + report.phaseMillis());
    }

    private VerificationReport verify(Verification verification, Path file, String diskSha, String workspace) throws Exception {
        return verification.verify(file, new Verification.Claim("raw", diskSha, diskSha, SealingRulesTest.EXPECTED, STRICT),
                temp.resolve("ws-" + workspace));
    }

    private static List<String> qemusOfThisProcess() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(process -> process.info().commandLine().orElse(""))
                .filter(command -> command.contains("qemu-system")).toList();
    }
}
