package dev.kiln.builder;

import dev.kiln.events.KilnFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert on its own: one raw disk, converted twice at different times, gives the same file in every format. */
class ConvertStepTest {
    @TempDir
    Path temp;

    @Test
    void twoConversionsOfOneDiskAtDifferentTimesGiveIdenticalFilesInEveryFormat() throws Exception {
        Path tree = Files.createDirectories(temp.resolve("tree/etc"));
        Files.writeString(tree.resolve("release"), "IMAGE=debian-chrony\n");
        Path raw = StepContexts.disk(temp.resolve("disk.raw"), temp.resolve("tree"));

        Map<String, BuildContext.FormatFile> first = convert(raw, "first");
        Thread.sleep(2100); // VHD keeps seconds: a second conversion in the same second would prove nothing
        Map<String, BuildContext.FormatFile> second = convert(raw, "second");

        assertEquals(KilnFile.ALL_FORMATS, List.copyOf(first.keySet()));
        for (String format : KilnFile.ALL_FORMATS) {
            assertEquals(first.get(format).sha256(), second.get(format).sha256(), format + " differs between two conversions");
            assertEquals(Files.size(raw), first.get(format).virtualSize(), format);
            // Every digest a format carries is its file's, including raw's, which the step takes from the disk it copies.
            assertEquals(dev.kiln.events.Sha256.of(first.get(format).file()), first.get(format).sha256(), format);
        }
        assertEquals(dev.kiln.events.Sha256.of(raw), first.get("raw").sha256(), "the raw format is the sealed disk, byte for byte");
        // The pinned headers are still valid headers: qemu-img reads every file back as the same disk (as the verifier
        // proves by the decoded digest before anything is published), and the VHD footer's checksum holds.
        for (String format : KilnFile.ALL_FORMATS) {
            dev.kiln.events.DiskFormat disk = dev.kiln.events.DiskFormat.of(format);
            if (disk.container() == disk) {
                assertTrue(StepContexts.run(temp, "qemu-img", "compare", "-f", "raw", "-F", disk.qemuFormat(), raw.toString(),
                        first.get(format).file().toString()).contains("identical"), format);
            }
        }
        try (RandomAccessFile vhd = new RandomAccessFile(first.get("vhd").file().toFile(), "r")) {
            byte[] footer = new byte[512];
            vhd.seek(vhd.length() - 512);
            vhd.readFully(footer);
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += (i >= 64 && i < 68) ? 0 : footer[i] & 0xff;
            }
            long stored = java.nio.ByteBuffer.wrap(footer, 64, 4).getInt() & 0xffffffffL;
            assertEquals((~sum) & 0xffffffffL, stored, "VHD footer checksum");
            long time = java.nio.ByteBuffer.wrap(footer, 24, 4).getInt() & 0xffffffffL;
            assertEquals(StepContexts.SOURCE_DATE_EPOCH - 946_684_800L, time, "the VHD's time is SOURCE_DATE_EPOCH");
        }
        String vmdk = StepContexts.run(temp, "head", "-c", "1024", first.get("vmdk").file().toString());
        assertTrue(vmdk.contains("RW 131072 SPARSE \"debian-chrony-0.1.0.vmdk\""), vmdk);
        // The OVA packs the VMDK format's file itself (converted and checked once), listed in its manifest.
        Path unpacked = Files.createDirectories(temp.resolve("unpacked"));
        StepContexts.run(unpacked, "tar", "-xf", first.get("ova").file().toString());
        assertEquals(first.get("vmdk").sha256(), dev.kiln.events.Sha256.of(unpacked.resolve("debian-chrony-0.1.0.vmdk")),
                "the OVA's disk is the VMDK, byte for byte");
        assertTrue(Files.readString(unpacked.resolve("debian-chrony-0.1.0.mf")).contains("SHA256(debian-chrony-0.1.0.vmdk)= " + first.get("vmdk").sha256()));
        assertTrue(Files.readString(unpacked.resolve("debian-chrony-0.1.0.ovf")).contains("ovf:href=\"debian-chrony-0.1.0.vmdk\""));
    }

    @Test
    void anOvaWithoutTheVmdkFormatStillPacksAVmdkAndLeavesNoOtherFile() throws Exception {
        Path tree = Files.createDirectories(temp.resolve("tree/etc"));
        Files.writeString(tree.resolve("release"), "IMAGE=debian-chrony\n");
        Path raw = StepContexts.disk(temp.resolve("disk.raw"), temp.resolve("tree"));
        BuildContext build = StepContexts.withWorkspace(temp.resolve("ova-only"), List.of("raw", "ova"));
        build.rawDisk(raw);
        new ConvertStep().run(build);

        assertEquals(Map.of(), build.formatFailures());
        assertEquals(List.of("raw", "ova"), List.copyOf(build.formats().keySet()));
        try (var listing = Files.list(temp.resolve("ova-only/formats"))) {
            assertEquals(java.util.Set.of("debian-chrony-0.1.0.raw", "debian-chrony-0.1.0.ova"),
                    listing.map(file -> file.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
        }
        String listed = StepContexts.run(temp, "tar", "-tf", build.formats().get("ova").file().toString());
        assertEquals(List.of("debian-chrony-0.1.0.ovf", "debian-chrony-0.1.0.mf", "debian-chrony-0.1.0.vmdk"), List.of(listed.strip().split("\n")));
    }

    @Test
    void eachFormatIsHandedOnOnceAndTheVmdkNotBeforeTheOvaHasPackedIt() throws Exception {
        Path tree = Files.createDirectories(temp.resolve("tree/etc"));
        Files.writeString(tree.resolve("release"), "IMAGE=debian-chrony\n");
        Path raw = StepContexts.disk(temp.resolve("disk.raw"), temp.resolve("tree"));
        BuildContext build = StepContexts.withWorkspace(temp.resolve("handed"), KilnFile.ALL_FORMATS);
        build.rawDisk(raw);
        // As a release build hands formats on: into a file store, which moves each file away from the workspace.
        FileArtifactStore store = new FileArtifactStore(temp.resolve("store"));
        List<String> handed = new java.util.concurrent.CopyOnWriteArrayList<>();
        build.handoff(file -> {
            handed.add(file.format());
            StoreStep.store(store, build, file);
        });
        new ConvertStep().run(build);

        assertEquals(Map.of(), build.formatFailures());
        assertEquals(java.util.Set.copyOf(KilnFile.ALL_FORMATS), java.util.Set.copyOf(handed));
        assertEquals(KilnFile.ALL_FORMATS.size(), handed.size(), "each format handed on once: " + handed);
        assertEquals(KilnFile.ALL_FORMATS, List.copyOf(build.formats().keySet()), "kept in kiln.yaml's order");
        Path unpacked = Files.createDirectories(temp.resolve("unpacked"));
        StepContexts.run(unpacked, "tar", "-xf", java.nio.file.Path.of(java.net.URI.create(build.artifacts().get("ova").location())).toString());
        assertEquals(build.artifacts().get("vmdk").sha256(), dev.kiln.events.Sha256.of(unpacked.resolve("debian-chrony-0.1.0.vmdk")));
    }

    private Map<String, BuildContext.FormatFile> convert(Path raw, String name) throws Exception {
        BuildContext build = StepContexts.withWorkspace(temp.resolve(name), KilnFile.ALL_FORMATS);
        build.rawDisk(raw);
        ConvertStep step = new ConvertStep();
        step.run(build);
        assertEquals(Map.of(), build.formatFailures());
        return build.formats();
    }
}
