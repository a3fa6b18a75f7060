package dev.kiln.verifier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code kiln verify-image} on local files: exit codes, human and JSON output. */
class VerifyCommandTest {
    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return VerifyCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aSealedImagePassesWithExitZero() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("good.raw"));
        assertEquals(0, run(raw.toString(), "--format", "raw", "--version", TestImages.VERSION, "--no-boot"), err.toString());
        assertTrue(out.toString().contains("VERIFIED"), out.toString());
        assertTrue(out.toString().contains("inspect"), "phase timings are shown: " + out);
    }

    @Test
    void findingsGiveExitOneAndNameTheRule() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, "root/.bash_history", "sudo reboot\n");
        Path raw = TestImages.disk(tree, temp.resolve("bad.raw"));
        assertEquals(1, run(raw.toString(), "--format", "raw", "--no-boot"));
        assertTrue(out.toString().contains("FAIL  shell-history  /root/.bash_history"), out.toString());
    }

    @Test
    void jsonIsTheReport() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("good.raw"));
        assertEquals(1, run(raw.toString(), "--format", "raw", "--version", "9.9.9", "--no-boot", "--json"));
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertEquals("rejected", report.path("verdict").asText());
        assertEquals("release-stamp", report.path("findings").get(0).path("rule").asText());
    }

    @Test
    void usageErrorsGiveExitTwo() {
        assertEquals(2, run("/no/such/image.qcow2", "--format", "qcow2"));
        assertTrue(err.toString().contains("no such file"), err.toString());
        assertEquals(2, run("image.raw"));
        assertTrue(err.toString().contains("usage: kiln verify-image"));
    }

    @Test
    void anUnknownAcceleratorIsAnErrorThatNamesTheChoices(@TempDir Path tmp)
            throws Exception {
        Path image = java.nio.file.Files.write(tmp.resolve("image.raw"), new byte[512]);
        assertEquals(2, run(image.toString(), "--format", "raw", "--accelerator", "hvf"));
        assertTrue(err.toString().contains("QEMU accelerator 'hvf' is not one of kvm, tcg"), err.toString());
    }
}
