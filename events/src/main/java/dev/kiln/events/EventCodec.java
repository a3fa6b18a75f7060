package dev.kiln.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.stream.Collectors;

/**
 * JSON encoding of event payloads. Unknown fields are ignored, so producers can add fields without
 * breaking older consumers; anything else off-contract is a {@link MalformedEventException} naming the field.
 */
public final class EventCodec {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            // Sorted keys make the bytes of an event a function of its content (stable CloudEvent ids).
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();

    private EventCodec() {
    }

    /**
     * Builds the codec of every event type the account reads or writes now, not at its first event: Jackson introspects
     * a record and every record it holds the first time it reads or writes one, which a just-started service would
     * otherwise pay inside a hop.
     */
    public static void prepare(ServiceAccount account) {
        java.util.Set<EventType> types = new java.util.HashSet<>(account.consumes());
        types.addAll(account.produces());
        for (EventType type : types) {
            Class<? extends KilnEvent> payload = type.payload();
            // Each fetches its root (de)serializer eagerly (Jackson's EAGER_*_FETCH, on by default) into this mapper's caches.
            JSON.readerFor(payload);
            JSON.writerFor(payload);
        }
    }

    public static String encode(KilnEvent event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    public static <T extends KilnEvent> T decode(Class<T> payload, String json) {
        EventType type = EventType.ofPayload(payload);
        if (json == null || json.isBlank()) {
            throw new MalformedEventException(type, "", "is empty", null);
        }
        try {
            return JSON.readValue(json, payload);
        } catch (JsonMappingException e) {
            throw describe(type, e);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException(type, "", "is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static MalformedEventException describe(EventType type, JsonMappingException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidField invalid) {
                String field = path.isEmpty() ? invalid.field() : path + "." + invalid.field();
                return new MalformedEventException(type, field, invalid.problem(), e);
            }
        }
        return new MalformedEventException(type, path, e.getOriginalMessage(), e);
    }
}
