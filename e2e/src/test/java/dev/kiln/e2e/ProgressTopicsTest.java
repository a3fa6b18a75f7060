package dev.kiln.e2e;

import dev.kiln.events.EventType;
import dev.kiln.stack.PipelineProgress;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** ./kiln up's progress follows every topic of the event catalogue: a topic added or renamed there shows up here. */
class ProgressTopicsTest {
    @Test
    void progressFollowsEveryTopicOfTheCatalogue() {
        Set<String> catalogue = Arrays.stream(EventType.values()).map(EventType::topic).collect(Collectors.toSet());
        assertEquals(catalogue, Set.copyOf(PipelineProgress.TOPICS));
    }
}
