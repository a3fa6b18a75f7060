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
import java.util.List;

import static dev.kiln.registry.RegistryEvents.release;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A just-started registry, before any event, has done what its first events would otherwise do inside their hop, and
 * kept nothing of its rehearsal. Alone in its class so that no other test's events have done it instead.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class WarmStartTest {
    @ConfigProperty(name = "quarkus.datasource.reactive.max-size")
    int poolSize;

    @ConfigProperty(name = "kiln.registry.warm-start-rehearsals")
    int rehearsals;

    @Test
    void theFirstVerdictsFindEveryConnectionOpenAndRehearsedWithNothingKept() throws Exception {
        // Every connection its pool may hold, named in pg_stat_activity. Without the warm start the registry holds one
        // (its relay's schedule claims on it, one run at a time).
        await().atMost(Duration.ofSeconds(20)).until(() -> registryConnections() == poolSize);
        // Each part of the warm start says in the metrics that it ran, the ledger's rehearsal (tag to publication) too.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            return java.util.stream.Stream.of("codecs", "connections", "metadata", "ledger")
                    .allMatch(part -> metrics.contains("kiln_registry_warm_start_seconds_count{part=\"" + part + "\"}"))
                    // The first pass once on each connection, the others one after another.
                    && metrics.contains("kiln_registry_warm_start_seconds_count{part=\"ledger-pass\"} " + (poolSize + rehearsals - 1) + ".0");
        });
        // The first pass ran on every one of them, so none prepares the ledger's statements in a verdict's hop.
        assertEquals(poolSize + ".0", metric("kiln_registry_warm_start_connections"), "database sessions the first pass ran on");
        assertEquals(poolSize, registryConnections(), "the registry's connections after its warm start");
        // And the rehearsal kept nothing: no release, format or outbox row of its image, nothing published, no publication counted.
        try (Connection db = connect();
             ResultSet rows = db.createStatement().executeQuery("select (select count(*) from release where image = 'kiln-warm-start')"
                     + " + (select count(*) from outbox where payload like '%kiln-warm-start%')")) {
            rows.next();
            assertEquals(0, rows.getInt(1));
        }
        given().get("/api/v1/images/kiln-warm-start/versions/0.0.0").then().statusCode(404);
        assertEquals(List.of(), RegistryEvents.published(release("kiln-warm-start", "0.0.0")));
        // Every format's count is there from the start, and still zero: the rehearsal was not counted as a publication.
        for (String format : dev.kiln.events.DiskFormat.ids()) {
            assertEquals("0.0", metric("kiln_registry_published_total{format=\"" + format + "\"}"), format + " publications");
        }
    }

    private static String metric(String name) {
        return given().get("/q/metrics").then().statusCode(200).extract().asString().lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{")).map(line -> line.substring(line.lastIndexOf(' ') + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }

    private static Connection connect() throws Exception {
        PostgresCluster database = PostgresCluster.shared();
        return DriverManager.getConnection(database.jdbcUrl(), PostgresCluster.USER, database.password());
    }

    private static int registryConnections() throws Exception {
        try (Connection db = connect();
             ResultSet rows = db.createStatement().executeQuery("select count(*) from pg_stat_activity where application_name = 'kiln-registry'")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
