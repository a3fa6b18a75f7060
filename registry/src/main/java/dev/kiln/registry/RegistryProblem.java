package dev.kiln.registry;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** An error the API reports as {@code application/problem+json}, with a message a person can act on. */
public final class RegistryProblem extends RuntimeException {
    public static final String MEDIA_TYPE = "application/problem+json";
    private final Response.Status status;

    public RegistryProblem(Response.Status status, String detail) {
        super(detail);
        this.status = status;
    }

    /** RFC 9457 body. */
    public record Body(String title, int status, String detail) {
    }

    static Response response(Response.Status status, String detail) {
        return Response.status(status).type(MEDIA_TYPE).entity(new Body(status.getReasonPhrase(), status.getStatusCode(), detail)).build();
    }

    static class Mapper {
        @ServerExceptionMapper
        Response map(RegistryProblem problem) {
            return response(problem.status, problem.getMessage());
        }

        @ServerExceptionMapper
        Response map(jakarta.ws.rs.WebApplicationException e) {
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            return response(status == null ? Response.Status.BAD_REQUEST : status, e.getMessage());
        }
    }
}
