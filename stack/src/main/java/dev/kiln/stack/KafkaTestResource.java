package dev.kiln.stack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a Quarkus test at the JVM's shared real broker ({@link KafkaBroker#shared()}) as its administrator; Dev
 * Services cannot start one here, as there is no container engine. For the events module's own codec tests;
 * a service's tests sign in as the service (kiln-local's ServiceKafkaResource).
 */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        Map<String, String> config = new java.util.HashMap<>();
        KafkaBroker.shared().adminClientConfig().forEach((key, value) -> config.put("kafka." + key, value.toString()));
        return config;
    }

    @Override
    public void stop() {
        // The broker outlives one application start: other test classes in this JVM use it too.
    }
}
