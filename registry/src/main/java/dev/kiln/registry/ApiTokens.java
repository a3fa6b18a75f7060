package dev.kiln.registry;

import io.vertx.core.http.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Bearer tokens for the API: writes (promote, revoke) always need {@code kiln.registry.write-token}; reads need
 * {@code kiln.registry.read-token} when one is configured, and are open otherwise.
 */
public class ApiTokens {
    private final Optional<String> writeToken;
    private final Optional<String> readToken;

    ApiTokens(@ConfigProperty(name = "kiln.registry.write-token") Optional<String> writeToken,
              @ConfigProperty(name = "kiln.registry.read-token") Optional<String> readToken) {
        this.writeToken = writeToken.filter(t -> !t.isBlank());
        this.readToken = readToken.filter(t -> !t.isBlank());
    }

    @ServerRequestFilter
    Optional<Response> check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        boolean write = !HttpMethod.GET.name().equals(request.getMethod()) && !HttpMethod.HEAD.name().equals(request.getMethod());
        Optional<String> required = write ? writeToken : readToken;
        if (write && writeToken.isEmpty()) {
            return Optional.of(RegistryProblem.response(Response.Status.UNAUTHORIZED,
                    "writes are disabled: set kiln.registry.write-token and send it as 'Authorization: Bearer <token>'"));
        }
        if (required.isEmpty()) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), required.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(RegistryProblem.response(Response.Status.UNAUTHORIZED, header == null
                    ? "this " + (write ? "write" : "read") + " needs 'Authorization: Bearer <token>'"
                    : "the bearer token is not valid for " + (write ? "writes" : "reads")));
        }
        return Optional.empty();
    }
}
