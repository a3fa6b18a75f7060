package dev.kiln.builder;

import dev.kiln.disk.DiskLayout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * remaster: the sealed disk Packer left carries the history of its build (allocation order, journal, the times of
 * every file the playbook touched, stale blocks). Each ext file system on it is made again from its own tree with
 * {@link Ext4Remaster}; everything else on the disk (partition table, boot partition, gaps) is kept byte for byte.
 * The result depends only on the files, so the same tag gives the same disk.
 */
final class RemasterStep implements BuildStep {
    private static final int CHUNK = 1 << 16;


    @Override
    public void run(BuildContext build) throws Exception {
        Path built = build.rawDisk();
        long size = Files.size(built);
        DiskLayout layout = DiskLayout.of(built, size, build.workspace());
        Path remastered = build.workspace().resolve("remastered.raw");
        Ext4Remaster remaster = new Ext4Remaster(build.workspace(), new ReleaseIds(build.release()), build::log);
        List<DiskLayout.Partition> ext = new ArrayList<>();
        for (DiskLayout.Partition partition : layout.partitions()) {
            if (DiskLayout.isExtFileSystem(built, partition.offset())) {
                ext.add(partition);
            } else {
                build.log("partition " + partition.number() + " (" + partition.type() + "): kept as built");
            }
        }
        ext.sort(java.util.Comparator.comparingLong(DiskLayout.Partition::offset));
        for (int i = 1; i < ext.size(); i++) {
            if (ext.get(i).offset() < ext.get(i - 1).offset() + ext.get(i - 1).size()) {
                throw new BuildFailure("partitions " + ext.get(i - 1).number() + " and " + ext.get(i).number() + " overlap; the partition table is damaged");
            }
        }
        if (ext.isEmpty()) {
            throw new BuildFailure("the built disk (" + layout.label() + " partition table) has no ext2/3/4 file system to re-master; "
                    + "kiln re-masters ext4 file systems so that a tag always rebuilds the same disk");
        }
        try (RandomAccessFile out = new RandomAccessFile(remastered.toFile(), "rw")) {
            out.setLength(size);
            long at = 0;
            for (DiskLayout.Partition partition : ext) {
                // What lies outside the ext file systems (partition table, boot partition, gaps) is kept as built.
                copy(built, at, out, at, partition.offset() - at);
                // Written in place: the partition's range of the new file is still a hole.
                remaster.remaster(built, partition.offset(), partition.size(), remastered, build.tagged().sourceDateEpoch());
                at = partition.offset() + partition.size();
            }
            copy(built, at, out, at, size - at);
        }
        Files.move(remastered, built, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Copies a byte range and leaves runs of zeros as holes, so the disk stays sparse. */
    static void copy(Path from, long fromOffset, RandomAccessFile to, long toOffset, long length) throws IOException {
        byte[] buffer = new byte[CHUNK];
        byte[] zeros = new byte[CHUNK];
        try (RandomAccessFile in = new RandomAccessFile(from.toFile(), "r")) {
            long done = 0;
            while (done < length) {
                int n = (int) Math.min(CHUNK, length - done);
                in.seek(fromOffset + done);
                in.readFully(buffer, 0, n);
                if (!Arrays.equals(buffer, 0, n, zeros, 0, n)) {
                    to.seek(toOffset + done);
                    to.write(buffer, 0, n);
                }
                done += n;
            }
        }
    }
}
