package dev.kiln.verifier;

import jakarta.ws.rs.GET;
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

import java.io.IOException;

@Path("/api/v1/reports")
@Tag(name = "reports", description = "Verification reports of built images")
public class ReportsResource {
    private final ReportStore reports;

    ReportsResource(ReportStore reports) {
        this.reports = reports;
    }

    /** An RFC 9457 problem body. */
    public record Problem(String title, int status, String detail) {
    }

    @GET
    @Path("/{image}/{version}/{format}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The verification report of one format of a release")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = VerificationReport.class)))
    @APIResponse(responseCode = "404", description = "No such report", content = @Content(mediaType = "application/problem+json",
            schema = @Schema(implementation = Problem.class)))
    public Response report(@PathParam("image") String image, @PathParam("version") String version, @PathParam("format") String format)
            throws IOException {
        return reports.find(image, version, format).map(report -> Response.ok(report).build())
                .orElseGet(() -> Response.status(404).type("application/problem+json")
                        .entity(new Problem("Not Found", 404, "no verification report for " + image + " " + version + " " + format
                                + "; it exists once the image was built and checked")).build());
    }
}
