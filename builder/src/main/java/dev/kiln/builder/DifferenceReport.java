package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.FuseMount;
import dev.kiln.disk.DiskLayout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Why a rebuild is not bit-identical, for a person who must fix the image repository: the files that differ inside
 * the disk's file systems (path and property), the other disk regions that differ, and the header fields of container
 * formats whose disk is the same but whose file is not.
 */
final class DifferenceReport {
    private static final int CHUNK = 1 << 20;

    private DifferenceReport() {
    }

    /** Differences between the recorded and the rebuilt raw disk. */
    static List<String> disks(Path recorded, Path rebuilt, Path work) throws Exception {
        List<String> lines = new ArrayList<>();
        long size = Files.size(recorded);
        if (size != Files.size(rebuilt)) {
            lines.add("disk: size " + size + " → " + Files.size(rebuilt) + " bytes");
            return lines;
        }
        DiskLayout before = DiskLayout.of(recorded, size, work);
        DiskLayout after = DiskLayout.of(rebuilt, size, work);
        if (!before.equals(after)) {
            lines.add("disk: partition table " + before + " → " + after);
            return lines;
        }
        long at = 0;
        for (DiskLayout.Partition p : before.partitions()) {
            if (p.offset() > at) {
                region(lines, "partition table, boot code and gaps (bytes " + at + "–" + (p.offset() - 1) + ")", recorded, rebuilt, at, p.offset() - at);
            }
            String name = "partition " + p.number() + " (" + p.type() + ")";
            long differing = differingBytes(recorded, rebuilt, p.offset(), p.size());
            if (differing > 0 && DiskLayout.isExtFileSystem(recorded, p.offset()) && DiskLayout.isExtFileSystem(rebuilt, p.offset())) {
                List<String> files = files(recorded, rebuilt, p.offset(), work, p.number());
                if (files.isEmpty()) {
                    lines.add(name + ": the same files, but the ext4 file system differs in " + differing
                            + " bytes (its structure, not its files: please report this to kiln)");
                } else {
                    lines.add(name + ": " + files.size() + " path(s) differ:");
                    files.forEach(line -> lines.add("  " + line));
                }
            } else if (differing > 0) {
                lines.add(name + ": " + differing + " bytes differ (not an ext file system: compared byte for byte)");
            }
            at = Math.max(at, p.offset() + p.size());
        }
        if (at < size) {
            region(lines, "after the last partition (bytes " + at + "–" + (size - 1) + ")", recorded, rebuilt, at, size - at);
        }
        return lines;
    }

    /** Differences between two files of one format that carry the same disk: their header fields. */
    static List<String> container(DiskFormat format, Path recorded, Path rebuilt) throws IOException {
        List<String> lines = new ArrayList<>();
        if (format == DiskFormat.OVA) {
            lines.add(format.id() + ": the OVA's entries differ (compare the descriptor and the disk: tar -tvf)");
            return lines;
        }
        Map<String, String> a = ContainerHeaders.fields(format.qemuFormat(), recorded);
        Map<String, String> b = ContainerHeaders.fields(format.qemuFormat(), rebuilt);
        TreeSet<String> names = new TreeSet<>(a.keySet());
        names.addAll(b.keySet());
        for (String field : names) {
            if (!java.util.Objects.equals(a.get(field), b.get(field))) {
                lines.add(format.id() + ": header field " + field + " " + a.get(field) + " → " + b.get(field));
            }
        }
        if (lines.isEmpty()) {
            long size = Math.min(Files.size(recorded), Files.size(rebuilt));
            lines.add(format.id() + ": " + differingBytes(recorded, rebuilt, 0, size) + " bytes differ outside the known header fields"
                    + (Files.size(recorded) != Files.size(rebuilt) ? ", and the size " + Files.size(recorded) + " → " + Files.size(rebuilt) : ""));
        }
        return lines;
    }

    private static List<String> files(Path recorded, Path rebuilt, long offset, Path work, int partition) throws Exception {
        Path a = Files.createDirectories(work.resolve("compare-recorded-" + partition));
        Path b = Files.createDirectories(work.resolve("compare-rebuilt-" + partition));
        try (FuseMount before = FuseMount.readOnly(recorded, offset, a, work); FuseMount after = FuseMount.readOnly(rebuilt, offset, b, work)) {
            return FileTreeDifference.between(before.path(), after.path(), work);
        }
    }

    private static void region(List<String> lines, String name, Path recorded, Path rebuilt, long offset, long length) throws IOException {
        long differing = differingBytes(recorded, rebuilt, offset, length);
        if (differing > 0) {
            lines.add(name + ": " + differing + " bytes differ");
        }
    }

    static long differingBytes(Path first, Path second, long offset, long length) throws IOException {
        byte[] a = new byte[CHUNK];
        byte[] b = new byte[CHUNK];
        long differing = 0;
        try (RandomAccessFile x = new RandomAccessFile(first.toFile(), "r"); RandomAccessFile y = new RandomAccessFile(second.toFile(), "r")) {
            for (long done = 0; done < length; ) {
                int n = (int) Math.min(CHUNK, length - done);
                x.seek(offset + done);
                x.readFully(a, 0, n);
                y.seek(offset + done);
                y.readFully(b, 0, n);
                if (!java.util.Arrays.equals(a, 0, n, b, 0, n)) {
                    for (int i = 0; i < n; i++) {
                        if (a[i] != b[i]) {
                            differing++;
                        }
                    }
                }
                done += n;
            }
        }
        return differing;
    }
}
