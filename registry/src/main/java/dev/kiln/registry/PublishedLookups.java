package dev.kiln.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.Sha256;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lookup answers held in memory, as the bytes sent: a published format of a version never changes, so a lookup is
 * answered without the database until something about its image changes (a channel moved, a version revoked, a
 * rebuild's verdict, any event applied): {@link ReleaseChanges} forgets the image's answers after that change is
 * committed. An answer read from the database before a change but kept after it would be stale, so an answer is kept
 * only if nothing was forgotten since its read began. Only successful answers are kept; refusals always go to the
 * database. A process forgets on the changes it makes or applies itself: with several registry processes on one
 * database, switch this off ({@code kiln.registry.lookup-memory=false}) so that a revocation made through one is
 * refused at once by all.
 */
@ApplicationScoped
public class PublishedLookups {
    /** More than any real registry's published formats; past it, all are forgotten and read again. */
    private static final int KEPT = 10_000;

    /** One answer: its JSON and its entity tag (a digest of the JSON: same answer, same tag, across restarts). */
    record Answer(byte[] json, String etag) {
        /** 304 to a client that holds this answer already, else the answer; revalidated on every use (no-cache). */
        Response response(String ifNoneMatch) {
            Response.ResponseBuilder response = ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("W/" + etag))
                    ? Response.notModified() : Response.ok(json, MediaType.APPLICATION_JSON_TYPE);
            // no-cache, not max-age: a revoked version must stop resolving at once, also for a client that caches.
            return response.tag(new jakarta.ws.rs.core.EntityTag(etag.substring(1, etag.length() - 1))).header("Cache-Control", "no-cache").build();
        }
    }

    private final ObjectMapper json;
    private final Map<String, Map<String, Answer>> byImage = new ConcurrentHashMap<>();
    private long generation;
    private int kept;

    private final boolean enabled;

    PublishedLookups(ObjectMapper json,
                     @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kiln.registry.lookup-memory", defaultValue = "true") boolean enabled) {
        this.json = json;
        this.enabled = enabled;
    }

    /** The question as a key: by version or by channel, and the format. */
    static String question(String version, String channel, String format) {
        return (version != null ? "version=" + version : "channel=" + channel) + "&format=" + format;
    }

    Optional<Answer> cached(String image, String question) {
        if (!enabled) {
            return Optional.empty();
        }
        Map<String, Answer> answers = byImage.get(image);
        return answers == null ? Optional.empty() : Optional.ofNullable(answers.get(question));
    }

    /** Where a read from the database starts: {@link #keep} needs it. */
    synchronized long generation() {
        return generation;
    }

    /** The answer of a read that began at {@code generation}; kept unless the image may have changed since. */
    Answer keep(long readBegan, String image, String question, Object view) {
        Answer answer;
        try {
            byte[] body = json.writeValueAsBytes(view);
            answer = new Answer(body, "\"" + Sha256.of(body).substring(0, 32) + "\"");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a lookup answer did not serialize", e);
        }
        synchronized (this) {
            if (enabled && readBegan == generation) {
                if (kept >= KEPT) {
                    byImage.clear();
                    kept = 0;
                }
                if (byImage.computeIfAbsent(image, i -> new ConcurrentHashMap<>()).put(question, answer) == null) {
                    kept++;
                }
            }
        }
        return answer;
    }

    /** Something about the image changed (and is committed): its answers are read again. */
    synchronized void forget(String image) {
        generation++;
        Map<String, Answer> answers = byImage.remove(image);
        kept -= answers == null ? 0 : answers.size();
    }
}
