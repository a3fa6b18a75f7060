package dev.kiln.deploy;

import dev.kiln.disk.ToolProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * An instance's identity as cloud-init's NoCloud data source reads it: a small FAT file system labelled CIDATA with
 * {@code meta-data} (instance-id, local-hostname) and an empty {@code user-data}. A new instance-id is what makes
 * cloud-init treat a clone as a new machine; images without cloud-init ignore the disk.
 */
final class NoCloudSeed {
    private NoCloudSeed() {
    }

    static Path write(Path dir, String instanceId) throws IOException, InterruptedException {
        Path metaData = dir.resolve("meta-data");
        Path userData = dir.resolve("user-data");
        Files.writeString(metaData, "instance-id: " + instanceId + "\nlocal-hostname: " + instanceId + "\n");
        Files.writeString(userData, "#cloud-config\n{}\n");
        Path seed = dir.resolve("seed.img");
        Files.deleteIfExists(seed);
        Duration timeout = Duration.ofSeconds(30);
        ToolProcess.check(List.of("mkfs.fat", "-n", "CIDATA", "-C", seed.toString(), "1024"), dir, timeout, line -> { });
        ToolProcess.check(List.of("mcopy", "-i", seed.toString(), metaData.toString(), userData.toString(), "::"), dir, timeout, line -> { });
        return seed;
    }
}
