package dev.kiln.verifier;

import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OVA's disk is the VMDK format's file, byte for byte: whichever of the two is verified second is judged by the
 * first's decoding and inspection, with the same verdict, and still held to its own claims. QEMU boots are off here
 * (the service test boots); this is about what is decoded and inspected, and when.
 */
class VerificationTest {
    private static final KilnFile.Verify STRICT = new KilnFile.Verify(List.of());

    @TempDir
    Path temp;

    private final Verification verification = new Verification(Duration.ofSeconds(1), "login:", false,
            dev.kiln.disk.QemuAccelerator.fromEnvironment(), OperatorPolicy.strict());

    @Test
    void anOvaCarryingAVerifiedVmdkIsJudgedByThatVmdksDecodingAndStillHeldToItsOwnClaims() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));
        String rawSha = Sha256.of(raw);
        Path ova = TestImages.ova(raw, Files.createDirectories(temp.resolve("sealed")).resolve("image.ova"));
        Path vmdk = DecodedImage.unpackOva(ova, temp.resolve("unpacked"), ImageLimits.defaults());

        VerificationReport ofVmdk = verify(vmdk, "vmdk", rawSha, "vmdk");
        VerificationReport ofOva = verify(ova, "ova", rawSha, "ova");

        assertTrue(ofVmdk.verified(), ofVmdk.findings().toString());
        assertTrue(ofVmdk.phaseMillis().containsKey("decode"), ofVmdk.phaseMillis().toString());
        assertTrue(ofOva.verified(), ofOva.findings().toString());
        assertEquals(rawSha, ofOva.rawSha256());
        assertFalse(ofOva.phaseMillis().containsKey("decode"), "the same file decoded twice: " + ofOva.phaseMillis());
        assertEquals(List.copyOf(ofVmdk.rulesChecked().keySet()), List.copyOf(ofOva.rulesChecked().keySet()), "the same rules, in order");
        assertTrue(ofOva.rulesChecked().get(DiskImage.RULE).contains("(sha256 " + Sha256.of(vmdk) + ") decoded and inspected as vmdk"),
                ofOva.rulesChecked().get(DiskImage.RULE));

        // Sharing the decoding does not share the claims: an OVA said to carry another disk is refused.
        VerificationReport misclaimed = verify(ova, "ova", "0".repeat(64), "misclaimed");
        assertFalse(misclaimed.verified());
        assertTrue(misclaimed.findings().stream().anyMatch(f -> f.rule().equals("decode") && f.message().contains("does not carry the same disk")),
                misclaimed.findings().toString());
    }

    @Test
    void aLeakyDiskIsRefusedInEveryArtifactThatCarriesItWhicheverComesFirst() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("leaky-tree"));
        TestImages.write(tree, "etc/ssh/ssh_host_rsa_key", "private");
        Path raw = TestImages.disk(tree, temp.resolve("leaky.raw"));
        Path ova = TestImages.ova(raw, Files.createDirectories(temp.resolve("leaky")).resolve("image.ova"));

        VerificationReport ofOva = verify(ova, "ova", null, "ova");
        VerificationReport ofVmdk = verify(DecodedImage.unpackOva(ova, temp.resolve("unpacked"), ImageLimits.defaults()), "vmdk", null, "vmdk");

        for (VerificationReport report : List.of(ofOva, ofVmdk)) {
            assertFalse(report.verified(), report.format());
            assertTrue(report.findings().stream().map(Finding::path).anyMatch("/etc/ssh/ssh_host_rsa_key"::equals), report.findings().toString());
        }
        assertTrue(ofOva.phaseMillis().containsKey("decode"), "the first decodes: " + ofOva.phaseMillis());
        assertTrue(ofVmdk.phaseMillis().containsKey("same-disk-file"), "the second relies on it: " + ofVmdk.phaseMillis());
        assertEquals(ofOva.findings(), ofVmdk.findings());
    }

    @Test
    void anotherDiskFileIsDecodedForItself() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));
        Path qcow2 = TestImages.convert(raw, "qcow2", List.of(), temp.resolve("image.qcow2"));
        Path vmdk = TestImages.convert(raw, "vmdk", List.of("-o", "subformat=streamOptimized"), temp.resolve("image.vmdk"));

        VerificationReport ofQcow2 = verify(qcow2, "qcow2", Sha256.of(raw), "qcow2");
        VerificationReport ofVmdk = verify(vmdk, "vmdk", Sha256.of(raw), "vmdk");

        assertTrue(ofQcow2.verified() && ofVmdk.verified(), ofQcow2.findings() + " " + ofVmdk.findings());
        assertTrue(ofQcow2.phaseMillis().containsKey("decode") && ofVmdk.phaseMillis().containsKey("decode"),
                "two files, two decodings: " + ofQcow2.phaseMillis() + " " + ofVmdk.phaseMillis());
    }

    @Test
    void aFormatWaitingForItsDisksBootLeavesTheReadingOfImagesToTheNextOne() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));
        Path qcow2 = TestImages.convert(raw, "qcow2", List.of(), temp.resolve("image.qcow2"));
        Path leakyTree = TestImages.sealedTree(temp.resolve("leaky-tree"));
        TestImages.write(leakyTree, "etc/ssh/ssh_host_ed25519_key", "private");
        Path leaky = TestImages.convert(TestImages.disk(leakyTree, temp.resolve("leaky.raw")), "vhdx", List.of(), temp.resolve("leaky.vhdx"));
        CountDownLatch booting = new CountDownLatch(1);
        CountDownLatch bootEnds = new CountDownLatch(1);
        AtomicInteger boots = new AtomicInteger();
        // A boot held until the test lets it end: what the other verifications do meanwhile is what is checked.
        Verification.Boot heldBoot = (disk, qemuFormat, workspace) -> {
            boots.incrementAndGet();
            booting.countDown();
            bootEnds.await();
            return 1;
        };
        // One image read on the host at a time.
        Verification oneReader = new Verification(heldBoot, true, OperatorPolicy.strict(), ImageLimits.defaults(), new OfflineWork(1));
        String rawSha = Sha256.of(raw);

        CompletableFuture<VerificationReport> ofRaw = inThread("raw", () -> verify(oneReader, raw, "raw", rawSha, "raw"));
        assertTrue(booting.await(60, TimeUnit.SECONDS), "the raw disk's boot began");
        CompletableFuture<VerificationReport> ofQcow2 = inThread("qcow2", () -> verify(oneReader, qcow2, "qcow2", rawSha, "qcow2"));
        awaitWaitingForTheBoot("qcow2");

        // The qcow2 is decoded and waits for its disk's boot; another image is read and judged meanwhile.
        VerificationReport ofLeaky = inThread("leaky", () -> verify(oneReader, leaky, "vhdx", null, "leaky")).get(60, TimeUnit.SECONDS);
        assertFalse(ofLeaky.verified());
        assertTrue(ofLeaky.findings().stream().anyMatch(f -> f.path().equals("/etc/ssh/ssh_host_ed25519_key")), ofLeaky.findings().toString());
        assertFalse(ofRaw.isDone() || ofQcow2.isDone(), "both wait for the boot");

        bootEnds.countDown();
        VerificationReport raws = ofRaw.get(60, TimeUnit.SECONDS);
        VerificationReport qcow2s = ofQcow2.get(60, TimeUnit.SECONDS);
        assertTrue(raws.verified() && qcow2s.verified(), raws.findings() + " " + qcow2s.findings());
        assertTrue(qcow2s.phaseMillis().containsKey("decode") && qcow2s.phaseMillis().containsKey("boot-wait"), qcow2s.phaseMillis().toString());
        assertEquals(1, boots.get(), "one disk, one boot");
    }

    private interface Verifying {
        VerificationReport run() throws Exception;
    }

    private static CompletableFuture<VerificationReport> inThread(String name, Verifying verifying) {
        CompletableFuture<VerificationReport> report = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                report.complete(verifying.run());
            } catch (Throwable e) {
                report.completeExceptionally(e);
            }
        }, "verifying-" + name);
        thread.setDaemon(true);
        thread.start();
        return report;
    }

    /** Until the named verification waits for a boot under way (not for a turn at reading images). */
    private static void awaitWaitingForTheBoot(String name) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
                if (thread.getKey().getName().equals("verifying-" + name) && thread.getKey().getState() == Thread.State.WAITING
                        && Arrays.stream(thread.getValue()).anyMatch(f -> f.getClassName().equals(CompletableFuture.class.getName()))) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the " + name + " verification never came to wait for its disk's boot");
    }

    private VerificationReport verify(Path artifact, String format, String rawSha256, String workspace) throws Exception {
        return verify(verification, artifact, format, rawSha256, workspace);
    }

    private VerificationReport verify(Verification verification, Path artifact, String format, String rawSha256, String workspace) throws Exception {
        return verification.verify(artifact, new Verification.Claim(format, Sha256.of(artifact), rawSha256, SealingRulesTest.EXPECTED, STRICT),
                temp.resolve("ws-" + workspace));
    }
}
