package dev.kiln.tagwatcher;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Collection;

@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "repositories", description = "The Git repositories whose release tags are watched")
public class RepositoriesResource {
    private final TagWatcher watcher;

    RepositoriesResource(TagWatcher watcher) {
        this.watcher = watcher;
    }

    @GET
    @Operation(summary = "List watched repositories with their state and the release tags seen")
    public Collection<RepositoryView> list() {
        return watcher.repositories();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One watched repository")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = RepositoryView.class)))
    @APIResponse(responseCode = "404", description = "No repository of that name is watched",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response get(@PathParam("name") String name) {
        return watcher.repository(name).map(view -> Response.ok(view).build()).orElseGet(() -> unknown(name));
    }

    @POST
    @Path("/{name}/scan")
    @Operation(summary = "Scan the repository now instead of at its next poll")
    @APIResponse(responseCode = "202", description = "The scan is queued; GET the repository to see its outcome")
    @APIResponse(responseCode = "404", description = "No repository of that name is watched",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response scan(@PathParam("name") String name) {
        return watcher.requestScan(name) ? Response.accepted().build() : unknown(name);
    }

    static Response unknown(String name) {
        return Problem.response(Response.Status.NOT_FOUND, "no repository named '" + name
                + "' is watched; configure it under kiln.watcher.repositories." + name + ".url");
    }
}
