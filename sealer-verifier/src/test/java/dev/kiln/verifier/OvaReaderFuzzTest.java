package dev.kiln.verifier;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OVA reader: any archive gives its disk, inside the workspace, or a refusal with a reason; nothing else is
 * thrown and nothing is written outside the workspace. Inputs: OvaReaderFuzzTestInputs/.
 */
class OvaReaderFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void anyArchiveGivesItsDiskOrARefusal(byte[] archive) throws Exception {
        Path dir = Files.createTempDirectory("kiln-ova-");
        try {
            Path ova = Files.write(dir.resolve("image.ova"), archive);
            Path workspace = Files.createDirectories(dir.resolve("ws"));
            try {
                Path disk = DecodedImage.unpackOva(ova, workspace, ImageLimits.defaults());
                assertTrue(disk.normalize().startsWith(workspace), disk.toString());
            } catch (Rejection refused) {
                assertFalse(refused.getMessage().isBlank());
            }
            try (var left = Files.list(dir)) {
                assertTrue(left.allMatch(p -> p.equals(ova) || p.equals(workspace)), "wrote only into its workspace");
            }
        } finally {
            dev.kiln.stack.TempDirs.delete(dir);
        }
    }
}
