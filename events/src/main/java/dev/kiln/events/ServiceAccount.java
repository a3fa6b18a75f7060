package dev.kiln.events;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

import static dev.kiln.events.EventType.*;

/**
 * Who may read and write which event on the broker: one account per service, and one for subscribers. This is
 * the one statement of the pipeline's flow of events that the broker enforces (one ACL set per account), so a
 * service that tries to write an event it does not own (a builder forging ImagePublished) is refused.
 */
public enum ServiceAccount {
    TAG_WATCHER("kiln-tag-watcher", Set.of(), Set.of(RELEASE_TAGGED, RELEASE_TAG_VIOLATION)),
    BUILDER("kiln-builder", Set.of(RELEASE_TAGGED, REBUILD_REQUESTED), Set.of(IMAGE_BUILT, BUILD_FAILED, IMAGE_REBUILT)),
    SEALER_VERIFIER("kiln-sealer-verifier", Set.of(IMAGE_BUILT), Set.of(IMAGE_VERIFIED, IMAGE_REJECTED)),
    REGISTRY("kiln-registry", Set.of(RELEASE_TAGGED, IMAGE_BUILT, BUILD_FAILED, IMAGE_VERIFIED, IMAGE_REJECTED, IMAGE_REBUILT),
            Set.of(IMAGE_PUBLISHED, REBUILD_REQUESTED, CHANNEL_MOVED, VERSION_REVOKED)),
    /** Turns published images into running machines and replaces them when the version they should run changes. */
    DEPLOY("kiln-deploy", Set.of(IMAGE_PUBLISHED, CHANNEL_MOVED, VERSION_REVOKED),
            Set.of(DEPLOYMENT_STARTED, INSTANCE_LAUNCHED, INSTANCE_RETIRED, DEPLOYMENT_COMPLETED, DEPLOYMENT_FAILED)),
    /** A subscriber (./kiln up's progress, a team's own consumer): reads every event and the dead letters, writes nothing. */
    OBSERVER("kiln-observer", EnumSet.allOf(EventType.class), Set.of());

    private final String user;
    private final Set<EventType> consumes;
    private final Set<EventType> produces;

    ServiceAccount(String user, Set<EventType> consumes, Set<EventType> produces) {
        this.user = user;
        this.consumes = Set.copyOf(consumes);
        this.produces = Set.copyOf(produces);
    }

    /** The broker user name (SASL), also the {@code kiln.kafka.user} default in the service's configuration. */
    public String user() {
        return user;
    }

    public Set<EventType> consumes() {
        return consumes;
    }

    public Set<EventType> produces() {
        return produces;
    }

    /** A service's one consumer group, named as the account: its instances share the work. */
    public Optional<String> consumerGroup() {
        return this == OBSERVER || consumes.isEmpty() ? Optional.empty() : Optional.of(user);
    }

    /** A subscriber's throw-away groups start so (one per run of ./kiln up's progress, say). */
    public Optional<String> consumerGroupPrefix() {
        return this == OBSERVER ? Optional.of(user + "-") : Optional.empty();
    }

    /** A consuming service sends what it cannot read to {@link EventType#DEAD_LETTER_TOPIC}. */
    public boolean writesDeadLetters() {
        return consumerGroup().isPresent();
    }

    /**
     * The registry reads back what it produced: an outbox entry whose send may have reached the broker before the
     * registry died is looked for on its topic rather than sent again.
     */
    public boolean readsBackWhatItProduces() {
        return this == REGISTRY;
    }

    public boolean readsDeadLetters() {
        return this == OBSERVER;
    }

    /** Topics the service keeps for itself and creates (the tag-watcher's ledger). */
    public Optional<String> privateTopicPrefix() {
        return this == TAG_WATCHER ? Optional.of("kiln.tag-watcher.") : Optional.empty();
    }

    /** The tag-watcher writes a tag's event and its ledger entry in one transaction, one id per repository. */
    public Optional<String> transactionalIdPrefix() {
        return this == TAG_WATCHER ? Optional.of("kiln-tag-watcher-") : Optional.empty();
    }
}
