package dev.kiln.tagwatcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Optional;

/**
 * Push notifications from GitHub, GitLab and Gitea. A verified one only makes the repository's next scan happen
 * now: what gets built is always decided by the scan, from the repository itself, never from the payload.
 */
@Path("/webhooks")
@Tag(name = "webhooks", description = "Push notifications that trigger an immediate scan")
public class WebhookResource {
    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    private static final int MAX_BODY_BYTES = 25 * 1024 * 1024;

    private final TagWatcher watcher;
    private final ObjectMapper json;

    WebhookResource(TagWatcher watcher, ObjectMapper json) {
        this.watcher = watcher;
        this.json = json;
    }

    @POST
    @Path("/{name}")
    @Consumes(MediaType.WILDCARD)
    @Produces(Problem.MEDIA_TYPE)
    @Operation(summary = "Receive a push event for a watched repository and scan it now")
    @APIResponse(responseCode = "202", description = "Authentic; a scan is queued")
    @APIResponse(responseCode = "400", description = "The body is not a JSON object")
    @APIResponse(responseCode = "401", description = "Missing or wrong signature or token; nothing happens")
    @APIResponse(responseCode = "404", description = "No repository of that name is watched")
    public Response receive(@PathParam("name") String name, byte[] body,
                            @HeaderParam("X-Hub-Signature-256") String github,
                            @HeaderParam("X-Gitea-Signature") String gitea,
                            @HeaderParam("X-Gitlab-Token") String gitlab) {
        Optional<WatchedRepository> repo = watcher.watched(name);
        if (repo.isEmpty()) {
            return RepositoriesResource.unknown(name);
        }
        if (repo.get().webhookSecret().isEmpty()) {
            LOG.warnf("webhook for %s refused: no webhook secret is configured", name);
            return Problem.response(Response.Status.UNAUTHORIZED, "webhooks for '" + name
                    + "' are off: set kiln.watcher.repositories." + name + ".webhook-secret and the same secret at the forge");
        }
        byte[] payload = body == null ? new byte[0] : body;
        Optional<String> forged = WebhookSignature.problem(repo.get().webhookSecret().get(), payload, github, gitea, gitlab);
        if (forged.isPresent()) {
            LOG.warnf("webhook for %s refused: %s", name, forged.get());
            return Problem.response(Response.Status.UNAUTHORIZED, forged.get());
        }
        if (payload.length > MAX_BODY_BYTES || !isJsonObject(payload)) {
            return Problem.response(Response.Status.BAD_REQUEST, "the webhook body must be the forge's JSON push event (a JSON object)");
        }
        watcher.requestScan(name);
        return Response.accepted().build();
    }

    private boolean isJsonObject(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject();
        } catch (IOException e) {
            return false;
        }
    }
}
