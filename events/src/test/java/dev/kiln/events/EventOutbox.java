package dev.kiln.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.time.Clock;

/** A producer as the services write them. */
@ApplicationScoped
public class EventOutbox {
    static final URI SOURCE = URI.create("/kiln/events-test");

    @Inject
    @Channel("events-out")
    Emitter<String> out;

    void send(KilnEvent event) {
        out.send(EventMessages.of(event, SOURCE, Clock.systemUTC()));
    }
}
