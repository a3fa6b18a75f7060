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
import java.util.Map;

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

    /** A webhook and the refusal it must get (part of the abuse table, docs/security.md). */
    record BadWebhook(String what, String repository, Map<String, String> headers, String body, int status, String detail) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static String github(String secret, String body) {
        return "sha256=" + WebhookSignature.hmac(secret, body.getBytes(StandardCharsets.UTF_8));
    }

    static List<BadWebhook> badWebhooks() {
        String secret = WatchedRepositoriesResource.SECRET;
        return List.of(
                new BadWebhook("no signature", "images", Map.of(), PUSH, 401, "X-Hub-Signature-256"),
                new BadWebhook("a GitHub signature made with another secret", "images",
                        Map.of("X-Hub-Signature-256", github("wrong-secret", PUSH)), PUSH, 401, "does not match"),
                new BadWebhook("a GitHub signature of another body", "images",
                        Map.of("X-Hub-Signature-256", github(secret, PUSH + " ")), PUSH, 401, "does not match"),
                new BadWebhook("a GitHub signature that is not hex", "images", Map.of("X-Hub-Signature-256", "sha256=zz"), PUSH, 401, ""),
                new BadWebhook("a SHA-1 GitHub signature", "images", Map.of("X-Hub-Signature-256",
                        "sha1=" + WebhookSignature.hmac(secret, PUSH.getBytes(StandardCharsets.UTF_8)).substring(0, 40)), PUSH, 401, ""),
                new BadWebhook("a Gitea signature made with another secret", "images",
                        Map.of("X-Gitea-Signature", WebhookSignature.hmac("wrong-secret", PUSH.getBytes(StandardCharsets.UTF_8))), PUSH, 401, ""),
                new BadWebhook("a wrong GitLab token", "images", Map.of("X-Gitlab-Token", "guess"), PUSH, 401, ""),
                new BadWebhook("an empty GitLab token", "images", Map.of("X-Gitlab-Token", ""), PUSH, 401, ""),
                new BadWebhook("authentic but not JSON", "images", Map.of("X-Gitlab-Token", secret), "{not json", 400, "JSON"),
                new BadWebhook("authentic but a JSON array", "images", Map.of("X-Gitlab-Token", secret), "[1, 2]", 400, "a JSON object"),
                new BadWebhook("authentic but empty", "images", Map.of("X-Hub-Signature-256", github(secret, "")), "", 400, "JSON"),
                new BadWebhook("a repository without a webhook secret", "offline", Map.of("X-Gitlab-Token", "x"), PUSH, 401, "webhook-secret"),
                new BadWebhook("a repository that is not watched", "nope", Map.of(), PUSH, 404, "nope"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("badWebhooks")
    void aBadWebhookIsRefusedWithItsReasonAndScansNothing(BadWebhook bad) throws Exception {
        String before = settledLastScan();
        io.restassured.response.Response response = given().headers(bad.headers()).contentType(ContentType.JSON)
                .body(bad.body().getBytes(StandardCharsets.UTF_8)).post("/webhooks/" + bad.repository());
        assertEquals(bad.status(), response.statusCode(), bad.what() + ": " + response.asString());
        assertEquals("application/problem+json", response.contentType().replaceAll(";.*", ""), bad.what());
        String detail = response.jsonPath().getString("detail");
        org.junit.jupiter.api.Assertions.assertTrue(detail != null && !detail.isBlank() && detail.contains(bad.detail()),
                bad.what() + ": the detail was '" + detail + "'");
        Thread.sleep(1000);
        assertEquals(before, lastScan(), "a refused webhook scans nothing");
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** When the repository of the webhooks was last scanned (its poll interval is an hour: only a webhook scans it here). */
    private static String lastScan() {
        return given().get("/api/v1/repositories/images").then().statusCode(200).extract().path("lastScan");
    }

    /** The last scan's time once no scan (the first, or one another test's webhook asked for) is still running. */
    private static String settledLastScan() throws InterruptedException {
        String seen = null;
        for (int i = 0; i < 60; i++) {
            String now = lastScan();
            if (now != null && now.equals(seen)) {
                return now;
            }
            seen = now;
            Thread.sleep(1500);
        }
        throw new AssertionError("the repository's scans never settled");
    }

    @Test
    void anAuthenticWebhookScans() throws Exception {
        String before = settledLastScan();
        given().header("X-Gitlab-Token", WatchedRepositoriesResource.SECRET).contentType(ContentType.JSON).body(PUSH)
                .post("/webhooks/images").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !before.equals(lastScan()));
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
