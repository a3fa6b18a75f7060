package dev.kiln.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/events.asyncapi.yaml lists exactly the event catalogue: topics, types, keys and schemas. */
class AsyncApiDocumentTest {
    private static final Path DOC = Path.of("../docs/events.asyncapi.yaml");
    private final JsonNode doc = read();

    @Test
    void isAnAsyncApi3Document() {
        assertEquals("3.0.0", doc.path("asyncapi").asText());
    }

    @Test
    void hasOneChannelPerEventTypeAddressedByItsTopic() {
        Set<String> addresses = new HashSet<>();
        doc.path("channels").forEach(channel -> addresses.add(channel.path("address").asText()));
        Set<String> topics = Arrays.stream(EventType.values()).map(EventType::topic).collect(Collectors.toSet());
        topics.add(EventType.DEAD_LETTER_TOPIC);
        assertEquals(topics, addresses);
    }

    @Test
    void eachMessageCarriesItsCloudEventTypeKeyAndTheRecordsSchema() throws IOException {
        for (EventType type : EventType.values()) {
            String name = type.payload().getSimpleName();
            JsonNode message = doc.path("components").path("messages").path(name);
            assertTrue(message.isObject(), "no message " + name + " in the AsyncAPI document");
            assertEquals(type.type(), message.path("headers").path("properties").path("ce_type").path("const").asText(), name);
            assertEquals(type.keyFormat(), message.path("bindings").path("kafka").path("key").path("x-format").asText(), name);

            String ref = message.path("payload").path("$ref").asText();
            Path schema = DOC.getParent().resolve(ref).normalize();
            assertTrue(Files.exists(schema), name + " payload refers to a missing file: " + ref);
            assertEquals(EventSchemasTest.schemaOf(type), new ObjectMapper().readTree(schema.toFile()), name + " payload schema");

            JsonNode channel = channelFor(type.topic());
            assertNotNull(channel, "no channel for " + type.topic());
            assertTrue(channel.path("messages").toString().contains("#/components/messages/" + name),
                    "channel " + type.topic() + " does not carry " + name);
        }
    }

    private JsonNode channelFor(String topic) {
        for (Iterator<JsonNode> it = doc.path("channels").elements(); it.hasNext(); ) {
            JsonNode channel = it.next();
            if (topic.equals(channel.path("address").asText())) {
                return channel;
            }
        }
        return null;
    }

    private static JsonNode read() {
        try {
            return new ObjectMapper(new YAMLFactory()).readTree(DOC.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + DOC.toAbsolutePath(), e);
        }
    }
}
