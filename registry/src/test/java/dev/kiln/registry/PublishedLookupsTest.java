package dev.kiln.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lookup memory's rules on their own (RegistryTest shows them through the API, on the real database). */
class PublishedLookupsTest {
    private static final String QUESTION = PublishedLookups.question("1.0.0", null, "raw");

    @Test
    void anAnswerIsKeptUntilItsImageChanges() {
        PublishedLookups lookups = new PublishedLookups(new ObjectMapper(), true);
        PublishedLookups.Answer answer = lookups.keep(lookups.generation(), "debian", QUESTION, Map.of("version", "1.0.0"));
        assertEquals(answer, lookups.cached("debian", QUESTION).orElseThrow());
        assertEquals(answer.etag(), new PublishedLookups(new ObjectMapper(), true)
                .keep(0, "debian", QUESTION, Map.of("version", "1.0.0")).etag(), "the same answer has the same tag in any process");
        lookups.forget("other-image");
        assertTrue(lookups.cached("debian", QUESTION).isPresent(), "another image's change leaves it");
        lookups.forget("debian");
        assertFalse(lookups.cached("debian", QUESTION).isPresent());
    }

    @Test
    void anAnswerReadBeforeAChangeButFinishedAfterItIsNotKept() {
        PublishedLookups lookups = new PublishedLookups(new ObjectMapper(), true);
        long readBegan = lookups.generation();
        lookups.forget("debian"); // a revocation committed while the read was under way
        lookups.keep(readBegan, "debian", QUESTION, Map.of("version", "1.0.0"));
        assertFalse(lookups.cached("debian", QUESTION).isPresent());
    }

    @Test
    void switchedOffNothingIsKept() {
        PublishedLookups lookups = new PublishedLookups(new ObjectMapper(), false);
        lookups.keep(lookups.generation(), "debian", QUESTION, Map.of("version", "1.0.0"));
        assertFalse(lookups.cached("debian", QUESTION).isPresent());
    }
}
