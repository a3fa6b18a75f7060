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

    /**
     * One partition: its number, first byte and length in bytes, its type as sfdisk names it, and its PARTUUID as the
     * kernel names it (GPT: the partition's GUID; MBR: disk id and number, e.g. {@code 6b696c6e-02}).
     */
    public record Partition(int number, long offset, long size, String type, String partUuid) {
    }

    /** GPT's BIOS boot partition and MBR extended partitions hold no file system by design. */
    public boolean holdsNoFileSystem(Partition partition) {
        String type = partition.type().toLowerCase(java.util.Locale.ROOT);
        return type.equals("21686148-6449-6e6f-744e-656564454649") || type.equals("5") || type.equals("f") || type.equals("85");
    }

    public static DiskLayout of(Path raw, long diskSize, Path directory) throws IOException, InterruptedException {
        ToolProcess.Result result = ToolProcess.run(List.of("sfdisk", "--json", raw.toString()), directory,
                java.util.Map.of(), Duration.ofMinutes(1), line -> { });
        if (!result.ok()) {
            // No partition table: the disk is one file system, or nothing kiln can re-master.
            return new DiskLayout("none", List.of(new Partition(0, 0, diskSize, "whole disk", null)));
        }
        JsonNode table = JSON.readTree(String.join("\n", result.output())).path("partitiontable");
        long sector = table.path("sectorsize").asLong(512);
        List<Partition> partitions = new ArrayList<>();
        String diskId = table.path("id").asText("").toLowerCase(java.util.Locale.ROOT).replaceFirst("^0x", "");
        boolean gpt = table.path("label").asText().equals("gpt");
        int number = 0;
        for (JsonNode p : table.path("partitions")) {
            number++;
            String node = p.path("node").asText("");
            int n = node.matches(".*\\d+$") ? Integer.parseInt(node.replaceAll(".*?(\\d+)$", "$1")) : number;
            String partUuid = gpt ? p.path("uuid").asText("").toLowerCase(java.util.Locale.ROOT) : String.format("%s-%02x", diskId, n);
            partitions.add(new Partition(n, p.path("start").asLong() * sector, p.path("size").asLong() * sector,
                    p.path("type").asText(), partUuid));
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
