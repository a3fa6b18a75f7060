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
        VerificationReport report = new Verification(Duration.ofSeconds(20), "login:", boot, dev.kiln.disk.QemuAccelerator.fromEnvironment(), OperatorPolicy.strict())
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
            VerificationReport report = new Verification(Duration.ofSeconds(1), "login:", false, dev.kiln.disk.QemuAccelerator.fromEnvironment(), OperatorPolicy.strict()).verify(file,
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

    /**
     * Images that name files outside themselves are refused before qemu-img opens them. Each names a FIFO: had anything
     * opened it to read, the verification would hang there, so finishing at all proves nothing named was opened.
     */
    @Test
    void aQcow2WithABackingFileIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = fifo("backing");
        Path qcow2 = temp.resolve("layer.qcow2");
        tool("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", fifo.toString(), "-F", "raw", qcow2.toString(), "64M");
        Finding finding = refusedWithin(qcow2, "qcow2");
        assertTrue(finding.message().contains("has a backing file ('" + fifo + "')"), finding.message());
    }

    @Test
    void aQcow2WithAnExternalDataFileIsRefusedWithoutOpeningIt() throws Exception {
        Path data = temp.resolve("data.raw");
        Path qcow2 = temp.resolve("split.qcow2");
        tool("qemu-img", "create", "-q", "-f", "qcow2", "-o", "data_file=" + data + ",data_file_raw=on", qcow2.toString(), "64M");
        Files.delete(data);
        fifo("data.raw");
        Finding finding = refusedWithin(qcow2, "qcow2");
        assertTrue(finding.message().contains("external data file"), finding.message());
    }

    @Test
    void aVmdkDescriptorWhoseExtentIsAHostFileIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = fifo("extent");
        Path vmdk = temp.resolve("descriptor.vmdk");
        Files.writeString(vmdk, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n"
                + "RW 131072 FLAT \"" + fifo + "\" 0\n\nddb.virtualHWVersion = \"4\"\n");
        Finding finding = refusedWithin(vmdk, "vmdk");
        assertTrue(finding.message().contains("descriptor that keeps the disk in other files"), finding.message());
    }

    @Test
    void aDifferencingVhdIsRefused() throws Exception {
        Path vhd = TestImages.convert(sealedDisk(), "vpc", List.of("-o", "subformat=dynamic"), temp.resolve("disk.vhd"));
        try (RandomAccessFile file = new RandomAccessFile(vhd.toFile(), "rw")) {
            for (long footer : new long[] {0, file.length() - 512}) {
                file.seek(footer + 60);
                file.writeInt(4);
            }
        }
        Finding finding = refusedWithin(vhd, "vhd");
        assertTrue(finding.message().contains("differencing disk"), finding.message());
    }

    @Test
    void anOvaWithALinkIsRefused() throws Exception {
        Path ova = temp.resolve("linked.ova");
        try (var out = Files.newOutputStream(ova);
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            byte[] ovf = "<Envelope/>\n".getBytes();
            var descriptor = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("image.ovf");
            descriptor.setSize(ovf.length);
            tar.putArchiveEntry(descriptor);
            tar.write(ovf);
            tar.closeArchiveEntry();
            var link = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("disk1.vmdk",
                    org.apache.commons.compress.archivers.tar.TarConstants.LF_SYMLINK);
            link.setLinkName("/etc/shadow");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        Finding finding = refusedWithin(ova, "ova");
        assertTrue(finding.message().contains("'disk1.vmdk' is not a regular file"), finding.message());
    }

    @Test
    void anImageDeclaringAnAbsurdDiskIsRefusedBeforeItIsDecoded() throws Exception {
        Path qcow2 = temp.resolve("huge.qcow2");
        tool("qemu-img", "create", "-q", "-f", "qcow2", qcow2.toString(), "300G");
        Finding finding = refusedWithin(qcow2, "qcow2");
        assertTrue(finding.message().contains("the disk the image declares is 322122547200 bytes; kiln reads at most 256 GiB (kiln.verifier.max-virtual-size-gib)"),
                finding.message());
    }

    @Test
    void anOvaOfManyFilesIsRefused() throws Exception {
        Path ova = temp.resolve("crowded.ova");
        try (var out = Files.newOutputStream(ova);
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
            for (int i = 0; i < 40; i++) {
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(i == 0 ? "image.ovf" : "file" + i + ".txt");
                entry.setSize(1);
                tar.putArchiveEntry(entry);
                tar.write('x');
                tar.closeArchiveEntry();
            }
        }
        Finding finding = refusedWithin(ova, "ova");
        assertTrue(finding.message().contains("holds more than 16 files (kiln.verifier.max-ova-entries)"), finding.message());
    }

    private Finding refusedWithin(Path file, String format) {
        Finding finding = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> only(file, format, null, null, false),
                "the verification hung: something the image names was opened");
        assertEquals("decode", finding.rule());
        return finding;
    }

    private Path fifo(String name) throws Exception {
        Path fifo = temp.resolve(name);
        tool("mkfifo", fifo.toString());
        return fifo;
    }

    private static void tool(String... command) throws Exception {
        var result = dev.kiln.disk.ToolProcess.run(List.of(command), Duration.ofMinutes(1));
        assertTrue(result.ok(), String.join(" ", command) + ": " + result.text());
    }
}
