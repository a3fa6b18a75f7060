package dev.kiln.tagwatcher;

import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem body: what went wrong, in words a caller can act on. */
public record Problem(String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    static Response response(Response.Status status, String detail) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem(status.getReasonPhrase(), status.getStatusCode(), detail)).build();
    }
}
