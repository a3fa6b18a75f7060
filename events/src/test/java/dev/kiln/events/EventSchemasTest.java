package dev.kiln.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published JSON schemas are what the records say. After changing a record, regenerate them with
 * {@code mvn -pl events test -Dtest=EventSchemasTest -Dkiln.schemas.write=true} and review the diff.
 */
class EventSchemasTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMAS = Path.of("src/main/resources/schemas");

    @Test
    void everyEventHasAPublishedSchemaEqualToItsRecord() throws IOException {
        boolean write = Boolean.getBoolean("kiln.schemas.write");
        for (EventType type : EventType.values()) {
            JsonNode generated = schemaOf(type);
            Path file = SCHEMAS.resolve(type.schemaResource().substring("/schemas/".length()));
            if (write) {
                Files.createDirectories(SCHEMAS);
                Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(generated) + "\n");
            }
            assertTrue(Files.exists(file), type + " has no schema at " + file + " (run with -Dkiln.schemas.write=true)");
            assertEquals(generated, JSON.readTree(file.toFile()),
                    file + " has drifted from " + type.payload().getSimpleName() + " (run with -Dkiln.schemas.write=true)");
        }
    }

    @Test
    void optionalFieldsAreTheOnlyOnesNotRequired() throws IOException {
        JsonNode tagged = JSON.readTree(getClass().getResource(EventType.RELEASE_TAGGED.schemaResource()));
        assertEquals(JSON.readTree("[\"release\",\"sourceDateEpoch\",\"tagger\"]"), sorted(tagged.get("required")));
    }

    static JsonNode schemaOf(EventType type) {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(new JacksonModule());
        config.forFields().withRequiredCheck(field -> field.getAnnotationConsideringFieldAndGetter(OptionalField.class) == null);
        ObjectNode schema = new SchemaGenerator(config.build()).generateSchema(type.payload());
        schema.put("$id", "https://kiln.dev/schemas/" + type.type() + ".schema.json");
        schema.put("title", type.payload().getSimpleName());
        schema.put("description", "Payload (data) of the CloudEvent of type " + type.type() + " on topic " + type.topic());
        return schema;
    }

    private static JsonNode sorted(JsonNode array) {
        java.util.List<String> names = new java.util.ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        names.sort(null);
        return JSON.valueToTree(names);
    }
}
