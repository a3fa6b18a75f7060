package dev.kiln.events;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The same CloudEvent framing as {@link EventMessages}, for code that drives a Kafka producer itself (a
 * transactional producer per repository, say): binary mode, ce_* headers, keyed and routed by the catalogue.
 */
public final class EventRecords {
    private EventRecords() {
    }

    public static ProducerRecord<String, String> of(KilnEvent event, URI source, Clock clock) {
        EventType type = EventType.of(event);
        String json = EventCodec.encode(event);
        ProducerRecord<String, String> record = new ProducerRecord<>(type.topic(), event.key(), json);
        record.headers()
                .add("ce_specversion", utf8("1.0"))
                .add("ce_id", utf8(EventMessages.idOf(type, json)))
                .add("ce_type", utf8(type.type()))
                .add("ce_source", utf8(source.toString()))
                .add("ce_subject", utf8(event.key()))
                .add("ce_time", utf8(OffsetDateTime.now(clock).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)))
                .add("content-type", utf8("application/json"));
        return record;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
