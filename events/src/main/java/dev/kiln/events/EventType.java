package dev.kiln.events;

import java.util.Arrays;
import java.util.Optional;

/**
 * The catalogue of kiln's events: CloudEvent type, Kafka topic and payload record of each.
 * One topic per type; docs/events.asyncapi.yaml and the JSON schemas are checked against this list.
 */
public enum EventType {
    RELEASE_TAGGED(ReleaseTagged.class, "dev.kiln.release.tagged.v1", "kiln.release.tagged.v1"),
    RELEASE_TAG_VIOLATION(ReleaseTagViolation.class, "dev.kiln.release.tag-violation.v1", "kiln.release.tag-violation.v1"),
    IMAGE_BUILT(ImageBuilt.class, "dev.kiln.image.built.v1", "kiln.image.built.v1"),
    BUILD_FAILED(BuildFailed.class, "dev.kiln.build.failed.v1", "kiln.build.failed.v1"),
    IMAGE_VERIFIED(ImageVerified.class, "dev.kiln.image.verified.v1", "kiln.image.verified.v1"),
    IMAGE_REJECTED(ImageRejected.class, "dev.kiln.image.rejected.v1", "kiln.image.rejected.v1"),
    IMAGE_PUBLISHED(ImagePublished.class, "dev.kiln.image.published.v1", "kiln.image.published.v1"),
    REBUILD_REQUESTED(RebuildRequested.class, "dev.kiln.image.rebuild-requested.v1", "kiln.image.rebuild-requested.v1"),
    IMAGE_REBUILT(ImageRebuilt.class, "dev.kiln.image.rebuilt.v1", "kiln.image.rebuilt.v1"),
    CHANNEL_MOVED(ChannelMoved.class, "dev.kiln.image.channel-moved.v1", "kiln.image.channel-moved.v1"),
    VERSION_REVOKED(VersionRevoked.class, "dev.kiln.image.version-revoked.v1", "kiln.image.version-revoked.v1"),
    DEPLOYMENT_STARTED(DeploymentStarted.class, "dev.kiln.deployment.started.v1", "kiln.deployment.started.v1"),
    INSTANCE_LAUNCHED(InstanceLaunched.class, "dev.kiln.deployment.instance-launched.v1", "kiln.deployment.instance-launched.v1"),
    INSTANCE_RETIRED(InstanceRetired.class, "dev.kiln.deployment.instance-retired.v1", "kiln.deployment.instance-retired.v1"),
    DEPLOYMENT_COMPLETED(DeploymentCompleted.class, "dev.kiln.deployment.completed.v1", "kiln.deployment.completed.v1"),
    DEPLOYMENT_FAILED(DeploymentFailed.class, "dev.kiln.deployment.failed.v1", "kiln.deployment.failed.v1");

    /**
     * Where every consumer sends a record it cannot take (a malformed payload), with SmallRye's
     * dead-letter-reason header naming the field; the consumer moves on.
     */
    public static final String DEAD_LETTER_TOPIC = "kiln.dead-letter.v1";

    private final Class<? extends KilnEvent> payload;
    private final String type;
    private final String topic;

    EventType(Class<? extends KilnEvent> payload, String type, String topic) {
        this.payload = payload;
        this.type = type;
        this.topic = topic;
    }

    public Class<? extends KilnEvent> payload() {
        return payload;
    }

    /** The CloudEvent {@code type} attribute. */
    public String type() {
        return type;
    }

    public String topic() {
        return topic;
    }

    /** Classpath location of the payload's JSON schema. */
    public String schemaResource() {
        return "/schemas/" + type + ".schema.json";
    }

    /** How the Kafka record key (and CloudEvent subject) is made, as the AsyncAPI document states it. */
    public String keyFormat() {
        if (DeploymentEvent.class.isAssignableFrom(payload)) {
            return "{image}/deployments/{deployment}";
        }
        return perFormat() ? "{image}/{version}/{format}" : this == CHANNEL_MOVED ? "{image}/channels/{channel}" : "{image}/{version}";
    }

    public boolean perFormat() {
        return PerFormatEvent.class.isAssignableFrom(payload);
    }

    public static EventType of(KilnEvent event) {
        return ofPayload(event.getClass());
    }

    public static EventType ofPayload(Class<? extends KilnEvent> payload) {
        return Arrays.stream(values()).filter(t -> t.payload == payload).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(payload.getName() + " is not listed in EventType"));
    }

    public static Optional<EventType> ofTopic(String topic) {
        return Arrays.stream(values()).filter(t -> t.topic.equals(topic)).findFirst();
    }

    public static Optional<EventType> ofType(String cloudEventType) {
        return Arrays.stream(values()).filter(t -> t.type.equals(cloudEventType)).findFirst();
    }
}
