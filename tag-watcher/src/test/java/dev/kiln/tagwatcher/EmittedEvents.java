package dev.kiln.tagwatcher;

import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.stack.TopicRecords;

import java.util.List;
import java.util.function.Predicate;

/** Every committed event of one type on the real broker, as a plain subscriber would read them. */
final class EmittedEvents {
    private EmittedEvents() {
    }

    static <T extends KilnEvent> List<T> read(Class<T> payload, Predicate<T> filter) {
        return TopicRecords.readAll(dev.kiln.stack.KafkaBroker.shared().adminClientConfig(), EventType.ofPayload(payload).topic()).stream()
                .map(record -> EventCodec.decode(payload, record.value()))
                .filter(filter)
                .toList();
    }
}
