package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Reads files from the root file system of a raw disk without booting or mounting it (sfdisk + debugfs). */
final class SealedDisk {
    private final String device;

    SealedDisk(Path raw) throws Exception {
        JsonNode partitions = new ObjectMapper().readTree(
                ToolProcess.check(List.of("sfdisk", "--json", raw.toString()), raw.getParent(), Duration.ofSeconds(30), l -> { }))
                .path("partitiontable").path("partitions");
        long start = partitions.get(partitions.size() - 1).path("start").asLong();
        this.device = raw + "?offset=" + start * 512;
    }

    String cat(String path) throws Exception {
        return debugfs("cat " + path);
    }

    /** Names in a directory, without . and .. */
    List<String> ls(String dir) throws Exception {
        return List.of(debugfs("ls -l " + dir).split("\n")).stream()
                .map(String::trim).filter(line -> !line.isEmpty())
                .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .filter(name -> !name.equals(".") && !name.equals(".."))
                .toList();
    }

    boolean exists(String path) throws Exception {
        return !debugfs("stat " + path).contains("File not found");
    }

    String stat(String path) throws Exception {
        return debugfs("stat " + path);
    }

    String debugfs(String request) throws Exception {
        ToolProcess.Result result = ToolProcess.run(List.of("debugfs", "-R", request, device), Path.of("/"), java.util.Map.of(),
                Duration.ofSeconds(60), l -> { });
        return String.join("\n", result.output().stream().filter(l -> !l.startsWith("debugfs ")).toList());
    }
}
