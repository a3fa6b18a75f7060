package dev.kiln.deploy;

import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Deployments: declared with the write token, read by anyone with the read token (or anyone, when none is set). */
@Path("/api/v1/deployments")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class DeploymentsResource {
    private final DeployLedger ledger;
    private final Rollouts rollouts;

    DeploymentsResource(DeployLedger ledger, Rollouts rollouts) {
        this.ledger = ledger;
        this.rollouts = rollouts;
    }

    public record InstanceView(String id, String version, String state, Long healthyMillis, Integer forwardedPort, Instant startedAt,
                               Instant retiredAt, String retireReason) {
    }

    public record RolloutView(long id, String version, String previousVersion, String trigger, String causeId, String state, String reason,
                              Instant startedAt, Instant finishedAt) {
    }

    public record DeploymentView(String name, DeploymentSpec spec, String runningVersion, String failedVersion, String pending,
                                 @Schema(description = "deleted, its instances being retired; gone from the API once they are") boolean deleting,
                                 List<InstanceView> instances, List<RolloutView> rollouts) {
    }

    @GET
    @Operation(summary = "Every deployment: what it declares, what its fleet runs, its live instances and its rollouts")
    public List<DeploymentView> list() {
        return ledger.deployments().stream().map(d -> view(d, false)).toList();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One deployment, with every instance it ever had (retired ones with their reason)")
    @APIResponse(responseCode = "404", description = "No such deployment")
    public DeploymentView get(@PathParam("name") String name) {
        return view(ledger.deployment(name)
                .orElseThrow(() -> new DeployProblem(Response.Status.NOT_FOUND, "no deployment " + name)), true);
    }

    @PUT
    @Path("/{name}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Declare or change a deployment (write token); its fleet is rolled out turn-and-burn to what it declares")
    @APIResponse(responseCode = "400", description = "The declaration is not valid; the detail says what to fix")
    public Response put(@PathParam("name") String name, String body) {
        DeploymentSpec spec = DeploymentSpec.fromJson(body);
        if (!spec.name().equals(name)) {
            throw new DeployProblem(Response.Status.BAD_REQUEST, "the body declares '" + spec.name() + "' but the path names '" + name + "'");
        }
        boolean changed = ledger.declare(spec, UUID.randomUUID().toString());
        rollouts.wake();
        return Response.status(changed ? Response.Status.ACCEPTED : Response.Status.OK).entity(get(name)).build();
    }

    @DELETE
    @Path("/{name}")
    @Operation(summary = "Delete a deployment (write token): its instances are retired")
    @APIResponse(responseCode = "404", description = "No such deployment")
    public Response delete(@PathParam("name") String name) {
        if (!ledger.markDeleted(name, UUID.randomUUID().toString())) {
            throw new DeployProblem(Response.Status.NOT_FOUND, "no deployment " + name);
        }
        rollouts.wake();
        return Response.accepted().build();
    }

    private DeploymentView view(DeployLedger.DeploymentRow d, boolean all) {
        String name = d.spec().name();
        List<DeployLedger.InstanceRow> instances = all ? ledger.instances(name) : ledger.liveInstances(name);
        return new DeploymentView(name, d.spec(), d.runningVersion(), d.failedVersion(), d.pendingTrigger(), d.deleted(),
                instances.stream().map(i -> new InstanceView(i.id(), i.version(), i.state(), i.healthyMillis(),
                        i.forwardedPort() == 0 ? null : i.forwardedPort(), i.startedAt(), i.retiredAt(), i.retireReason())).toList(),
                ledger.rollouts(name).stream().map(r -> new RolloutView(r.id(), r.version(), r.previousVersion(), r.trigger(), r.causeId(),
                        r.state(), r.reason(), r.startedAt(), r.finishedAt())).toList());
    }
}
