package dev.kiln.builder;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Telling bubblewrap's own failure to set the sandbox up (started again) from the template's (reported). */
class BuildSandboxTest {
    @Test
    void bubblewrapsOwnSetupFailureIsRecognised() {
        assertTrue(BuildSandbox.failedToStart(List.of("bwrap: loopback: Failed RTM_NEWADDR: No child processes")));
    }

    @Test
    void aToolsFailureIsNot() {
        assertFalse(BuildSandbox.failedToStart(List.of("Error: Unsupported argument", "bwrap: whatever")));
        assertFalse(BuildSandbox.failedToStart(List.of()));
        assertFalse(BuildSandbox.failedToStart(List.of("==> qemu: Build was cancelled.")));
    }
}
