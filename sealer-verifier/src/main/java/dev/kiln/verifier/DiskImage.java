package dev.kiln.verifier;

import dev.kiln.disk.ToolProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw disk read without booting or mounting it: the partition table from sfdisk, each partition's ext2/3/4 file
 * system through debugfs at its offset (root not needed, no kernel involved, well under a second). The root file
 * system is the partition that has /etc/os-release.
 */
final class DiskImage {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DiskImage() {
    }

    /** Copies {@link ImageTree#SEALING_PATHS} of the disk's root file system into {@code into}. */
    static ImageTree extract(Path raw, Path into) throws Rejection, IOException, InterruptedException {
        String root = rootFileSystem(raw);
        Files.createDirectories(into);
        StringBuilder commands = new StringBuilder();
        for (String path : ImageTree.SEALING_PATHS) {
            Path parent = into.resolve(path.substring(1)).getParent();
            Files.createDirectories(parent);
            commands.append("rdump \"").append(path).append("\" \"").append(parent).append("\"\n");
        }
        Path script = into.resolveSibling("debugfs-rdump.cmd");
        Files.writeString(script, commands);
        ToolProcess.Result dump = ToolProcess.run(List.of("debugfs", "-f", script.toString(), root), TOOL_TIMEOUT);
        if (!dump.ok()) {
            throw new Rejection("filesystem", "/", "the root file system could not be read: " + dump.text().strip());
        }
        return new ImageTree(into);
    }

    /** debugfs's name for the root file system: the disk with the partition's byte offset. */
    private static String rootFileSystem(Path raw) throws Rejection, IOException, InterruptedException {
        List<Long> offsets = new ArrayList<>();
        ToolProcess.Result table = ToolProcess.run(List.of("sfdisk", "--json", raw.toString()), TOOL_TIMEOUT);
        if (table.ok() && table.text().contains("partitiontable")) {
            JsonNode parsed = JSON.readTree(table.text().substring(table.text().indexOf('{')));
            long sector = parsed.path("partitiontable").path("sectorsize").asLong(512);
            for (JsonNode partition : parsed.path("partitiontable").path("partitions")) {
                offsets.add(partition.path("start").asLong() * sector);
            }
        }
        offsets.add(0L); // a file system on the whole disk, with no partition table
        for (long offset : offsets) {
            String device = raw + "?offset=" + offset;
            ToolProcess.Result probe = ToolProcess.run(List.of("debugfs", "-R", "stat /etc/os-release", device), TOOL_TIMEOUT);
            if (probe.ok() && probe.text().contains("Inode:") && !probe.text().contains("not found")) {
                return device;
            }
        }
        throw new Rejection("filesystem", "/", "no readable Linux root file system: no partition holds an ext2/3/4 file system "
                + "with /etc/os-release (other file systems such as XFS or btrfs are not supported yet)");
    }
}
