package dev.kiln.local;

import dev.kiln.stack.KafkaCredentials;

/**
 * Run by {@link RunnerClasspathTest} in a JVM of its own, on the classpath {@code ./kiln} gives the runner: what the
 * runner's subscriber reads from the shared Kafka settings, printed.
 */
public final class RunnerClasspathProbe {
    private RunnerClasspathProbe() {
    }

    public static void main(String[] args) {
        Object wait = PipelineProgress.subscriberConfig(new KafkaCredentials("127.0.0.1:9", "kiln-observer", "unused"), "probe-", false)
                .get("fetch.max.wait.ms");
        System.out.println("fetch.max.wait.ms=" + wait);
    }
}
