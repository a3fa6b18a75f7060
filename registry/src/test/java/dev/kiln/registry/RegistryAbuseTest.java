package dev.kiln.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.failed;
import static dev.kiln.registry.RegistryEvents.rejected;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry's part of the abuse table (docs/security.md): bad HTTP requests, bad events on every topic it reads
 * and bad CLI invocations, each with the refusal a user would act on — problem+json and a 4xx, a dead letter with
 * its reason, exit 1 or 2 with a message — and after each, nothing half-written and the service still serving.
 */
@QuarkusTest
@TestProfile(RegistryTest.WithWriteToken.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryAbuseTest {
    private static final String IMAGE = "abuse-seed";
    private static final String IMAGES = "/api/v1/images/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static boolean seeded;

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL registryUrl;

    /** One published version to aim the requests at, so that a refusal is about the request, not a missing image. */
    @BeforeEach
    void seed() throws Exception {
        if (!seeded) {
            Release release = release(IMAGE, "1.0.0");
            send(tagged(release), built(release, "qcow2", 'a'), verified(release, "qcow2", 'a'));
            await().atMost(Duration.ofSeconds(30)).until(() -> "published".equals(given().get(IMAGES + IMAGE + "/versions/1.0.0").path("state")));
            seeded = true;
        }
    }

    /** A bad HTTP request and the refusal it must get. */
    record BadRequest(String what, Function<RequestSpecification, Response> request, int status, String detail) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static RequestSpecification writer(RequestSpecification request) {
        return request.auth().oauth2(RegistryTest.TOKEN);
    }

    static List<BadRequest> badRequests() {
        String promote = IMAGES + IMAGE + "/channels/production";
        String revoke = IMAGES + IMAGE + "/versions/1.0.0/revoke";
        String lookup = IMAGES + IMAGE + "/lookup";
        return List.of(
                new BadRequest("unknown image", r -> r.get(IMAGES + "no-such-image/versions"), 404, "no image named 'no-such-image'"),
                new BadRequest("unknown version", r -> r.get(IMAGES + IMAGE + "/versions/9.9.9"), 404, "has no version '9.9.9'"),
                new BadRequest("a path-like version", r -> r.urlEncodingEnabled(false).get(IMAGES + IMAGE + "/versions/..%2F..%2Fetc%2Fpasswd"), 404, ""),
                new BadRequest("a 1 KiB version", r -> r.get(IMAGES + IMAGE + "/versions/" + "9".repeat(1024)), 404, "has no version"),
                new BadRequest("an unknown state filter", r -> r.queryParam("state", "bogus").get(IMAGES + IMAGE + "/versions"), 400, "?state= must be one of"),
                new BadRequest("lookup with neither version nor channel", r -> r.queryParam("format", "qcow2").get(lookup), 400, "exactly one of"),
                new BadRequest("lookup with both version and channel", r -> r.queryParam("version", "1.0.0").queryParam("channel", "production")
                        .queryParam("format", "qcow2").get(lookup), 400, "exactly one of"),
                new BadRequest("lookup without a format", r -> r.queryParam("version", "1.0.0").get(lookup), 400, "?format= must be one of"),
                new BadRequest("lookup of an unknown format", r -> r.queryParam("version", "1.0.0").queryParam("format", "iso").get(lookup), 400, "raw, qcow2"),
                new BadRequest("lookup of a format the version lacks", r -> r.queryParam("version", "1.0.0").queryParam("format", "vhd").get(lookup), 404, "has no published vhd"),
                new BadRequest("lookup of an unknown channel", r -> r.queryParam("channel", "nightly").queryParam("format", "qcow2").get(lookup), 404, "has no channel 'nightly'"),
                new BadRequest("promote without a token", r -> r.contentType("application/json").body("{\"version\":\"1.0.0\"}").put(promote), 401, "Authorization: Bearer"),
                new BadRequest("promote with a wrong token", r -> r.auth().oauth2("guess").contentType("application/json").body("{\"version\":\"1.0.0\"}").put(promote), 401, ""),
                new BadRequest("promote with a token in the query", r -> r.queryParam("token", RegistryTest.TOKEN).contentType("application/json")
                        .body("{\"version\":\"1.0.0\"}").put(promote), 401, "Authorization: Bearer"),
                new BadRequest("promote with a text/plain body", r -> writer(r).contentType("text/plain").body("1.0.0").put(promote), 415, ""),
                new BadRequest("promote with broken JSON", r -> writer(r).contentType("application/json").body("{\"version\": ").put(promote), 400, ""),
                new BadRequest("promote with an empty body", r -> writer(r).contentType("application/json").put(promote), 400, "must name the version"),
                new BadRequest("promote with the version as a number", r -> writer(r).contentType("application/json").body("{\"version\": 1}").put(promote), 404, "has no version '1'"),
                new BadRequest("promote with a JSON array", r -> writer(r).contentType("application/json").body("[\"1.0.0\"]").put(promote), 400, ""),
                new BadRequest("promote with JSON nested 5000 deep", r -> writer(r).contentType("application/json")
                        .body("{\"version\":" + "[".repeat(5000) + "]".repeat(5000) + "}").put(promote), 400, "is not the JSON this call takes"),
                new BadRequest("promote with invalid UTF-8", r -> writer(r).contentType("application/json; charset=utf-8")
                        .body(new byte[]{'{', '"', 'v', 'e', 'r', 's', 'i', 'o', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}).put(promote), 400, ""),
                new BadRequest("promote to a channel name with spaces", r -> writer(r).contentType("application/json").body("{\"version\":\"1.0.0\"}")
                        .put(IMAGES + IMAGE + "/channels/Prod Env"), 400, "a channel name is"),
                new BadRequest("promote an unknown version", r -> writer(r).contentType("application/json").body("{\"version\":\"7.7.7\"}").put(promote), 404, "has no version '7.7.7'"),
                new BadRequest("revoke without a token", r -> r.contentType("application/json").body("{\"reason\":\"x\"}").post(revoke), 401, "Authorization: Bearer"),
                new BadRequest("revoke without a reason", r -> writer(r).contentType("application/json").body("{}").post(revoke), 400, "needs a reason"),
                new BadRequest("revoke with a 10 KiB reason", r -> writer(r).contentType("application/json")
                        .body("{\"reason\":\"" + "x".repeat(10 << 10) + "\"}").post(revoke), 400, "at most 1000 characters"),
                new BadRequest("rebuild without a token", r -> r.post(IMAGES + IMAGE + "/versions/1.0.0/rebuilds"), 401, "Authorization: Bearer"),
                new BadRequest("an unknown rebuild", r -> r.get(IMAGES + IMAGE + "/versions/1.0.0/rebuilds/not-a-rebuild"), 404, "has no rebuild"),
                new BadRequest("terraform state of an unknown image", r -> r.queryParam("version", "1.0.0").get("/api/v1/terraform/no-such-image/qcow2"), 404, "no-such-image"),
                new BadRequest("terraform state of an unknown format", r -> r.queryParam("version", "1.0.0").get("/api/v1/terraform/" + IMAGE + "/iso"), 400, "raw, qcow2"),
                new BadRequest("a method the path does not have", r -> r.delete(IMAGES + IMAGE + "/channels"), 405, ""),
                new BadRequest("an answer in XML", r -> r.accept("application/xml").get(IMAGES), 406, ""),
                new BadRequest("retry of an outbox entry that is not a number", r -> writer(r).post("/api/v1/outbox/abc/retry"), 404, ""));
    }

    @Order(1)
    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void aBadRequestIsRefusedWithAProblemDocument(BadRequest bad) {
        Response response = bad.request().apply(given().redirects().follow(false));
        assertEquals(bad.status(), response.statusCode(), bad.what() + ": " + response.asString());
        assertEquals(RegistryProblem.MEDIA_TYPE, response.contentType().replaceAll(";.*", ""), bad.what() + ": " + response.asString());
        String detail = Optional.ofNullable(response.jsonPath().getString("detail")).orElse("");
        assertTrue(!detail.isBlank() && detail.contains(bad.detail()), bad.what() + ": the detail was '" + detail + "'");
        assertEquals(bad.status(), response.jsonPath().getInt("status"));
        stillServingAndUnchanged();
    }

    /** curl sends Expect: 100-continue with a large body: the refusal comes before the upload (JDK 17's client would hang). */
    @Order(1)
    @Test
    void aBodyPastTheLimitIsRefusedBeforeItIsSent(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        java.nio.file.Path body = java.nio.file.Files.writeString(temp.resolve("body.json"), "{\"version\":\"" + "1".repeat(2 << 20) + "\"}");
        java.nio.file.Path headers = java.nio.file.Files.writeString(temp.resolve("headers"),
                "Authorization: Bearer " + RegistryTest.TOKEN + "\nContent-Type: application/json\nExpect: 100-continue\n");
        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "30", "-X", "PUT", "-H", "@" + headers, "--data-binary", "@" + body,
                "-w", "\n%{http_code} %{content_type}", registryUrl.toURI().resolve(IMAGES + IMAGE + "/channels/production").toString())
                .redirectErrorStream(true).start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, curl.waitFor(), out);
        assertTrue(out.endsWith("\n413 " + RegistryProblem.MEDIA_TYPE), out);
        assertTrue(out.contains("a request body is at most 65536 bytes"), out);
        stillServingAndUnchanged();
    }

    /** An event on one of the registry's topics that must be dead-lettered, and what its reason must name. */
    record BadEvent(String what, EventType type, Function<String, String> payload, String reason) {
        @Override
        public String toString() {
            return what;
        }
    }

    /** A valid event of {@code type} for a release of its own image, as JSON to mangle. */
    private static ObjectNode valid(EventType type, String image) {
        Release release = release(image, "1.0.0");
        KilnEvent event = switch (type) {
            case RELEASE_TAGGED -> tagged(release);
            case IMAGE_BUILT -> built(release, "qcow2", 'b');
            case BUILD_FAILED -> failed(release, "qcow2");
            case IMAGE_VERIFIED -> verified(release, "qcow2", 'b');
            case IMAGE_REJECTED -> rejected(release, "qcow2", 'b');
            default -> throw new IllegalArgumentException(type.name());
        };
        try {
            return (ObjectNode) JSON.readTree(EventCodec.encode(event));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Function<String, String> mangled(EventType type, Consumer<ObjectNode> change) {
        return image -> {
            ObjectNode node = valid(type, image);
            change.accept(node);
            return node.toString();
        };
    }

    private static ObjectNode at(ObjectNode node, String field) {
        return (ObjectNode) node.get(field);
    }

    static List<BadEvent> badEvents() {
        return List.of(
                new BadEvent("ReleaseTagged that is not JSON", EventType.RELEASE_TAGGED, image -> "{\"release\": {\"image\": \"" + image, "Unexpected end-of-input"),
                new BadEvent("ReleaseTagged that is empty", EventType.RELEASE_TAGGED, image -> "", "is empty"),
                new BadEvent("ReleaseTagged that is a JSON array", EventType.RELEASE_TAGGED, image -> "[\"" + image + "\"]", "ReleaseTagged"),
                new BadEvent("ReleaseTagged with a path for a version", EventType.RELEASE_TAGGED,
                        mangled(EventType.RELEASE_TAGGED, n -> at(n, "release").put("version", "../../etc/passwd")), "release.version"),
                new BadEvent("ReleaseTagged with an image name that is a shell word", EventType.RELEASE_TAGGED,
                        mangled(EventType.RELEASE_TAGGED, n -> at(n, "release").put("image", "x;reboot")), "release.image"),
                new BadEvent("ReleaseTagged naming a branch, not a commit", EventType.RELEASE_TAGGED,
                        mangled(EventType.RELEASE_TAGGED, n -> at(n, "release").put("commit", "main")), "release.commit"),
                new BadEvent("ImageBuilt without its release", EventType.IMAGE_BUILT, mangled(EventType.IMAGE_BUILT, n -> n.remove("release")), "release"),
                new BadEvent("ImageBuilt with a digest that is not hex", EventType.IMAGE_BUILT,
                        mangled(EventType.IMAGE_BUILT, n -> at(n, "artifact").put("sha256", "z".repeat(64))), "artifact.sha256"),
                new BadEvent("ImageBuilt of an unknown format", EventType.IMAGE_BUILT,
                        mangled(EventType.IMAGE_BUILT, n -> at(n, "artifact").put("format", "iso")), "artifact.format"),
                new BadEvent("ImageBuilt with a negative size", EventType.IMAGE_BUILT,
                        mangled(EventType.IMAGE_BUILT, n -> at(n, "artifact").put("size", -1)), "artifact.size"),
                new BadEvent("ImageBuilt with a size past any long", EventType.IMAGE_BUILT,
                        mangled(EventType.IMAGE_BUILT, n -> at(n, "artifact").put("size", new java.math.BigInteger("9".repeat(40)))), "artifact.size"),
                new BadEvent("BuildFailed with no format", EventType.BUILD_FAILED, mangled(EventType.BUILD_FAILED, n -> n.remove("format")), "format"),
                new BadEvent("ImageVerified with the digest as a number", EventType.IMAGE_VERIFIED,
                        mangled(EventType.IMAGE_VERIFIED, n -> n.put("sha256", 12345)), "sha256"),
                new BadEvent("ImageVerified nested 5000 deep", EventType.IMAGE_VERIFIED,
                        image -> "{\"padding\":" + "[".repeat(5000) + "]".repeat(5000) + "}", "nesting depth"),
                new BadEvent("ImageRejected whose findings are a string", EventType.IMAGE_REJECTED,
                        mangled(EventType.IMAGE_REJECTED, n -> n.put("findings", "all fine")), "findings"),
                new BadEvent("ImageRebuilt that is not an object", EventType.IMAGE_REBUILT, image -> "\"" + image + "\"", "ImageRebuilt"));
    }

    @Order(2)
    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void aBadEventIsDeadLetteredWithItsReasonAndNothingIsRecorded(BadEvent bad) throws Exception {
        String image = "abuse-" + UUID.randomUUID().toString().substring(0, 8);
        String key = image + "/1.0.0";
        RegistryEvents.sendRaw(bad.type(), key, bad.payload().apply(image));

        ConsumerRecord<String, String> dead = await().atMost(Duration.ofSeconds(30)).until(
                () -> RegistryEvents.deadLetters().stream().filter(r -> key.equals(r.key())).findFirst(), Optional::isPresent).orElseThrow();
        String reason = header(dead, "dead-letter-reason");
        assertTrue(reason.contains(bad.reason()), bad.what() + ": the reason was '" + reason + "'");
        assertEquals(bad.type().topic(), header(dead, "dead-letter-topic"));
        given().get(IMAGES + image + "/versions").then().statusCode(404);

        // The consumer of that topic moved on: the next good event on it is applied.
        if (bad.type() != EventType.IMAGE_REBUILT) {
            String next = "abuse-next-" + UUID.randomUUID().toString().substring(0, 8);
            RegistryEvents.sendRaw(bad.type(), next + "/1.0.0", valid(bad.type(), next).toString());
            await().atMost(Duration.ofSeconds(30)).until(() -> given().get(IMAGES + next + "/versions").statusCode() == 200);
        }
        stillServingAndUnchanged();
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A bad command line and the exit code and message it must get. */
    record BadCommand(String what, Map<String, String> environment, List<String> args, int exit, String message) {
        @Override
        public String toString() {
            return what;
        }
    }

    static List<BadCommand> badCommands() {
        Map<String, String> here = Map.of("KILN_REGISTRY_URL", "@registry");
        return List.of(
                new BadCommand("an unknown command", here, List.of("frobnicate"), 2, "unknown command 'frobnicate'"),
                new BadCommand("an unknown image", here, List.of("versions", "no-such-image"), 1, "no image named 'no-such-image'"),
                new BadCommand("an unknown version", here, List.of("status", IMAGE, "9.9.9"), 1, "has no version '9.9.9'"),
                new BadCommand("lookup without a format", here, List.of("lookup", IMAGE, "--version", "1.0.0"), 2, "--format F"),
                new BadCommand("lookup of an unknown format", here, List.of("lookup", IMAGE, "--version", "1.0.0", "--format", "iso"), 1, "raw, qcow2"),
                new BadCommand("promote without a token", here, List.of("promote", IMAGE, "production", "1.0.0"), 2, "write token"),
                new BadCommand("promote with a wrong token", Map.of("KILN_REGISTRY_URL", "@registry", "KILN_REGISTRY_WRITE_TOKEN", "guess"),
                        List.of("promote", IMAGE, "production", "1.0.0"), 1, "(401)"),
                new BadCommand("a token file that is not there", Map.of("KILN_REGISTRY_URL", "@registry", "KILN_REGISTRY_TOKEN_FILE", "/nonexistent/token"),
                        List.of("revoke", IMAGE, "1.0.0", "--reason", "x"), 2, "/nonexistent/token"),
                new BadCommand("a registry that does not answer", here, List.of("images", "--registry", "http://127.0.0.1:9"), 2, "cannot reach the registry"),
                new BadCommand("a registry URL that is not a URL", here, List.of("images", "--registry", "not a url"), 2, "is not an http:// or https:// URL"),
                new BadCommand("no registry named", Map.of(), List.of("images"), 2, "KILN_REGISTRY_URL"));
    }

    @Order(3)
    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommands")
    void aBadCommandExitsWithItsCodeAndSaysWhy(BadCommand bad) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = new java.util.HashMap<>(bad.environment());
        environment.replaceAll((k, v) -> v.replace("@registry", registryUrl.toString()));
        int exit = new RegistryCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), environment)
                .run(bad.args().toArray(String[]::new));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(bad.exit(), exit, bad.what() + ": " + message);
        assertTrue(message.startsWith("kiln: ") || message.startsWith("usage:"), bad.what() + ": " + message);
        assertTrue(message.contains(bad.message()), bad.what() + ": " + message);
        stillServingAndUnchanged();
    }

    /** Nothing a refusal touched changed: the seeded version is published, unrevoked and on no channel. */
    private static void stillServingAndUnchanged() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get(IMAGES + IMAGE + "/versions/1.0.0").then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("published"));
        given().get(IMAGES + IMAGE + "/channels").then().statusCode(200).body("size()", org.hamcrest.Matchers.equalTo(0));
    }
}
