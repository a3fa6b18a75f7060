package dev.kiln.registry;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The API's bodies are a line of JSON: a body declared larger than {@code kiln.registry.max-body-bytes} is refused
 * with a problem document before any of it is read (a client sending {@code Expect: 100-continue}, as curl does,
 * never uploads it). Past Quarkus's own limit ({@code quarkus.http.limits.max-body-size}) the HTTP server answers a bare 413.
 */
@ApplicationScoped
class RequestBodyLimit {
    private final long maxBytes;

    RequestBodyLimit(@ConfigProperty(name = "kiln.registry.max-body-bytes", defaultValue = "65536") long maxBytes) {
        this.maxBytes = maxBytes;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(this::check);
    }

    private void check(RoutingContext request) {
        String declared = request.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long length;
        try {
            length = declared == null ? 0 : Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            length = Long.MAX_VALUE;
        }
        if (length <= maxBytes) {
            request.next();
            return;
        }
        String body = "{\"title\":\"Content Too Large\",\"status\":413,\"detail\":\"a request body is at most " + maxBytes
                + " bytes (kiln.registry.max-body-bytes); this one declared " + (declared == null ? "?" : declared.trim().replaceAll("[^0-9]", "")) + "\"}";
        request.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, RegistryProblem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close").end(body);
    }
}
