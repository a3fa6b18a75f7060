package dev.kiln.deploy;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Bearer tokens for the API: declaring, changing and deleting deployments always need {@code kiln.deploy.write-token}
 * (without one the API is read-only); reads need {@code kiln.deploy.read-token} when it is set.
 */
public class DeployTokens {
    private final Optional<String> writeToken;
    private final Optional<String> readToken;

    DeployTokens(DeployConfig config) {
        this.writeToken = config.writeToken().filter(t -> !t.isBlank());
        this.readToken = config.readToken().filter(t -> !t.isBlank());
    }

    @ServerRequestFilter
    Optional<Response> check(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        boolean write = !HttpMethod.GET.equals(request.getMethod()) && !HttpMethod.HEAD.equals(request.getMethod());
        if (write && writeToken.isEmpty()) {
            return Optional.of(DeployProblem.response(Response.Status.UNAUTHORIZED,
                    "writes are disabled: set kiln.deploy.write-token (KILN_DEPLOY_WRITE_TOKEN) and send it as 'Authorization: Bearer <token>'"));
        }
        Optional<String> required = write ? writeToken : readToken;
        if (required.isEmpty()) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), required.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(DeployProblem.response(Response.Status.UNAUTHORIZED, header == null
                    ? "this " + (write ? "write" : "read") + " needs 'Authorization: Bearer <token>'"
                    : "the bearer token is not valid for " + (write ? "writes" : "reads")));
        }
        return Optional.empty();
    }
}
