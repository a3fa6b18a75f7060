package dev.kiln.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PackerPhasesTest {
    @Test
    void aStampedBuildIsSplitAtItsFirstLoginAndItsPlayRecap() {
        List<String> output = List.of(
                "$ packer build packer/image.pkr.hcl (timeout 20m)",
                "2026-12-03T00:10:00Z: ==> qemu.image: Retrieving ISO",
                "2026-12-03T00:11:05Z: ==> qemu.image: Connected to SSH!",
                "2026-12-03T00:11:05Z: ==> qemu.image: Provisioning with Ansible...",
                "    qemu.image: PLAY RECAP ********** (an unstamped continuation is skipped)",
                "2026-12-03T00:13:35Z:     qemu.image: PLAY RECAP *********************************************************",
                "2026-12-03T00:13:36Z: ==> qemu.image: Gracefully halting virtual machine...",
                "2026-12-03T00:13:52Z: Build 'qemu.image' finished after 3 minutes 52 seconds.");
        assertEquals(Optional.of(new PackerPhases(Map.of("boot to SSH", 65L, "Ansible", 150L, "halt and save", 17L))), PackerPhases.of(output));
        assertEquals("{boot to SSH 65, Ansible 150, halt and save 17 s}", PackerPhases.of(output).orElseThrow().toString());
    }

    @Test
    void aBuildWithoutStampsOrThatNeverFinishedHasNoPhases() {
        assertEquals(Optional.empty(), PackerPhases.of(List.of("==> qemu.image: Connected to SSH!", "Build 'qemu.image' finished after 1 second.")));
        assertEquals(Optional.empty(), PackerPhases.of(List.of("2026-12-03T00:10:00Z: ==> qemu.image: Connected to SSH!",
                "2026-12-03T00:10:09Z: ==> qemu.image: Build 'qemu.image' errored after 9 seconds: boom")));
    }
}
