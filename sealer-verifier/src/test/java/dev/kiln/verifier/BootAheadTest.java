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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
        // One file checked at a time, so a format that kept its turn while waiting for the boot would hold up the next.
        Verification verification = new Verification(Duration.ofMinutes(4), "login:", true, QemuAccelerator.fromEnvironment(),
                OperatorPolicy.strict()).checkingAtOnce(1);
        Path qcow2 = TestImages.convert(disk, "qcow2", List.of(), temp.resolve("disk.qcow2"));
        Path vhd = TestImages.convert(disk, "vpc", List.of("-o", "subformat=fixed,force_size=on"), temp.resolve("disk.vhd"));

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
        // Two other formats of it come while it boots: each is decoded and inspected in its turn, then waits for that
        // boot without its turn.
        long start = System.nanoTime();
        ExecutorService formats = Executors.newFixedThreadPool(3);
        VerificationReport report;
        List<VerificationReport> others;
        try {
            Future<VerificationReport> ofDisk = formats.submit(() -> verify(verification, disk, diskSha, "disk"));
            Thread.sleep(500); // the raw file's verification has begun, and with it its boot
            List<Future<VerificationReport>> ofOthers = List.of(formats.submit(() -> verifyFormat(verification, qcow2, "qcow2", diskSha)),
                    formats.submit(() -> verifyFormat(verification, vhd, "vhd", diskSha)));
            report = ofDisk.get();
            others = List.of(ofOthers.get(0).get(), ofOthers.get(1).get());
        } finally {
            formats.shutdownNow();
        }
        long wallMillis = (System.nanoTime() - start) / 1_000_000;
        for (VerificationReport other : others) {
            assertTrue(other.verified(), other.format() + ": " + other.findings());
            assertTrue(other.rulesChecked().get("boot").contains("so it was not booted again"), other.rulesChecked().get("boot"));
        }
        // One check at a time: the later of the two waited for its turn, but only while the others were checked (the
        // raw file, the earlier format), never through the earlier format's wait for the boot.
        VerificationReport later = others.stream().max(java.util.Comparator.comparing(r -> r.phaseMillis().getOrDefault("turn-wait", 0L))).orElseThrow();
        VerificationReport earlier = others.get(later == others.get(0) ? 1 : 0);
        long laterWaited = later.phaseMillis().getOrDefault("turn-wait", 0L);
        assertTrue(laterWaited > 0, "two files were checked at once: " + others.get(0).phaseMillis() + " " + others.get(1).phaseMillis());
        long checksBeforeIt = checking(report) + checking(earlier);
        assertTrue(laterWaited <= checksBeforeIt + 2_000, "the " + later.format() + " waited " + laterWaited + " ms for its turn, more than the "
                + checksBeforeIt + " ms of checks before it: a format waiting for the boot kept its turn (" + earlier.format() + ": "
                + earlier.phaseMillis() + ")");
        assertTrue(report.verified(), report.findings().toString());
        assertTrue(report.rulesChecked().get("boot").contains("booted beside its digest and inspection"), report.rulesChecked().get("boot"));
        long sequential = report.phaseMillis().get("digest") + report.phaseMillis().get("decode") + report.phaseMillis().get("inspect")
                + report.phaseMillis().get("boot");
        assertTrue(wallMillis < sequential, "the verification took " + wallMillis + " ms, no less than its phases one after another: "
                + report.phaseMillis());
    }

    /** The time a verification spent checking in its turn (digest, decoding, inspection). */
    private static long checking(VerificationReport report) {
        return java.util.stream.Stream.of("digest", "decode", "inspect").mapToLong(phase -> report.phaseMillis().getOrDefault(phase, 0L)).sum();
    }

    private VerificationReport verifyFormat(Verification verification, Path file, String format, String diskSha) throws Exception {
        return verification.verify(file, new Verification.Claim(format, Sha256.of(file), diskSha, SealingRulesTest.EXPECTED, STRICT),
                temp.resolve("ws-" + format));
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
