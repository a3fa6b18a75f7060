package dev.kiln.local;

import dev.kiln.disk.ToolProcess;
import dev.kiln.stack.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./kiln up}, {@code bench}, {@code fault-drill} and {@code dead-letters} run outside Maven, on the classpath
 * {@code ./kiln} puts together (local_classpath: this module, target/local-runtime.classpath and the broker's
 * classpath). A dependency that Maven's test classpath has and that one lacks fails only there, so the runner's code is
 * run here on that classpath, in a JVM of its own (this module's classes in place of its jar).
 */
class RunnerClasspathTest {
    @TempDir
    Path temp;

    @Test
    void theRunnersClasspathReadsTheSharedKafkaSettingsWithTheEnvironmentsOverride() throws Exception {
        String classpath = String.join(":", Path.of("target/classes").toAbsolutePath().toString(),
                Path.of("target/test-classes").toAbsolutePath().toString(),
                Files.readString(Path.of("target/local-runtime.classpath")).strip(), KafkaBroker.brokerClasspath());
        String java = ProcessHandle.current().info().command().orElse("java");
        ToolProcess.Result probe = ToolProcess.run(List.of(java, "-cp", classpath, RunnerClasspathProbe.class.getName()), temp,
                Map.of("KILN_KAFKA_FETCH_WAIT_MS", "1234"), Duration.ofMinutes(1), line -> { });
        assertEquals(0, probe.exitCode(), probe.text());
        assertTrue(probe.output().contains("fetch.max.wait.ms=1234"), probe.text());
    }
}
