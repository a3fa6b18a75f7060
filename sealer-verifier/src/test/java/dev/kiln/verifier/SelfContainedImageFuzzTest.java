package dev.kiln.verifier;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The header reader kiln wrote itself (qcow2, VMDK, VHD): any file either passes or is refused with a reason; it never
 * throws anything else, never hangs, never reads past a bounded amount. Inputs: SelfContainedImageFuzzTestInputs/.
 */
class SelfContainedImageFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void anyHeaderPassesOrIsRefusedWithAReason(FuzzedDataProvider data) throws Exception {
        String format = data.pickValue(new String[] {"qcow2", "vmdk", "vpc", "vhdx", "raw"});
        Path file = Files.createTempFile("kiln-header-", ".img");
        try {
            Files.write(file, data.consumeRemainingAsBytes());
            SelfContainedImage.require(file, format);
        } catch (Rejection refused) {
            assertFalse(refused.getMessage().isBlank());
        } finally {
            Files.delete(file);
        }
    }
}
