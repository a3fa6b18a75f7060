package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaCredentials;
import dev.kiln.stack.TopicRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Abuse tests of the broker's authentication and ACLs, on a real broker: each attack is tried, refused, and the
 * topic it aimed at is unchanged. The accounts are the ones the services run with (events' ServiceAccount).
 */
class BrokerAccessTest {
    private static KafkaBroker broker;

    @BeforeAll
    static void accounts() {
        broker = KafkaBroker.shared();
        for (ServiceAccount account : ServiceAccount.values()) {
            ServiceAccounts.provision(broker, account);
        }
    }

    @Test
    void aClientWithoutCredentialsWritesNothing() throws Exception {
        String topic = EventType.IMAGE_PUBLISHED.topic();
        int before = count(topic);
        Map<String, Object> anonymous = Map.of("bootstrap.servers", broker.bootstrapServers(), "max.block.ms", 5000,
                "delivery.timeout.ms", 6000, "request.timeout.ms", 5000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(anonymous, new StringSerializer(), new StringSerializer())) {
            assertThrows(Exception.class, () -> producer.send(new ProducerRecord<>(topic, "forged/raw", "{}")).get(10, TimeUnit.SECONDS));
        }
        assertEquals(before, count(topic));
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        KafkaCredentials real = ServiceAccounts.provision(broker, ServiceAccount.BUILDER);
        KafkaCredentials guessed = new KafkaCredentials(real.bootstrapServers(), real.user(), "0".repeat(48));
        String topic = EventType.IMAGE_BUILT.topic();
        int before = count(topic);
        try (KafkaProducer<String, String> producer = producer(guessed)) {
            Throwable refused = cause(() -> producer.send(new ProducerRecord<>(topic, "forged/raw", "{}")).get(20, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, refused, String.valueOf(refused));
        }
        assertEquals(before, count(topic));
    }

    /** The registry alone writes ImagePublished, the builder alone ImageBuilt, and so on for every event. */
    @Test
    void eachServiceWritesExactlyTheEventsItProduces() throws Exception {
        for (ServiceAccount account : EnumSet.complementOf(EnumSet.of(ServiceAccount.OBSERVER))) {
            try (KafkaProducer<String, String> producer = producer(ServiceAccounts.provision(broker, account))) {
                for (EventType type : EventType.values()) {
                    int before = count(type.topic());
                    boolean written = tryWrite(producer, type.topic());
                    assertEquals(account.produces().contains(type), written, account.user() + " writing " + type);
                    assertEquals(before + (written ? 1 : 0), count(type.topic()), account.user() + " writing " + type);
                }
            }
        }
    }

    @Test
    void theObserverReadsEveryEventButWritesNone() throws Exception {
        KafkaCredentials observer = ServiceAccounts.provision(broker, ServiceAccount.OBSERVER);
        for (EventType type : EventType.values()) {
            TopicRecords.readAll(observer.clientConfig(), type.topic());
        }
        TopicRecords.readAll(observer.clientConfig(), EventType.DEAD_LETTER_TOPIC);
        try (KafkaProducer<String, String> producer = producer(observer)) {
            int before = count(EventType.RELEASE_TAGGED.topic());
            assertFalse(tryWrite(producer, EventType.RELEASE_TAGGED.topic()));
            assertEquals(before, count(EventType.RELEASE_TAGGED.topic()));
        }
    }

    @Test
    void aServiceCannotReadAnotherServicesQueueOrEventsItDoesNotConsume() {
        KafkaCredentials builder = ServiceAccounts.provision(broker, ServiceAccount.BUILDER);
        // Joining the registry's group would steal its records (and move its offsets).
        Map<String, Object> config = new HashMap<>(builder.clientConfig());
        config.put("group.id", ServiceAccount.REGISTRY.consumerGroup().orElseThrow());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(EventType.RELEASE_TAGGED.topic()));
            assertThrows(GroupAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(10)));
        }
        // The builder does not consume verdicts: it may not read them either.
        assertThrows(Exception.class, () -> TopicRecords.readAll(builder.clientConfig(), EventType.IMAGE_VERIFIED.topic()));
    }

    @Test
    void passwordsAreNotInTheBrokerLogsOnACommandLineOrReadableByOthers() throws Exception {
        List<String> secrets = new ArrayList<>();
        secrets.add(Files.readString(broker.home().resolve("admin-password")).strip());
        for (ServiceAccount account : ServiceAccount.values()) {
            secrets.add(ServiceAccounts.provision(broker, account).password());
        }
        for (String log : List.of("broker.log", "broker.out")) {
            Path file = broker.home().resolve(log);
            String text = Files.exists(file) ? Files.readString(file) : "";
            for (String secret : secrets) {
                assertFalse(text.contains(secret), log + " contains a password");
            }
        }
        ProcessHandle.allProcesses().forEach(process -> process.info().commandLine().ifPresent(line -> {
            for (String secret : secrets) {
                assertFalse(line.contains(secret), "a password is on the command line of process " + process.pid());
            }
        }));
        Set<String> ownerOnly = Set.of("rw-------");
        assertEquals(ownerOnly, Set.of(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.home().resolve("server.properties")))));
        assertEquals(ownerOnly, Set.of(PosixFilePermissions.toString(Files.getPosixFilePermissions(broker.home().resolve("admin-password")))));
        try (var files = Files.list(broker.home().resolve("accounts"))) {
            for (Path file : files.toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
            }
        }
    }

    private static boolean tryWrite(KafkaProducer<String, String> producer, String topic) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic, "access-test/raw", "{}")).get(20, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            String name = e.getCause().getClass().getSimpleName();
            assertTrue(name.contains("Authorization"), "refused for the wrong reason: " + e.getCause());
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a write to " + topic + " neither succeeded nor was refused", e);
        } catch (org.apache.kafka.common.KafkaException refusedBeforeSending) {
            // An account with no write right is refused its idempotent producer session (cluster authorization); when
            // that answer comes before the send, send() itself throws.
            Throwable cause = refusedBeforeSending;
            while (cause != null && !cause.getClass().getSimpleName().contains("Authorization")) {
                cause = cause.getCause();
            }
            assertTrue(cause != null, "refused for the wrong reason: " + refusedBeforeSending);
            return false;
        }
    }

    private static KafkaProducer<String, String> producer(KafkaCredentials credentials) {
        Map<String, Object> config = new HashMap<>(credentials.clientConfig());
        config.put("max.block.ms", 15000);
        config.put("delivery.timeout.ms", 20000);
        config.put("request.timeout.ms", 15000);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static int count(String topic) {
        return TopicRecords.readAll(broker.adminClientConfig(), topic).size();
    }

    private static Throwable cause(org.junit.jupiter.api.function.Executable action) {
        try {
            action.execute();
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Throwable e) {
            return e;
        }
        fail("the attempt was not refused");
        return null;
    }
}
