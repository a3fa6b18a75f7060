package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.OffsetDateTime;
import java.util.List;

/** The outbox as an operator sees it: what waits to be sent, what was parked and why, and a way to try a parked entry again. */
@Path("/api/v1/outbox")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "outbox", description = "Events the registry has yet to send (ImagePublished, RebuildRequested)")
public class OutboxResource {
    /** One unsent entry. */
    public record EntryView(long id, String eventType, String eventKey, int attempts, String lastError, OffsetDateTime createdAt,
                            OffsetDateTime nextAttemptAt, OffsetDateTime parkedAt) {
        static EntryView of(OutboxEntry e) {
            return new EntryView(e.id, e.eventType, e.eventKey, e.attempts, e.lastError, e.createdAt, e.nextAttemptAt, e.parkedAt);
        }
    }

    @GET
    @WithSession
    @Operation(summary = "Unsent entries, oldest first; parked=true lists only those the relay gave up on")
    public Uni<List<EntryView>> unsent(@QueryParam("parked") boolean parked) {
        String query = parked ? "sentAt is null and parkedAt is not null order by id" : "sentAt is null order by id";
        return OutboxEntry.<OutboxEntry>find(query).page(0, 500).list().map(list -> list.stream().map(EntryView::of).toList());
    }

    @POST
    @Path("/{id}/retry")
    @WithTransaction
    @SecurityRequirement(name = "token")
    @Operation(summary = "Unpark an entry after its cause is fixed: the relay sends it on its next round")
    public Uni<Response> retry(@PathParam("id") long id) {
        return OutboxEntry.<OutboxEntry>findById(id).map(entry -> {
            if (entry == null || entry.sentAt != null) {
                return RegistryProblem.response(Response.Status.NOT_FOUND, "no unsent outbox entry " + id);
            }
            entry.parkedAt = null;
            entry.nextAttemptAt = null;
            entry.attempts = 0;
            return Response.ok(EntryView.of(entry)).build();
        });
    }
}
