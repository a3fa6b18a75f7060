package dev.kiln.registry;

import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.published;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static dev.kiln.registry.RegistryTest.state;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

/**
 * A verdict is published (sent, and recorded as sent) as soon as it is applied, by the relay it nudges, not by the relay's schedule: here the
 * schedule runs once, early (it marks the Kafka channel ready), and then not for an hour.
 */
@QuarkusTest
@TestProfile(RelayNudgeTest.WithAnHourlySchedule.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class RelayNudgeTest {
    static final String TOKEN = "nudge-test-token";

    public static class WithAnHourlySchedule implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiln.registry.outbox-interval", "1h", "kiln.registry.write-token", TOKEN);
        }
    }

    @Test
    void verdictsJudgedTogetherArePublishedWithoutTheSchedule() throws Exception {
        Release release = release("debian-nudged", "1.0.0");
        send(tagged(release), built(release, "raw", 'a'), built(release, "qcow2", 'a'));
        // The schedule's one early run (3 s after the start, once the channel is connected) has passed before the verdicts come.
        Thread.sleep(5000);
        send(verified(release, "raw", 'a'), verified(release, "qcow2", 'a'));
        await().atMost(Duration.ofSeconds(20)).until(() -> published(release).size() == 2
                && "PUBLISHED".equals(state(release, "raw")) && "PUBLISHED".equals(state(release, "qcow2")));

        // And again, once the first sends are recorded: every later verdict nudges its own run.
        Release next = release("debian-nudged", "1.0.1");
        send(tagged(next), built(next, "vhd", 'b'), verified(next, "vhd", 'b'));
        await().atMost(Duration.ofSeconds(20)).until(() -> published(next).size() == 1 && "PUBLISHED".equals(state(next, "vhd")));

        // A channel moved through the API: its entry is claimed by the run the move nudges, on a context of its own.
        given().auth().oauth2(TOKEN).contentType(io.restassured.http.ContentType.JSON).body("{\"version\": \"1.0.1\"}")
                .put("/api/v1/images/debian-nudged/channels/stable").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> RegistryEvents.of(dev.kiln.events.ChannelMoved.class, "debian-nudged").size() == 1);
    }
}
