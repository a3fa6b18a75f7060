package dev.kiln.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The digest of a file read by its data alone is sha256sum's digest of every byte, whatever the file's holes. */
class SparseSha256Test {
    private static final long MIB = 1 << 20;

    @TempDir
    Path temp;

    @Test
    void aFileWithHolesAnywhereHasTheDigestOfAllItsBytes() throws Exception {
        // Data at the start, in the middle and in the last, partial, sector; holes between.
        Path disk = sparse("disk.raw", 64 * MIB + 1000, 0, 5 * MIB + 17, 64 * MIB + 990);
        List<SparseSha256.Region> regions = SparseSha256.regions(disk, Files.size(disk));
        assertTrue(regions.stream().anyMatch(region -> !region.data()), "qemu-img found holes to skip: " + regions);
        assertEquals(sha256sum(disk), SparseSha256.of(disk));

        Path holeOnly = sparse("hole.raw", 16 * MIB);
        assertEquals(sha256sum(holeOnly), SparseSha256.of(holeOnly));

        Path dense = temp.resolve("dense.bin");
        Files.write(dense, "not a disk, not a multiple of 512 bytes".getBytes());
        assertEquals(sha256sum(dense), SparseSha256.of(dense));

        Path empty = Files.createFile(temp.resolve("empty.bin"));
        assertEquals(sha256sum(empty), SparseSha256.of(empty));
    }

    /** A file of {@code size} bytes, all hole but a few bytes written at each offset. */
    private Path sparse(String name, long size, long... writtenAt) throws Exception {
        Path file = temp.resolve(name);
        try (java.io.RandomAccessFile writer = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            for (long at : writtenAt) {
                writer.seek(at);
                writer.write(("data at " + at).getBytes());
            }
            writer.setLength(size);
        }
        assertEquals(size, Files.size(file));
        return file;
    }

    private static String sha256sum(Path file) throws Exception {
        ToolProcess.Result sum = ToolProcess.run(List.of("sha256sum", file.toString()), Duration.ofMinutes(1));
        assertTrue(sum.ok(), sum.text());
        return sum.text().split(" ")[0];
    }
}
