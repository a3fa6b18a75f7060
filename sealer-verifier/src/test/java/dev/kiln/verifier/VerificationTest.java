package dev.kiln.verifier;

import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OVA's disk is the VMDK format's file, byte for byte: whichever of the two is verified second is judged by the
 * first's decoding and inspection, with the same verdict, and still held to its own claims. Boots are off here (the
 * service test boots); this is about what is decoded and inspected.
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

    private VerificationReport verify(Path artifact, String format, String rawSha256, String workspace) throws Exception {
        return verification.verify(artifact, new Verification.Claim(format, Sha256.of(artifact), rawSha256, SealingRulesTest.EXPECTED, STRICT),
                temp.resolve("ws-" + workspace));
    }
}
