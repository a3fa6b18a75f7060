package dev.kiln.disk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** QEMU's own option parser (qemu-img --image-opts reads the same lists as -drive) takes a path with commas whole. */
class QemuOptsTest {
    @TempDir
    Path temp;

    @Test
    void aPathWithCommasIsOneValueToQemu() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("state,format=qcow2,x"));
        Path disk = dir.resolve("disk.raw");
        assertTrue(ToolProcess.run(List.of("qemu-img", "create", "-q", "-f", "raw", disk.toString(), "1M"), Duration.ofMinutes(1)).ok());

        ToolProcess.Result escaped = info("driver=raw,file.driver=file,file.filename=" + QemuOpts.value(disk));
        assertTrue(escaped.ok(), escaped.text());
        assertTrue(escaped.text().contains("\"virtual-size\": 1048576"), escaped.text());

        ToolProcess.Result unescaped = info("driver=raw,file.driver=file,file.filename=" + disk);
        assertFalse(unescaped.ok(), "as written, the path is cut at its first comma: " + unescaped.text());
    }

    private static ToolProcess.Result info(String options) throws Exception {
        return ToolProcess.run(List.of("qemu-img", "info", "--output=json", "--image-opts", options), Duration.ofMinutes(1));
    }
}
