package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reason a failed packer build gives: the line of Packer's (or Ansible's) output that says what went wrong. */
class PackerBuildStepTest {
    @TempDir
    Path temp;

    @Test
    void aGuestThatNeverAnswersSshIsNamedAsSuch() throws Exception {
        // Packer 1.6.6 itself, waiting for SSH on a port nothing listens on (the null source: no guest to boot).
        Path template = Files.writeString(temp.resolve("silent.pkr.hcl"), """
                source "null" "silent" {
                  ssh_host     = "127.0.0.1"
                  ssh_port     = 9
                  ssh_username = "nobody"
                  ssh_password = "none"
                  ssh_timeout  = "2s"
                }
                build {
                  sources = ["source.null.silent"]
                }
                """);
        ToolProcess.Result result = ToolProcess.run(List.of("packer", "build", "-color=false", "-timestamp-ui", template.toString()),
                temp, Map.of("CHECKPOINT_DISABLE", "1"), Duration.ofMinutes(1), line -> { });
        assertFalse(result.ok(), String.join("\n", result.output()));
        String reason = PackerBuildStep.firstError(result.output()).orElseThrow();
        assertTrue(reason.startsWith("Build 'null.silent' errored after "), reason);
        assertTrue(reason.endsWith(": Timeout waiting for SSH."), reason);
    }

    @Test
    void anAnsibleTaskFailureComesBeforePackersVerdict() {
        List<String> output = List.of(
                "2026-12-03T21:50:26Z: ==> qemu.image: Provisioning with Ansible...",
                "2026-12-03T21:50:40Z:     qemu.image: fatal: [default]: FAILED! => {\"changed\": false, \"cmd\": [\"/bin/false\"], \"rc\": 1}",
                "2026-12-03T21:50:41Z: Build 'qemu.image' errored after 1 minute 2 seconds: Error executing Ansible: Non-zero exit status: exit status 2");
        assertEquals("fatal: [default]: FAILED! => {\"changed\": false, \"cmd\": [\"/bin/false\"], \"rc\": 1}",
                PackerBuildStep.firstError(output).orElseThrow());
    }

    @Test
    void aBuildLineThatIsNoVerdictIsPassedOver() {
        List<String> output = List.of(
                "2026-12-03T21:50:26Z: ==> qemu.image: Build 'image' of the guest started",
                "2026-12-03T21:50:27Z: Error: the disk is full");
        assertEquals(Optional.of("Error: the disk is full"), PackerBuildStep.firstError(output));
        assertEquals(Optional.empty(), PackerBuildStep.firstError(List.of("==> qemu.image: Gracefully halting virtual machine...")));
    }
}
