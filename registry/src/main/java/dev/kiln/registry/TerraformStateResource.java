package dev.kiln.registry;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lookup as a Terraform state document, so Terraform reads image locations with its built-in
 * {@code terraform_remote_state} data source and {@code http} backend: no provider to download. The state's
 * lineage and serial are derived from the image and version, so the same lookup always reads the same state.
 */
@Path("/api/v1/terraform")
@Tag(name = "terraform", description = "Lookups as Terraform remote state (http backend)")
public class TerraformStateResource {
    private final Catalog catalog;

    TerraformStateResource(Catalog catalog) {
        this.catalog = catalog;
    }

    @GET
    @Path("/{image}/{format}")
    @Produces(MediaType.APPLICATION_JSON)
    @WithSession
    @Operation(summary = "Terraform state whose outputs are the lookup of ?version= or ?channel= in this format")
    public Uni<Map<String, Object>> state(@PathParam("image") String image, @PathParam("format") String format,
                                          @QueryParam("version") String version, @QueryParam("channel") String channel) {
        return catalog.lookup(image, version, channel, format).map(lookup -> {
            Map<String, Object> outputs = new LinkedHashMap<>();
            output(outputs, "image", lookup.image());
            output(outputs, "version", lookup.version());
            output(outputs, "format", lookup.format());
            output(outputs, "location", lookup.location());
            output(outputs, "sha256", lookup.sha256());
            output(outputs, "raw_sha256", lookup.rawSha256());
            output(outputs, "commit", lookup.commit());
            outputs.put("size", Map.of("value", lookup.size(), "type", "number"));
            outputs.put("virtual_size", Map.of("value", lookup.virtualSize(), "type", "number"));
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("version", 4);
            state.put("terraform_version", "1.0.0");
            state.put("serial", 1);
            state.put("lineage", "kiln-" + lookup.image() + "-" + lookup.version() + "-" + lookup.format());
            state.put("outputs", outputs);
            state.put("resources", java.util.List.of());
            return state;
        });
    }

    private static void output(Map<String, Object> outputs, String name, String value) {
        outputs.put(name, Map.of("value", value, "type", "string"));
    }
}
