package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.TopicRecords;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./kiln dead-letters}: what the services could not read, and a way to send a record back once the cause is
 * fixed. {@code list} prints one line per dead letter (its id {@code partition:offset}, the topic it came from, key,
 * time, reason); {@code replay ID} sends that record, unchanged, back to the topic it came from. Talks to the broker
 * of {@code ./kiln up} as its administrator (password from {@code $KILN_STATE/kafka/admin-password}).
 * Exit 0 done, 1 not found or refused, 2 usage.
 */
public final class DeadLetters {
    private final Map<String, Object> admin;
    private final PrintStream out;

    DeadLetters(Map<String, Object> admin, PrintStream out) {
        this.admin = Map.copyOf(admin);
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        String state = System.getenv().getOrDefault("KILN_STATE", "/var/tmp/kiln/state");
        String port = System.getenv().getOrDefault("KILN_KAFKA_PORT", "19092");
        Path password = Path.of(state, "kafka", "admin-password");
        if (!Files.isReadable(password)) {
            System.err.println("kiln: no broker of ./kiln up in " + state + " (" + password + " is missing); set KILN_STATE");
            System.exit(1);
        }
        DeadLetters letters = new DeadLetters(KafkaBroker.adminClientConfig("127.0.0.1:" + port, Files.readString(password).strip()), System.out);
        System.exit(letters.run(List.of(args)));
    }

    int run(List<String> args) throws Exception {
        if (args.size() == 1 && args.get(0).equals("list")) {
            list();
            return 0;
        }
        if (args.size() == 2 && args.get(0).equals("replay")) {
            return replay(args.get(1));
        }
        System.err.println("usage: kiln dead-letters list | kiln dead-letters replay PARTITION:OFFSET");
        return 2;
    }

    void list() {
        List<ConsumerRecord<String, String>> records = TopicRecords.readAll(admin, EventType.DEAD_LETTER_TOPIC);
        out.printf("%-10s %-34s %-36s %-24s %s%n", "ID", "FROM TOPIC", "KEY", "TIME", "REASON");
        for (ConsumerRecord<String, String> record : records) {
            out.printf("%-10s %-34s %-36s %-24s %s%n", record.partition() + ":" + record.offset(), header(record, "dead-letter-topic").orElse("?"),
                    record.key(), Instant.ofEpochMilli(record.timestamp()), header(record, "dead-letter-reason").orElse(""));
        }
        out.println(records.size() + " dead letter(s) on " + EventType.DEAD_LETTER_TOPIC);
    }

    int replay(String id) throws Exception {
        String[] parts = id.split(":", -1);
        if (parts.length != 2 || !parts[0].matches("\\d{1,6}") || !parts[1].matches("\\d{1,18}")) {
            System.err.println("kiln: a dead letter's id is PARTITION:OFFSET, as list prints it, not " + id);
            return 2;
        }
        int partition = Integer.parseInt(parts[0]);
        long offset = Long.parseLong(parts[1]);
        Optional<ConsumerRecord<String, String>> found = TopicRecords.readAll(admin, EventType.DEAD_LETTER_TOPIC).stream()
                .filter(r -> r.partition() == partition && r.offset() == offset).findFirst();
        if (found.isEmpty()) {
            System.err.println("kiln: no dead letter " + id + " (kiln dead-letters list shows them)");
            return 1;
        }
        ConsumerRecord<String, String> record = found.get();
        Optional<String> topic = header(record, "dead-letter-topic");
        if (topic.isEmpty() || EventType.ofTopic(topic.get()).isEmpty()) {
            System.err.println("kiln: dead letter " + id + " came from " + topic.orElse("an unknown topic") + ", not a kiln event topic; not replayed");
            return 1;
        }
        ProducerRecord<String, String> again = new ProducerRecord<>(topic.get(), record.key(), record.value());
        // Its CloudEvent headers go back as they were; the dead-letter bookkeeping does not.
        for (Header header : record.headers()) {
            if (!header.key().startsWith("dead-letter-")) {
                again.headers().add(header);
            }
        }
        Map<String, Object> config = new HashMap<>(admin);
        config.put("acks", "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            var sent = producer.send(again).get(30, TimeUnit.SECONDS);
            out.println("replayed " + id + " to " + sent.topic() + " (partition " + sent.partition() + ", offset " + sent.offset() + ")");
        }
        return 0;
    }

    private static Optional<String> header(ConsumerRecord<String, String> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? Optional.empty() : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
    }
}
