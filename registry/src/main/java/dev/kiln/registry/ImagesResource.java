package dev.kiln.registry;

import dev.kiln.registry.Views.ChannelView;
import dev.kiln.registry.Views.ImageView;
import dev.kiln.registry.Views.LookupView;
import dev.kiln.registry.Views.Promotion;
import dev.kiln.registry.Views.RebuildView;
import dev.kiln.registry.Views.Revocation;
import dev.kiln.registry.Views.VersionView;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "images", description = "Published images, their versions, channels and the lookup provisioning tools call")
@SecurityScheme(securitySchemeName = "token", type = SecuritySchemeType.HTTP, scheme = "bearer")
@APIResponse(responseCode = "404", description = "Unknown image, version or channel",
        content = @Content(mediaType = RegistryProblem.MEDIA_TYPE, schema = @Schema(implementation = RegistryProblem.Body.class)))
public class ImagesResource {
    private final Catalog catalog;
    private final Rebuilds rebuilds;
    private final ReleaseChanges changes;
    private final PublishedLookups lookups;

    private final PublicationRelay relay;

    ImagesResource(Catalog catalog, Rebuilds rebuilds, ReleaseChanges changes, PublishedLookups lookups, PublicationRelay relay) {
        this.relay = relay;
        this.catalog = catalog;
        this.rebuilds = rebuilds;
        this.changes = changes;
        this.lookups = lookups;
    }

    @GET
    @Path("/changes")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @org.jboss.resteasy.reactive.RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events naming each release as it changes (an event applied, a format published, a channel "
            + "moved, a version revoked), for live views; fetch the release for what changed")
    public io.smallrye.mutiny.Multi<ReleaseChanges.Change> changes() {
        return changes.from();
    }

    @GET
    @WithSession
    @Operation(summary = "List images")
    public Uni<List<ImageView>> images() {
        return catalog.images();
    }

    @GET
    @Path("/{image}/versions")
    @WithSession
    @Operation(summary = "The versions of an image, newest first, optionally only those in one state")
    public Uni<List<VersionView>> versions(@PathParam("image") String image,
                                           @QueryParam("state") @Schema(enumeration = {"building", "verifying", "published", "failed", "rejected", "revoked"}) String state) {
        return catalog.versions(image, state);
    }

    @GET
    @Path("/{image}/versions/{version}")
    @WithSession
    @Operation(summary = "One version with all formats, digests, locations, verification and provenance")
    public Uni<VersionView> version(@PathParam("image") String image, @PathParam("version") String version) {
        return catalog.version(image, version);
    }

    @GET
    @Path("/{image}/lookup")
    @Operation(summary = "Resolve a version or channel and a format to the published image: what Terraform and other tools call. "
            + "Answers carry an ETag; a client that sends it back in If-None-Match gets 304 while the answer stands")
    @APIResponse(responseCode = "200", description = "The published image",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LookupView.class)))
    @APIResponse(responseCode = "304", description = "The answer is the one whose ETag was sent")
    @APIResponse(responseCode = "410", description = "The version was revoked",
            content = @Content(mediaType = RegistryProblem.MEDIA_TYPE, schema = @Schema(implementation = RegistryProblem.Body.class)))
    public Uni<jakarta.ws.rs.core.Response> lookup(@PathParam("image") String image, @QueryParam("version") String version,
                                                    @QueryParam("channel") String channel, @QueryParam("format") String format,
                                                    @jakarta.ws.rs.HeaderParam("If-None-Match") String ifNoneMatch) {
        String question = PublishedLookups.question(version, channel, format);
        java.util.Optional<PublishedLookups.Answer> known = lookups.cached(image, question);
        if (known.isPresent()) {
            return Uni.createFrom().item(known.get().response(ifNoneMatch));
        }
        long readBegan = lookups.generation();
        return Panache.withSession(() -> catalog.lookup(image, version, channel, format))
                .map(view -> lookups.keep(readBegan, image, question, view).response(ifNoneMatch));
    }

    @GET
    @Path("/{image}/channels")
    @WithSession
    @Operation(summary = "The channels of an image and the versions they point at")
    public Uni<List<ChannelView>> channels(@PathParam("image") String image) {
        return catalog.channels(image);
    }

    @PUT
    @Path("/{image}/channels/{channel}")
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Promote a published version to a channel (creates the channel)")
    @APIResponse(responseCode = "401", description = "No or wrong write token")
    @APIResponse(responseCode = "409", description = "The version is revoked or has no published format")
    public Uni<ChannelView> promote(@PathParam("image") String image, @PathParam("channel") String channel, Promotion promotion) {
        // Announced once committed: lookups by this channel are answered anew from then on.
        return Panache.withTransaction(() -> catalog.promote(image, channel, promotion == null ? null : promotion.version()))
                .invoke(moved -> committed(image, moved.version()));
    }

    @POST
    @Path("/{image}/versions/{version}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "token")
    @Operation(summary = "Revoke a version: it is never served again, by version or by channel")
    @APIResponse(responseCode = "401", description = "No or wrong write token")
    public Uni<VersionView> revoke(@PathParam("image") String image, @PathParam("version") String version, Revocation revocation) {
        // Announced once committed: from then on the version is refused, by version and by channel.
        return Panache.withTransaction(() -> catalog.revoke(image, version, revocation == null ? null : revocation.reason()))
                .invoke(revoked -> committed(image, version));
    }

    @POST
    @Path("/{image}/versions/{version}/rebuilds")
    @SecurityRequirement(name = "token")
    @Operation(summary = "Rebuild a released tag from scratch on a builder and compare every published format bit for bit (kiln rebuild)")
    @APIResponse(responseCode = "202", description = "Requested; poll the returned rebuild until its verdict is not 'requested'")
    @APIResponse(responseCode = "401", description = "No or wrong write token")
    @APIResponse(responseCode = "409", description = "The version has no published format to compare with")
    public Uni<jakarta.ws.rs.core.Response> rebuild(@PathParam("image") String image, @PathParam("version") String version) {
        return Panache.withTransaction(() -> rebuilds.request(image, version)).invoke(relay::nudge).map(view -> jakarta.ws.rs.core.Response.accepted(view)
                .location(java.net.URI.create("/api/v1/images/" + image + "/versions/" + version + "/rebuilds/" + view.id())).build());
    }

    @GET
    @Path("/{image}/versions/{version}/rebuilds")
    @WithSession
    @Operation(summary = "The rebuilds of a version, newest first, with their verdicts")
    public Uni<List<RebuildView>> rebuilds(@PathParam("image") String image, @PathParam("version") String version) {
        return rebuilds.list(image, version);
    }

    @GET
    @Path("/{image}/versions/{version}/rebuilds/{id}")
    @WithSession
    @Operation(summary = "One rebuild: its verdict, the digests per format and, when it differs, what differs and the report")
    public Uni<RebuildView> rebuild(@PathParam("image") String image, @PathParam("version") String version, @PathParam("id") String id) {
        return rebuilds.one(image, version, id);
    }

    /** A write is committed: live views and the lookup memory hear of it, and what it put in the outbox goes out now. */
    private void committed(String image, String version) {
        changes.announce(image, version);
        relay.nudge();
    }
}
