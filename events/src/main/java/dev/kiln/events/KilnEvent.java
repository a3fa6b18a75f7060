package dev.kiln.events;

/** An event on kiln's Kafka topics. */
public interface KilnEvent {
    Release release();

    /** Kafka record key and CloudEvent subject. */
    default String key() {
        return release().key();
    }
}
