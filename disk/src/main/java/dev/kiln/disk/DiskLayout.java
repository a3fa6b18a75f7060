package dev.kiln.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the file systems of a raw disk are: its partitions as sfdisk reads them (MBR or GPT), or the whole disk
 * when it carries a file system without a partition table.
 */
public record DiskLayout(String label, List<Partition> partitions) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One partition: its number, first byte and length in bytes, and its type as sfdisk names it. */
    public record Partition(int number, long offset, long size, String type) {
    }

    public static DiskLayout of(Path raw, long diskSize, Path directory) throws IOException, InterruptedException {
        ToolProcess.Result result = ToolProcess.run(List.of("sfdisk", "--json", raw.toString()), directory,
                java.util.Map.of(), Duration.ofMinutes(1), line -> { });
        if (!result.ok()) {
            // No partition table: the disk is one file system, or nothing kiln can re-master.
            return new DiskLayout("none", List.of(new Partition(0, 0, diskSize, "whole disk")));
        }
        JsonNode table = JSON.readTree(String.join("\n", result.output())).path("partitiontable");
        long sector = table.path("sectorsize").asLong(512);
        List<Partition> partitions = new ArrayList<>();
        int number = 0;
        for (JsonNode p : table.path("partitions")) {
            number++;
            partitions.add(new Partition(number, p.path("start").asLong() * sector, p.path("size").asLong() * sector,
                    p.path("type").asText()));
        }
        return new DiskLayout(table.path("label").asText("unknown"), List.copyOf(partitions));
    }

    /** Whether an ext2/3/4 superblock (magic 0xEF53, 1080 bytes in) starts at this offset. */
    public static boolean isExtFileSystem(Path raw, long offset) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "r")) {
            if (offset + 1082 > file.length()) {
                return false;
            }
            file.seek(offset + 1080);
            return file.read() == 0x53 && file.read() == 0xEF;
        }
    }
}
