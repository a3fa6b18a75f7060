package dev.kiln.deploy;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** An error the API reports as {@code application/problem+json} (RFC 9457), with a message a person can act on. */
public final class DeployProblem extends RuntimeException {
    private final Response.Status status;

    public DeployProblem(Response.Status status, String detail) {
        super(detail);
        this.status = status;
    }

    public record Body(String title, int status, String detail) {
    }

    static Response response(Response.Status status, String detail) {
        return Response.status(status).type("application/problem+json").entity(new Body(status.getReasonPhrase(), status.getStatusCode(), detail)).build();
    }

    static class Mapper {
        @ServerExceptionMapper
        Response map(DeployProblem problem) {
            return response(problem.status, problem.getMessage());
        }

        @ServerExceptionMapper
        Response map(DeploymentSpec.InvalidDeployment invalid) {
            return response(Response.Status.BAD_REQUEST, invalid.getMessage());
        }
    }
}
