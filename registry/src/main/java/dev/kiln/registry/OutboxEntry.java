package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

/** An event written in the same transaction as the state it announces, sent by {@link PublicationRelay}. */
@Entity
@Table(name = "outbox")
public class OutboxEntry extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "event_key")
    public String eventKey;
    @Column(name = "event_type")
    public String eventType;
    public String payload;
    @Column(name = "created_at")
    public OffsetDateTime createdAt = OffsetDateTime.now();
    @Column(name = "sent_at")
    public OffsetDateTime sentAt;
    /** Failed sends so far; the last one's error. */
    public int attempts;
    @Column(name = "last_error")
    public String lastError;
    /** Not tried again before this (backoff after a failed send). */
    @Column(name = "next_attempt_at")
    public OffsetDateTime nextAttemptAt;
    /** When a send of it first began: with no {@code sentAt}, it may be on the topic already (see PublicationRelay). */
    @Column(name = "send_started_at")
    public OffsetDateTime sendStartedAt;
    /** A relay is sending it until then; after that (the relay died) another may take it. */
    @Column(name = "claimed_until")
    public OffsetDateTime claimedUntil;
    /**
     * The entry that sends {@code event} once the transaction that writes it commits. {@code onceKey} is what may be
     * sent only once per event type (the table refuses a second): a format's publication, a rebuild, a channel move.
     */
    static OutboxEntry of(dev.kiln.events.KilnEvent event, String onceKey) {
        OutboxEntry entry = new OutboxEntry();
        entry.eventType = dev.kiln.events.EventType.of(event).type();
        entry.eventKey = onceKey;
        entry.payload = dev.kiln.events.EventCodec.encode(event);
        return entry;
    }

    /** Set when the relay gave up on it: it waits for an operator (POST /api/v1/outbox/{id}/retry). */
    @Column(name = "parked_at")
    public OffsetDateTime parkedAt;
}
