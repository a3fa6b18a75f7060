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

    /**
     * The token in a bearer header, or the password of a basic one: Terraform's http backend can only send the
     * latter ({@code password = <read token>}).
     */
    private static String presented(String header) {
        if (header == null) {
            return "";
        }
        if (header.startsWith("Bearer ")) {
            return header.substring(7).trim();
        }
        if (header.startsWith("Basic ")) {
            try {
                String decoded = new String(java.util.Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                return decoded.substring(decoded.indexOf(':') + 1);
            } catch (IllegalArgumentException e) {
                return "";
            }
        }
        return "";
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
        String given = presented(header);
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), required.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(RegistryProblem.response(Response.Status.UNAUTHORIZED, header == null
                    ? "this " + (write ? "write" : "read") + " needs 'Authorization: Bearer <token>'"
                    : "the bearer token is not valid for " + (write ? "writes" : "reads")));
        }
        return Optional.empty();
    }
}
