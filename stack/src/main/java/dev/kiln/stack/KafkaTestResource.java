package dev.kiln.stack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a Quarkus test at the JVM's shared real broker ({@link KafkaBroker#shared()}); Dev Services cannot
 * start one here, as there is no container engine.
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return Map.of("kafka.bootstrap.servers", KafkaBroker.shared().bootstrapServers());
    }

    @Override
    public void stop() {
        // The broker outlives one application start: other test classes in this JVM use it too.
    }
}
