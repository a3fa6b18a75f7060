package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.stack.KafkaCredentials;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./kiln up's table of every release: one readable row per event, nothing for what is not a kiln event. */
class PipelineProgressTest {
    private static final Instant AT = Instant.parse("2026-11-26T18:30:05Z");
    private static final String RELEASE = "\"release\":{\"image\":\"debian-chrony\",\"version\":\"0.2.0\",\"tag\":\"release-0.2.0\","
            + "\"commit\":\"4b825dc642cb6eb9a060e54bf8d69288fbee4904\"}";

    @Test
    void eachStageIsOneRowWithImageVersionFormatAndWhatHappened() {
        String built = PipelineProgress.row(EventType.IMAGE_BUILT.topic(), "{" + RELEASE + ",\"artifact\":{\"format\":\"qcow2\","
                + "\"size\":476774400,\"sha256\":\"" + "a".repeat(64) + "\"}}", AT).orElseThrow();
        assertTrue(built.matches("  \\d\\d:\\d\\d:05  debian-chrony\\s+0\\.2\\.0\\s+qcow2\\s+builder: built, 454 MiB, sha256 aaaaaaaaaaaaaaaa\\.\\.\\. -> verify"), built);
        String failed = PipelineProgress.row(EventType.BUILD_FAILED.topic(), "{" + RELEASE + ",\"format\":\"raw\",\"stage\":\"packer\","
                + "\"reason\":\"fatal: playbook failed\"}", AT).orElseThrow();
        assertTrue(failed.endsWith("raw     builder: FAILED at packer: fatal: playbook failed"), failed);
        String tagged = PipelineProgress.row(EventType.RELEASE_TAGGED.topic(), "{" + RELEASE + "}", AT).orElseThrow();
        assertTrue(tagged.contains(" -       tag-watcher: release-0.2.0 at 4b825dc642cb -> build"), tagged);
    }

    /** The subscriber reads committed records only and waits for an idle fetch as long as the services do (one setting). */
    @Test
    void theSubscriberWaitsForAnIdleFetchAsTheServicesDo() {
        Map<String, Object> config = PipelineProgress.subscriberConfig(new KafkaCredentials("127.0.0.1:9", "kiln-observer", "p"),
                "watch-", false);
        String shared = System.getenv().getOrDefault("KILN_KAFKA_FETCH_WAIT_MS", "5000");
        assertEquals(shared, String.valueOf(config.get("fetch.max.wait.ms")));
        assertEquals("read_committed", config.get("isolation.level"));
        assertTrue(String.valueOf(config.get("group.id")).startsWith("kiln-observer-watch-"), String.valueOf(config.get("group.id")));
    }

    @Test
    void aRolloutShowsAsRowsOfTheDeployService() {
        String started = PipelineProgress.row(EventType.DEPLOYMENT_STARTED.topic(), "{" + RELEASE + ",\"deployment\":\"demo\",\"format\":\"qcow2\","
                + "\"instances\":1,\"previousVersion\":\"0.1.0\",\"trigger\":\"image-published\",\"causeId\":\"c\",\"startedAt\":1}", AT).orElseThrow();
        assertTrue(started.endsWith("qcow2   deploy: demo: rolling out (image-published, replacing 0.1.0), 1 instance(s)"), started);
        String retired = PipelineProgress.row(EventType.INSTANCE_RETIRED.topic(), "{" + RELEASE + ",\"deployment\":\"demo\",\"instance\":\"demo-1\","
                + "\"reason\":\"replaced by 0.2.0 (turn-and-burn)\",\"causeId\":\"c\"}", AT).orElseThrow();
        assertTrue(retired.endsWith("deploy: demo: retired demo-1: replaced by 0.2.0 (turn-and-burn)"), retired);
        String failed = PipelineProgress.row(EventType.DEPLOYMENT_FAILED.topic(), "{" + RELEASE + ",\"deployment\":\"demo\","
                + "\"reason\":\"demo-2 did not pass its health check within 300 s\",\"rolledBackTo\":\"0.1.0\",\"causeId\":\"c\"}", AT).orElseThrow();
        assertTrue(failed.endsWith("deploy: demo: ROLLOUT FAILED: demo-2 did not pass its health check within 300 s; the fleet keeps 0.1.0"), failed);
        String onTheMinute = PipelineProgress.row(EventType.RELEASE_TAGGED.topic(), "{" + RELEASE + "}", Instant.parse("2026-11-27T06:09:00Z")).orElseThrow();
        assertTrue(onTheMinute.matches("  \\d\\d:09:00  debian-chrony.*"), "a row's time keeps its seconds: " + onTheMinute);
    }

    @Test
    void whatIsNotAKilnEventMakesNoRowAndNeverFails() {
        assertEquals(Optional.empty(), PipelineProgress.row(EventType.IMAGE_BUILT.topic(), "not json", AT));
        assertEquals(Optional.empty(), PipelineProgress.row(EventType.IMAGE_BUILT.topic(), "{\"release\": 42}", AT));
        assertEquals(Optional.empty(), PipelineProgress.row("some.other.topic", "{" + RELEASE + "}", AT));
        String shortCommit = PipelineProgress.row(EventType.RELEASE_TAGGED.topic(),
                "{\"release\":{\"image\":\"x\",\"version\":\"1\",\"tag\":\"release-1\",\"commit\":\"abc\"}}", AT).orElseThrow();
        assertTrue(shortCommit.contains("at abc -> build"), shortCommit);
    }
}
