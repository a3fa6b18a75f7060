package dev.kiln.stack;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KafkaBrokerTest {

    @Test
    void startsStopsAndKeepsItsDataAcrossRestarts(@TempDir Path home) throws Exception {
        int port = LoopbackPorts.free();
        try (KafkaBroker broker = KafkaBroker.start(home, port)) {
            assertTrue(broker.isRunning());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(with(broker, Map.of(
                    ProducerConfig.ACKS_CONFIG, "all")), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("stack-test", "key", "survives a restart")).get();
            }
        }
        assertPortFree(port);

        try (KafkaBroker again = KafkaBroker.start(home, port)) {
            assertEquals(List.of("survives a restart"), readAll(again, "stack-test"));
        }
    }

    @Test
    void everyStartHasCommittedATransactionBeforeItReturns(@TempDir Path home) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(home, LoopbackPorts.free())) {
            assertEquals(1, committedReadiness(broker).size(), "the first start's transaction is committed");
            broker.crash();
            broker.restart();
            List<String> both = committedReadiness(broker);
            assertEquals(2, both.size(), "the restart committed its own: " + both);
            assertTrue(Instant.parse(both.get(0)).isBefore(Instant.parse(both.get(1))), both.toString());
        }
    }

    /** What the readiness transactions committed, read as kiln's consumers read (committed records only). */
    private static List<String> committedReadiness(KafkaBroker broker) {
        return TopicRecords.readAll(broker.adminClientConfig(), KafkaBroker.READY_TOPIC).stream().map(ConsumerRecord::value).toList();
    }

    @Test
    void aTakenPortIsRefusedWithTheSettingToChange(@TempDir Path home) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> KafkaBroker.start(home, taken.getLocalPort()));
            assertTrue(e.getMessage().contains("KILN_KAFKA_PORT"), e.getMessage());
        }
    }

    private static List<String> readAll(KafkaBroker broker, String topic) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(with(broker, Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, "stack-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant deadline = Instant.now().plusSeconds(60);
            while (values.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }

    private static Map<String, Object> with(KafkaBroker broker, Map<String, Object> config) {
        Map<String, Object> all = new java.util.HashMap<>(broker.adminClientConfig());
        all.putAll(config);
        return all;
    }

    private static void assertPortFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertFalse(socket.isClosed());
        } catch (Exception e) {
            throw new AssertionError("port " + port + " still taken after close", e);
        }
    }
}
