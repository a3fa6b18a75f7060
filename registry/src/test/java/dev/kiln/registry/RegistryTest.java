package dev.kiln.registry;

import dev.kiln.events.EventType;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.Release;
import dev.kiln.local.ServiceKafkaResource;
import dev.kiln.stack.PostgresCluster;
import dev.kiln.stack.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.kiln.registry.RegistryEvents.built;
import static dev.kiln.registry.RegistryEvents.failed;
import static dev.kiln.registry.RegistryEvents.published;
import static dev.kiln.registry.RegistryEvents.rejected;
import static dev.kiln.registry.RegistryEvents.release;
import static dev.kiln.registry.RegistryEvents.send;
import static dev.kiln.registry.RegistryEvents.tagged;
import static dev.kiln.registry.RegistryEvents.verified;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry on the real broker and the real PostgreSQL. */
@QuarkusTest
@TestProfile(RegistryTest.WithWriteToken.class)
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "REGISTRY"))
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = true)
class RegistryTest {
    static final String TOKEN = "test-write-token";

    public static class WithWriteToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("kiln.registry.write-token", TOKEN);
        }
    }

    /** The format's state as the registry's API gives it: PUBLISHED once its send is acknowledged and recorded. */
    static String state(Release release, String format) {
        return given().get("/api/v1/images/" + release.image() + "/versions/" + release.version())
                .then().extract().path("formats.find { it.format == '" + format + "' }.state");
    }

    @Inject
    KafkaClientService kafkaClients;

    /**
     * The Kafka settings every service shares come from one place, events' META-INF/microprofile-config.properties:
     * each of the registry's consumers waits 5 s for an idle fetch (Kafka's own default is 0.5 s) and polls every 100 ms
     * (SmallRye's default is 1 s).
     */
    @Test
    void everyConsumerTakesTheSharedFetchWaitAndPollFromEvents() {
        // Every consumer of every incoming channel, the verdict channel's side-by-side copies included.
        Set<String> channels = kafkaClients.getConsumerChannels();
        assertTrue(channels.stream().anyMatch(c -> c.startsWith("image-verified")) && channels.contains("release-tagged"), channels.toString());
        // As events states it: 5000 unless KILN_KAFKA_FETCH_WAIT_MS says otherwise.
        String shared = ConfigProvider.getConfig().getValue("kafka.fetch.max.wait.ms", String.class);
        int consumers = 0;
        for (String channel : channels) {
            for (KafkaConsumer<Object, Object> consumer : kafkaClients.getConsumers(channel)) {
                assertEquals(shared, String.valueOf(consumer.configuration().get("fetch.max.wait.ms")), channel);
                consumers++;
            }
        }
        assertTrue(consumers >= 6, "consumers: " + consumers + " on " + channels);
        // And each channel polls every 100 ms, as events states it (SmallRye keeps the poll timeout out of the consumer's
        // own configuration, so it is read where SmallRye reads it: the channel's setting, else kafka.*).
        String pollTimeout = ConfigProvider.getConfig().getValue("kafka.poll-timeout", String.class);
        assertEquals("100", pollTimeout);
        for (String channel : channels) {
            String base = channel.replaceAll("\\$\\d+$", "");
            assertTrue(ConfigProvider.getConfig().getOptionalValue("mp.messaging.incoming." + base + ".poll-timeout", String.class).isEmpty(),
                    channel + " sets a poll timeout of its own");
        }
    }

    @Test
    void aBuiltAndVerifiedFormatIsPublishedOnceEvenWhenEventsAreRedelivered() throws Exception {
        Release release = release("debian-web", "1.0.0");
        send(tagged(release), built(release, "qcow2", 'a'), verified(release, "qcow2", 'a'));
        await().atMost(Duration.ofSeconds(30)).until(() -> published(release).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(state(release, "qcow2")));

        send(tagged(release), built(release, "qcow2", 'a'), verified(release, "qcow2", 'a'), built(release, "qcow2", 'a'));
        Thread.sleep(4000);

        List<ImagePublished> events = published(release);
        assertEquals(1, events.size());
        ImagePublished event = events.get(0);
        assertEquals("a".repeat(64), event.artifact().sha256());
        assertEquals("1.6.6", event.provenance().tools().get("packer"));
        assertEquals(31_000, event.verification().bootMillis());
        given().get("/api/v1/images/debian-web/lookup?version=1.0.0&format=qcow2").then().statusCode(200)
                .body("sha256", equalTo("a".repeat(64))).body("location", containsString("/sha256/"))
                .body("commit", equalTo(RegistryEvents.COMMIT));
        given().get("/api/v1/images/debian-web/versions/1.0.0").then().statusCode(200)
                .body("state", equalTo("published"))
                .body("formats[0].provenance.upstreamSha256", equalTo("e".repeat(64)))
                .body("formats[0].verification.bootMillis", equalTo(31000));
    }

    @Test
    void publishedFormatsAreImmutableAndConflictingEventsAreRefused() throws Exception {
        Release release = release("debian-db", "2.0.0");
        send(tagged(release), built(release, "raw", 'b'), verified(release, "raw", 'b'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(release, "raw")));

        Release otherCommit = new Release("debian-db", "2.0.0", "release-2.0.0", release.repository(), "f".repeat(40));
        send(built(release, "raw", 'c'), rejected(release, "raw", 'b'), built(otherCommit, "vhd", 'c'));
        Thread.sleep(4000);

        given().get("/api/v1/images/debian-db/lookup?version=2.0.0&format=raw").then().statusCode(200).body("sha256", equalTo("b".repeat(64)));
        given().get("/api/v1/images/debian-db/versions/2.0.0").then().statusCode(200)
                .body("commit", equalTo(RegistryEvents.COMMIT)).body("formats.size()", equalTo(1));
        assertEquals(1, published(release).size());
    }

    @Test
    void rejectedAndFailedFormatsAreRecordedAndNeverPublished() throws Exception {
        Release release = release("debian-mail", "3.0.0");
        RegistryEvents.sendRaw(EventType.IMAGE_BUILT, "junk", "{\"release\": \"not an object\"}");
        // Each event type has its own topic, so they arrive in any order: vmdk's and raw's verdicts are sent first.
        send(tagged(release), built(release, "vhd", 'a'), rejected(release, "vhd", 'a'), failed(release, "ova"),
                verified(release, "raw", 'c'), rejected(release, "vmdk", 'e'));
        send(built(release, "raw", 'c'), built(release, "vmdk", 'e'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(release, "raw"))
                && "REJECTED".equals(state(release, "vhd")) && "FAILED".equals(state(release, "ova")));
        await().atMost(Duration.ofSeconds(10)).until(() -> "REJECTED".equals(state(release, "vmdk"))
                && "e".repeat(64).equals(given().get("/api/v1/images/debian-mail/versions/3.0.0").then().extract()
                .path("formats.find { it.format == 'vmdk' }.sha256")));
        given().get("/api/v1/images/debian-mail/versions/3.0.0").then()
                .body("formats.find { it.format == 'vhd' }.findings[0].rule", equalTo("ssh-hostkeys"))
                .body("formats.find { it.format == 'ova' }.failureReason", containsString("packer build failed"));
        given().get("/api/v1/images/debian-mail/lookup?version=3.0.0&format=vhd").then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("it is rejected"));
        assertEquals(List.of("raw"), published(release).stream().map(ImagePublished::format).toList());
    }

    @Test
    void theOutboxPublishesAfterACrashBetweenTheWriteAndTheSendExactlyOnce() throws Exception {
        // What a registry instance that died right after its commit leaves: the format verified, ImagePublished only in the outbox.
        Release release = release("debian-crash", "4.0.0");
        diedAfterItsCommit(publication(release), false);

        await().atMost(Duration.ofSeconds(30)).until(() -> published(release).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "PUBLISHED".equals(state(release, "qcow2")));
        Thread.sleep(3000);
        assertEquals(1, published(release).size());
    }

    /**
     * A registry that died between the broker's ack and marking the entry sent: the entry, whose send had begun, is
     * looked for on the topic and not sent again; one whose send had begun but never reached the broker is sent once.
     */
    @Test
    void anEntryWhoseSendMayHaveReachedTheBrokerIsLookedForBeforeItIsSentAgain() throws Exception {
        Release reached = release("debian-doubt", "5.0.0");
        Release lost = release("debian-doubt", "5.0.1");
        send(publication(reached));
        assertEquals(1, published(reached).size());
        diedAfterItsCommit(publication(reached), true);
        diedAfterItsCommit(publication(lost), true);

        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(reached, "qcow2")) && "PUBLISHED".equals(state(lost, "qcow2")));
        Thread.sleep(3000);
        assertEquals(1, published(reached).size(), "found on the topic, not sent again");
        assertEquals(1, published(lost).size(), "not on the topic, so sent");
    }

    /**
     * A registry claims the publication it writes in the same transaction (no claim of its own on the hop to the
     * topic); when it dies before sending, no other relay takes the entry while that claim holds, and once it runs out
     * the entry, in doubt, is looked for on the topic and sent once.
     */
    @Test
    void aPublicationClaimedByARegistryThatDiedIsSentOnceItsClaimRunsOut() throws Exception {
        Release release = release("debian-claimed", "6.0.0");
        diedAfterItsCommit(publication(release), true, java.time.OffsetDateTime.now().plusSeconds(8));
        Thread.sleep(3000);
        assertEquals(0, published(release).size(), "claimed by the registry that wrote it: not sent by another meanwhile");

        await().atMost(Duration.ofSeconds(40)).until(() -> "PUBLISHED".equals(state(release, "qcow2")));
        Thread.sleep(3000);
        assertEquals(1, published(release).size());
    }

    private static ImagePublished publication(Release release) {
        return new ImagePublished(release, built(release, "qcow2", 'a').artifact(), built(release, "qcow2", 'a').provenance(),
                verified(release, "qcow2", 'a').verification());
    }

    /** The rows a registry leaves when it dies after committing the publication; {@code sendBegan}: and after starting to send it. */
    private static void diedAfterItsCommit(ImagePublished pending, boolean sendBegan) throws Exception {
        diedAfterItsCommit(pending, sendBegan, null);
    }

    /** @param claimedUntil how long the dead registry's claim on the entry holds; null: it held none */
    private static void diedAfterItsCommit(ImagePublished pending, boolean sendBegan, java.time.OffsetDateTime claimedUntil) throws Exception {
        Release release = pending.release();
        try (Connection db = DriverManager.getConnection(PostgresCluster.shared().jdbcUrl(), PostgresCluster.USER, PostgresCluster.shared().password())) {
            db.setAutoCommit(false);
            long releaseId;
            try (PreparedStatement insert = db.prepareStatement("insert into release (image, version, tag, repository, commit_sha) values (?, ?, ?, ?, ?) returning id")) {
                insert.setString(1, release.image());
                insert.setString(2, release.version());
                insert.setString(3, release.tag());
                insert.setString(4, release.repository());
                insert.setString(5, release.commit());
                try (ResultSet id = insert.executeQuery()) {
                    id.next();
                    releaseId = id.getLong(1);
                }
            }
            try (PreparedStatement insert = db.prepareStatement("insert into release_format (release_id, format, state, artifact_location, sha256, size_bytes, virtual_size, raw_sha256) values (?, 'qcow2', 'VERIFIED', ?, ?, 1, 2, ?)")) {
                insert.setLong(1, releaseId);
                insert.setString(2, pending.artifact().location());
                insert.setString(3, pending.artifact().sha256());
                insert.setString(4, pending.artifact().rawSha256());
                insert.executeUpdate();
            }
            try (PreparedStatement insert = db.prepareStatement("insert into outbox (event_key, event_type, payload, send_started_at, claimed_until) values (?, ?, ?, ?, ?)")) {
                insert.setString(1, pending.key());
                insert.setString(2, EventType.IMAGE_PUBLISHED.type());
                insert.setString(3, dev.kiln.events.EventCodec.encode(pending));
                insert.setObject(4, sendBegan ? java.time.OffsetDateTime.now().minusSeconds(10) : null);
                insert.setObject(5, claimedUntil);
                insert.executeUpdate();
            }
            db.commit();
        }
    }

    @Test
    void channelsRevocationAndAuthOnWrites() throws Exception {
        Release v1 = release("debian-app", "1.0.0");
        Release v2 = release("debian-app", "1.1.0");
        send(tagged(v1), built(v1, "qcow2", 'a'), verified(v1, "qcow2", 'a'), tagged(v2), built(v2, "qcow2", 'b'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(v1, "qcow2")) && "BUILT".equals(state(v2, "qcow2")));

        String promoteV1 = "{\"version\": \"1.0.0\"}";
        given().contentType(ContentType.JSON).body(promoteV1).put("/api/v1/images/debian-app/channels/production")
                .then().statusCode(401).contentType("application/problem+json").body("detail", containsString("Authorization: Bearer"));
        given().auth().oauth2("wrong").contentType(ContentType.JSON).body(promoteV1).put("/api/v1/images/debian-app/channels/production")
                .then().statusCode(401);
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"version\": \"1.1.0\"}").put("/api/v1/images/debian-app/channels/production")
                .then().statusCode(409).body("detail", containsString("no published format"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body(promoteV1).put("/api/v1/images/debian-app/channels/production")
                .then().statusCode(200).body("version", equalTo("1.0.0"));
        given().get("/api/v1/images/debian-app/lookup?channel=production&format=qcow2").then().statusCode(200)
                .body("version", equalTo("1.0.0")).body("channel", equalTo("production")).body("sha256", equalTo("a".repeat(64)));
        given().get("/api/v1/images/debian-app/channels").then().statusCode(200).body("name", hasItem("production"));

        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{}").post("/api/v1/images/debian-app/versions/1.0.0/revoke")
                .then().statusCode(400).body("detail", containsString("needs a reason"));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"reason\": \"CVE-2026-0001 in openssl\"}")
                .post("/api/v1/images/debian-app/versions/1.0.0/revoke").then().statusCode(200).body("state", equalTo("revoked"));
        given().get("/api/v1/images/debian-app/lookup?channel=production&format=qcow2").then().statusCode(410)
                .body("detail", containsString("CVE-2026-0001")).body("detail", containsString("promote another version"));
        given().get("/api/v1/images/debian-app/lookup?version=1.0.0&format=qcow2").then().statusCode(410);
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body(promoteV1).put("/api/v1/images/debian-app/channels/staging")
                .then().statusCode(409).body("detail", containsString("revoked"));
        given().get("/api/v1/images/debian-app/versions?state=revoked").then().statusCode(200).body("version", equalTo(List.of("1.0.0")));
        given().get("/api/v1/images/debian-app/versions?state=verifying").then().statusCode(200).body("version", equalTo(List.of("1.1.0")));
    }

    /**
     * Two formats' verdicts on different partitions are applied side by side: one held by a lock on its row (here taken by
     * hand; in a run, a slow transaction) does not hold the other, and is applied once the lock goes.
     */
    @Test
    void aVerdictHeldByItsRowDoesNotHoldAnotherFormatsVerdict() throws Exception {
        Release release = release("debian-side-by-side", "1.0.0");
        double appliedBefore = appliedVerdicts();
        List<String> formats = RegistryEvents.onDifferentPartitions(EventType.IMAGE_VERIFIED,
                dev.kiln.events.DiskFormat.ids().stream().map(f -> verified(release, f, 'a')).toList());
        String held = formats.get(0);
        String other = formats.get(1);
        send(tagged(release), built(release, held, 'a'), built(release, other, 'a'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "BUILT".equals(state(release, held)) && "BUILT".equals(state(release, other)));
        try (Connection db = DriverManager.getConnection(PostgresCluster.shared().jdbcUrl(), PostgresCluster.USER, PostgresCluster.shared().password())) {
            db.setAutoCommit(false);
            try (PreparedStatement lock = db.prepareStatement("select f.id from release_format f join release r on r.id = f.release_id"
                    + " where r.image = ? and r.version = ? and f.format = ? for update")) {
                lock.setString(1, release.image());
                lock.setString(2, release.version());
                lock.setString(3, held);
                assertTrue(lock.executeQuery().next());
            }
            send(verified(release, held, 'a'));
            // The held verdict's transaction is waiting on the row before the other verdict is sent.
            await().atMost(Duration.ofSeconds(20)).until(() -> waitingOnALock(db));
            send(verified(release, other, 'a'));
            await().atMost(Duration.ofSeconds(20)).until(() -> "PUBLISHED".equals(state(release, other)));
            assertEquals("BUILT", state(release, held), "the held verdict was not applied past the lock");
            db.rollback();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> "PUBLISHED".equals(state(release, held)));
        assertEquals(2, published(release).size());
        // Each applied verdict is timed, as operators-guide.md says.
        assertTrue(appliedVerdicts() >= appliedBefore + 2, "verdicts timed: " + appliedBefore + " before, " + appliedVerdicts() + " after");
    }

    /** How many verdicts the registry has timed (kiln_registry_applied_seconds, ImageVerified). */
    private static double appliedVerdicts() {
        String series = "kiln_registry_applied_seconds_count{event=\"ImageVerified\"} ";
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length()))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + series.strip() + " in the metrics: "
                        + metrics.lines().filter(line -> line.startsWith("kiln_registry")).toList()));
    }

    private static boolean waitingOnALock(Connection db) throws java.sql.SQLException {
        try (PreparedStatement waiting = db.prepareStatement("select count(*) from pg_locks where not granted");
             ResultSet count = waiting.executeQuery()) {
            count.next();
            return count.getLong(1) > 0;
        }
    }

    /**
     * Lookups are answered from memory once read (with an ETag a client can revalidate with), even while the database is
     * away; a channel move or a revocation changes the answer at once, not when some cache expires.
     */
    @Test
    void lookupsAreHeldUntilTheirImageChangesAndRevalidateWithTheirETag() throws Exception {
        publishTwoVersions("debian-cache");
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"version\": \"1.0.0\"}").put("/api/v1/images/debian-cache/channels/stable")
                .then().statusCode(200);
        // The move's event is out (announced after it is sent, which also renews the image's answers) before the outage.
        await().atMost(Duration.ofSeconds(30)).until(() -> RegistryEvents.of(dev.kiln.events.ChannelMoved.class, "debian-cache").size() == 1);
        Thread.sleep(1000);
        String byVersion = "/api/v1/images/debian-cache/lookup?version=1.1.0&format=raw";
        String byChannel = "/api/v1/images/debian-cache/lookup?channel=stable&format=raw";
        String etag = given().get(byVersion).then().statusCode(200).header("Cache-Control", "no-cache")
                .body("sha256", equalTo("b".repeat(64))).extract().header("ETag");
        assertTrue(etag != null && etag.matches("\"[0-9a-f]{32}\""), "ETag " + etag);
        given().header("If-None-Match", etag).get(byVersion).then().statusCode(304).header("ETag", etag);
        given().header("If-None-Match", "\"0000\"").get(byVersion).then().statusCode(200);
        given().get(byChannel).then().statusCode(200).body("version", equalTo("1.0.0"));

        PostgresCluster database = PostgresCluster.shared();
        database.suspend();
        try {
            given().get(byVersion).then().statusCode(200).body("sha256", equalTo("b".repeat(64)));
            given().get(byChannel).then().statusCode(200).body("version", equalTo("1.0.0"));
        } finally {
            database.resume();
        }

        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"version\": \"1.1.0\"}").put("/api/v1/images/debian-cache/channels/stable")
                .then().statusCode(200);
        given().get(byChannel).then().statusCode(200).body("version", equalTo("1.1.0"));
        given().header("If-None-Match", etag).get(byChannel).then().statusCode(200);
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"reason\": \"CVE-2026-0002\"}")
                .post("/api/v1/images/debian-cache/versions/1.1.0/revoke").then().statusCode(200);
        given().header("If-None-Match", etag).get(byVersion).then().statusCode(410).body("detail", containsString("CVE-2026-0002"));
        given().get(byChannel).then().statusCode(410);
    }

    /** Versions 1.0.0 (raw digest a…) and 1.1.0 (b…) of the image, both published. */
    private static void publishTwoVersions(String image) throws Exception {
        Release v1 = release(image, "1.0.0");
        Release v2 = release(image, "1.1.0");
        send(tagged(v1), built(v1, "raw", 'a'), verified(v1, "raw", 'a'), tagged(v2), built(v2, "raw", 'b'), verified(v2, "raw", 'b'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(v1, "raw")) && "PUBLISHED".equals(state(v2, "raw")));
    }

    /** Deployments follow channels and revocations through events: each move is announced once, after it is committed. */
    @Test
    void channelMovesAndRevocationsAreAnnouncedOnce() throws Exception {
        publishTwoVersions("debian-moves");
        for (String version : List.of("1.0.0", "1.0.0", "1.1.0")) {
            given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"version\": \"" + version + "\"}")
                    .put("/api/v1/images/debian-moves/channels/stable").then().statusCode(200);
        }
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"reason\": \"CVE-2026-0004 in glibc\"}")
                    .post("/api/v1/images/debian-moves/versions/1.0.0/revoke").then().statusCode(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> RegistryEvents.of(dev.kiln.events.ChannelMoved.class, "debian-moves").size() == 2
                && RegistryEvents.of(dev.kiln.events.VersionRevoked.class, "debian-moves").size() == 1);
        Thread.sleep(3000);
        List<dev.kiln.events.ChannelMoved> moves = RegistryEvents.of(dev.kiln.events.ChannelMoved.class, "debian-moves");
        assertEquals(List.of("1.0.0", "1.1.0"), moves.stream().map(m -> m.release().version()).toList(), "promoting the same version again is no move");
        assertEquals(java.util.Arrays.asList(null, "1.0.0"), moves.stream().map(dev.kiln.events.ChannelMoved::previousVersion).toList());
        assertEquals("debian-moves/channels/stable", moves.get(0).key());
        List<dev.kiln.events.VersionRevoked> revoked = RegistryEvents.of(dev.kiln.events.VersionRevoked.class, "debian-moves");
        assertEquals(1, revoked.size(), "revoked once, announced once");
        assertEquals("CVE-2026-0004 in glibc", revoked.get(0).reason());
        assertEquals(RegistryEvents.COMMIT, revoked.get(0).release().commit());
    }

    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URL registryUrl;

    @Test
    void theTerraformExampleResolvesAPublishedVersionWithNoProviderDownload(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        Release release = release("debian-chrony", "0.1.0");
        send(tagged(release), built(release, "qcow2", '7'), verified(release, "qcow2", '7'));
        await().atMost(Duration.ofSeconds(30)).until(() -> "PUBLISHED".equals(state(release, "qcow2")));
        given().auth().oauth2(TOKEN).contentType(ContentType.JSON).body("{\"version\": \"0.1.0\"}")
                .put("/api/v1/images/debian-chrony/channels/production").then().statusCode(200);
        java.nio.file.Path example = java.nio.file.Path.of(System.getProperty("kiln.repo.root", ".."), "examples", "terraform", "main.tf");
        java.nio.file.Files.copy(example, temp.resolve("main.tf"));
        String registry = registryUrl.toString().replaceAll("/$", "");

        terraform(temp, "init", "-input=false", "-no-color");
        terraform(temp, "apply", "-input=false", "-no-color", "-auto-approve", "-var", "registry=" + registry);
        assertEquals("7".repeat(64), terraform(temp, "output", "-raw", "sha256"));
        assertEquals("0.1.0", terraform(temp, "output", "-raw", "version"));
        terraform(temp, "apply", "-input=false", "-no-color", "-auto-approve", "-var", "registry=" + registry, "-var", "image_version=0.1.0");
        assertEquals(built(release, "qcow2", '7').artifact().location(), terraform(temp, "output", "-raw", "location"));
    }

    /** Runs the real terraform CLI (preinstalled on this machine kind; it cannot download providers here, and needs none). */
    private static String terraform(java.nio.file.Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("terraform"));
        command.addAll(List.of(args));
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("cli.tfrc"), "");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().put("TF_CLI_CONFIG_FILE", config.toString());
        builder.environment().put("TF_IN_AUTOMATION", "1");
        builder.environment().put("CHECKPOINT_DISABLE", "1");
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), "terraform " + String.join(" ", args) + ":\n" + out);
        return out.trim();
    }

    @Test
    void theApiSaysWhatIsWrongInProblemDocuments() {
        given().get("/api/v1/images/no-such-image/versions").then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("detail", containsString("no image named 'no-such-image'"));
        given().get("/api/v1/images/no-such-image/lookup?version=1&format=qcow2").then().statusCode(404);
        given().get("/api/v1/images/debian-web/lookup?format=qcow2").then().statusCode(400).body("detail", containsString("exactly one of"));
        given().get("/api/v1/images/debian-web/lookup?version=1.0.0&format=iso").then().statusCode(400).body("detail", containsString("raw, qcow2"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/images/{image}/lookup"))
                .body(containsString("/api/v1/images/{image}/channels/{channel}"));
        given().get("/q/health/ready").then().statusCode(200);
    }

    /** An outbox entry that can never be sent is parked with its error, and the entries after it are still sent. */
    @Test
    void anUnsendableOutboxEntryIsParkedAndTheRestGoOn() throws Exception {
        String key = "parked-" + System.nanoTime();
        try (Connection db = DriverManager.getConnection(PostgresCluster.shared().jdbcUrl(), PostgresCluster.USER, PostgresCluster.shared().password());
             PreparedStatement insert = db.prepareStatement("insert into outbox (event_key, event_type, payload) values (?, ?, ?)")) {
            insert.setString(1, key + "/unknown");
            insert.setString(2, "dev.kiln.no-such-event.v1");
            insert.setString(3, "{}");
            insert.executeUpdate();
            insert.setString(1, key + "/malformed");
            insert.setString(2, EventType.IMAGE_PUBLISHED.type());
            insert.setString(3, "{\"release\": {}}");
            insert.executeUpdate();
        }
        // Written after the two bad entries: still published.
        Release release = release("debian-after-parked", "1.0.0");
        send(tagged(release), built(release, "raw", 'c'), verified(release, "raw", 'c'));
        await().atMost(Duration.ofSeconds(30)).until(() -> published(release).size() == 1);

        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/api/v1/outbox?parked=true").then().extract()
                .<List<String>>path("eventKey").containsAll(List.of(key + "/unknown", key + "/malformed")));
        List<Map<String, Object>> parked = given().get("/api/v1/outbox?parked=true").then().statusCode(200).extract().path("");
        Map<String, Object> malformed = parked.stream().filter(e -> (key + "/malformed").equals(e.get("eventKey"))).findFirst().orElseThrow();
        assertEquals(1, malformed.get("attempts"));
        assertTrue(String.valueOf(malformed.get("lastError")).contains("release"), String.valueOf(malformed.get("lastError")));
        Number id = (Number) malformed.get("id");

        given().post("/api/v1/outbox/" + id + "/retry").then().statusCode(401);
        given().auth().oauth2(TOKEN).post("/api/v1/outbox/" + id + "/retry").then().statusCode(200).body("parkedAt", equalTo(null));
        given().auth().oauth2(TOKEN).post("/api/v1/outbox/999999999/retry").then().statusCode(404);
        // Still unsendable: the relay parks it again.
        await().atMost(Duration.ofSeconds(20)).until(() -> given().get("/api/v1/outbox?parked=true").then().extract()
                .<List<String>>path("eventKey").contains(key + "/malformed"));
    }

    /** PostgreSQL away for longer than any short retry: the events wait, nothing is dead-lettered, the format is published once. */
    @Test
    void aDatabaseOutageIsWaitedForNotDeadLettered() throws Exception {
        Release release = release("debian-outage", "1.0.0");
        PostgresCluster database = PostgresCluster.shared();
        database.suspend();
        try {
            send(tagged(release), built(release, "vmdk", 'd'), verified(release, "vmdk", 'd'));
            Thread.sleep(20_000);
        } finally {
            database.resume();
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> published(release).size() == 1);
        assertTrue(RegistryEvents.deadLetters().stream().noneMatch(r -> r.key() != null && r.key().startsWith(release.image() + "/")),
                "nothing of the release was dead-lettered");
        given().get("/api/v1/images/debian-outage/lookup?version=1.0.0&format=vmdk").then().statusCode(200);
    }
}
