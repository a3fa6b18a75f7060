package dev.kiln.registry;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which release just changed in this registry (an event applied, a format published, a channel moved, a version
 * revoked): what the console's live view listens to, to fetch that release again. Says only which, never what.
 */
@ApplicationScoped
public class ReleaseChanges {
    /** A change to one version of an image. */
    public record Change(String image, String version) {
    }

    private final BroadcastProcessor<Change> changes = BroadcastProcessor.create();
    private final PublishedLookups lookups;

    ReleaseChanges(PublishedLookups lookups) {
        this.lookups = lookups;
    }

    /** Called once the change is committed: lookups of the image are answered from the database again. */
    void announce(String image, String version) {
        lookups.forget(image);
        changes.onNext(new Change(image, version));
    }

    /** The changes from now on; a slow listener misses some rather than holding the others up. */
    Multi<Change> from() {
        return changes.onOverflow().drop();
    }
}
