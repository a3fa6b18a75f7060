package dev.kiln.registry;

import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresCluster;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * A just-started registry, before any event: the database connections its first verdicts would open inside their hop
 * (one per side-by-side verdict consumer, one for the relay) are open already, named in pg_stat_activity. Alone in its
 * class so that no other test's events have opened them.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class WarmStartTest {
    @ConfigProperty(name = "mp.messaging.incoming.image-verified.concurrency")
    int verdictConsumers;

    @Test
    void theConnectionsOfTheFirstVerdictsAreOpenBeforeAnyEvent() {
        // Without the warm start the registry holds one (its relay's schedule claims on it, one run at a time).
        await().atMost(Duration.ofSeconds(20)).until(() -> registryConnections() >= verdictConsumers + 1);
    }

    private static int registryConnections() throws Exception {
        PostgresCluster database = PostgresCluster.shared();
        try (Connection db = DriverManager.getConnection(database.jdbcUrl(), PostgresCluster.USER, database.password());
             ResultSet rows = db.createStatement().executeQuery("select count(*) from pg_stat_activity where application_name = 'kiln-registry'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
