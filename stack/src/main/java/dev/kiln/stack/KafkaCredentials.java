package dev.kiln.stack;

import java.util.Map;

/**
 * A SCRAM user's name and password on one broker. The password stays out of {@link #toString()}, so it never
 * reaches a log or an assertion message by accident.
 */
public record KafkaCredentials(String bootstrapServers, String user, String password) {
    public static final String MECHANISM = "SCRAM-SHA-512";

    /** Configuration for a plain Kafka client (producer, consumer, admin) acting as this user. */
    public Map<String, Object> clientConfig() {
        return Map.of("bootstrap.servers", bootstrapServers,
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", jaas("org.apache.kafka.common.security.scram.ScramLoginModule", user, password));
    }

    static String jaas(String module, String user, String password) {
        // Names and passwords are generated from [a-z0-9-]: nothing in them needs quoting.
        return module + " required username=\"" + user + "\" password=\"" + password + "\";";
    }

    @Override
    public String toString() {
        return "KafkaCredentials[" + user + "@" + bootstrapServers + "]";
    }
}
