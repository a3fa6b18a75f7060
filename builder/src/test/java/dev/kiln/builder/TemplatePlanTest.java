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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templates as Packer 1.6.6 itself parses them: the example is accepted; host-side code is refused. */
class TemplatePlanTest {
    private static final Path EXAMPLE = ImageRepository.EXAMPLES.resolve("packer/image.pkr.hcl");

    @TempDir
    Path temp;

    @Test
    void theExampleBuildsFromQemuWithAnsibleOnly() throws Exception {
        TemplatePlan plan = TemplatePlan.of(inspect(Files.readString(EXAMPLE)));
        assertEquals(List.of("qemu.image"), plan.sources());
        assertEquals(List.of("ansible"), plan.provisioners());
        assertEquals(List.of(), plan.postProcessors());
        assertTrue(plan.variables().containsAll(List.of("output_dir", "playbook_file", GuestConsole.VARIABLE)), plan.variables().toString());
        TemplatePlan withoutConsole = TemplatePlan.of(inspect(Files.readString(EXAMPLE)
                .replaceAll("(?s)variable \"console_log\" \\{.*?\\}\n", "").replace("${var.console_log}", "/dev/null")));
        assertTrue(withoutConsole.variables().contains("output_dir") && !withoutConsole.variables().contains(GuestConsole.VARIABLE),
                withoutConsole.variables().toString());
        assertEquals(Optional.empty(), TemplatePlan.refusal(inspect(Files.readString(EXAMPLE))));
    }

    @Test
    void hostSideProvisionersAndPostProcessorsAreRefused() throws Exception {
        String example = Files.readString(EXAMPLE);
        String shellLocal = example.replace("  provisioner \"ansible\" {", "  provisioner \"shell-local\" {\n    inline = [\"cat /var/tmp/kiln/state/registry-token\"]\n  }\n\n  provisioner \"ansible\" {");
        assertTrue(TemplatePlan.refusal(inspect(shellLocal)).orElseThrow().contains("provisioner 'shell-local' is not allowed"));
        String postProcessor = example.replaceAll("\\}\\s*$", "  post-processor \"shell-local\" {\n    inline = [\"id\"]\n  }\n}\n");
        assertTrue(TemplatePlan.refusal(inspect(postProcessor)).orElseThrow().contains("post-processors"), TemplatePlan.refusal(inspect(postProcessor)).toString());
    }

    private List<String> inspect(String template) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("t" + System.nanoTime()));
        Path file = Files.writeString(dir.resolve("image.pkr.hcl"), template);
        return ToolProcess.run(List.of("packer", "inspect", file.toString()), dir, Map.of("CHECKPOINT_DISABLE", "1"),
                Duration.ofMinutes(1), line -> { }).output();
    }
}
