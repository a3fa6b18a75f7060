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

        /** A body that is not JSON, or not the JSON the call takes (Quarkus would answer in its own shape). */
        @ServerExceptionMapper
        Response map(com.fasterxml.jackson.core.JsonProcessingException e) {
            return notTheJson(e);
        }

        @ServerExceptionMapper
        Response map(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            return notTheJson(e);
        }

        @ServerExceptionMapper
        Response map(com.fasterxml.jackson.core.JsonParseException e) {
            return notTheJson(e);
        }

        private static Response notTheJson(com.fasterxml.jackson.core.JsonProcessingException e) {
            String why = String.valueOf(e.getOriginalMessage());
            return response(Response.Status.BAD_REQUEST, "the body is not the JSON this call takes (see /q/openapi): "
                    + (why.length() > 200 ? why.substring(0, 200) + "…" : why));
        }

        @ServerExceptionMapper
        Response map(jakarta.ws.rs.WebApplicationException e) {
            // The body reader may wrap Jackson's complaint (depending on how the request was read): say what it was.
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException json) {
                    return notTheJson(json);
                }
            }
            Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
            return response(status == null ? Response.Status.BAD_REQUEST : status, e.getMessage());
        }
    }
}
