package dev.kiln.tagwatcher;

import dev.kiln.events.ReleaseTagged;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The running service: webhooks, the REST API, health and metrics, with one reachable and one unreachable repository. */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "TAG_WATCHER"))
@QuarkusTestResource(value = WatchedRepositoriesResource.class, restrictToAnnotatedClass = true)
class TagWatcherTest {
    private static final String PUSH = "{\"ref\":\"refs/tags/release-0.2.0\",\"repository\":{\"full_name\":\"platform/images\"}}";

    private static List<ReleaseTagged> events() {
        String url = WatchedRepositoriesResource.good.dir().toString();
        return EmittedEvents.read(ReleaseTagged.class, e -> e.release().repository().equals(url));
    }

    @Test
    void aSignedWebhookScansAtOnceWhileAnUnreachableRepositoryKeepsFailing() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/v1/repositories/images")
                .then().statusCode(200).body("state", equalTo("WATCHING")));
        RevCommit commit = WatchedRepositoriesResource.good.commit("motd", "welcome");
        WatchedRepositoriesResource.good.annotatedTag("release-0.2.0");

        given().header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", "sha256=" + WebhookSignature.hmac(WatchedRepositoriesResource.SECRET, PUSH.getBytes(StandardCharsets.UTF_8)))
                .contentType(ContentType.JSON).body(PUSH)
                .post("/webhooks/images").then().statusCode(202);

        // The poll interval is an hour: only the webhook can have made this scan happen.
        await().atMost(Duration.ofSeconds(30)).until(() -> events().size() == 1);
        ReleaseTagged event = events().get(0);
        assertEquals(commit.name(), event.release().commit());
        assertEquals("debian-web", event.release().image());
        given().get("/api/v1/repositories/images").then().statusCode(200)
                .body("tags[0].tag", equalTo("release-0.2.0"))
                .body("tags[0].status", equalTo("RELEASED"))
                .body("tags[0].commit", equalTo(commit.name()));

        given().get("/api/v1/repositories/offline").then().statusCode(200)
                .body("state", equalTo("FAILING"))
                .body("consecutiveFailures", greaterThan(0))
                .body("lastError", containsString("127.0.0.1"));
        given().get("/q/health").then().statusCode(503)
                .body("checks.find { it.name == 'git repositories' }.data.offline", containsString("FAILING"))
                .body("checks.find { it.name == 'git repositories' }.data.images", equalTo("WATCHING"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void webhooksWithoutTheSecretAreRefusedAndEmitNothing() {
        byte[] body = PUSH.getBytes(StandardCharsets.UTF_8);
        given().contentType(ContentType.JSON).body(body).post("/webhooks/images")
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("X-Hub-Signature-256"));
        given().header("X-Hub-Signature-256", "sha256=" + WebhookSignature.hmac("wrong-secret", body))
                .contentType(ContentType.JSON).body(body).post("/webhooks/images")
                .then().statusCode(401).body("detail", containsString("does not match"));
        given().header("X-Gitea-Signature", WebhookSignature.hmac("wrong-secret", body))
                .contentType(ContentType.JSON).body(body).post("/webhooks/images").then().statusCode(401);
        given().header("X-Gitlab-Token", "guess").contentType(ContentType.JSON).body(body).post("/webhooks/images")
                .then().statusCode(401);
        given().header("X-Gitlab-Token", WatchedRepositoriesResource.SECRET).contentType(ContentType.JSON).body("{not json")
                .post("/webhooks/images").then().statusCode(400).body("detail", containsString("JSON"));
        given().header("X-Gitlab-Token", WatchedRepositoriesResource.SECRET).contentType(ContentType.JSON).body(body)
                .post("/webhooks/images").then().statusCode(202);
        given().header("X-Gitlab-Token", "x").contentType(ContentType.JSON).body(body).post("/webhooks/offline")
                .then().statusCode(401).body("detail", containsString("webhook-secret"));
        given().contentType(ContentType.JSON).body(body).post("/webhooks/nope").then().statusCode(404);
    }

    @Test
    void theApiListsRepositoriesAndDocumentsItself() {
        given().get("/api/v1/repositories").then().statusCode(200)
                .body("name", hasItems("images", "offline"))
                .body("find { it.name == 'offline' }.url", equalTo("http://127.0.0.1:9/platform/offline.git"))
                .body("find { it.name == 'images' }.tagPattern", equalTo("release-*"));
        given().post("/api/v1/repositories/images/scan").then().statusCode(202);
        given().post("/api/v1/repositories/nope/scan").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("kiln.watcher.repositories.nope.url"));
        given().get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/repositories/{name}/scan")).body(containsString("/webhooks/{name}"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("kiln_watcher_scans_total{outcome=\"failed\",repository=\"offline\"}")));
    }
}
