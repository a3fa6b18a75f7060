package dev.kiln.registry;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URI;

/** The registry's bare address opens the console (static files under /console/). */
@Path("/")
public class ConsoleEntrance {
    @GET
    @Operation(hidden = true)
    public Response console() {
        return Response.seeOther(URI.create("/console/")).build();
    }
}
