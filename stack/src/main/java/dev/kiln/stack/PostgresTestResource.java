package dev.kiln.stack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** Points a Quarkus test at the JVM's shared real PostgreSQL cluster ({@link PostgresCluster#shared()}). */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        PostgresCluster cluster = PostgresCluster.shared();
        return Map.of(
                "quarkus.datasource.reactive.url", cluster.reactiveUrl(),
                "quarkus.datasource.jdbc.url", cluster.jdbcUrl(),
                "quarkus.datasource.username", PostgresCluster.USER,
                "quarkus.datasource.password", cluster.password());
    }

    @Override
    public void stop() {
        // Shared across the test classes of this JVM; stopped at exit.
    }
}
