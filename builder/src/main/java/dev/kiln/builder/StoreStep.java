package dev.kiln.builder;

import dev.kiln.events.Artifact;
import dev.kiln.events.TransientRetry;

import java.io.IOException;

/** store: every converted format into the artifact store (the build log is stored last, by ReleaseBuild). */
final class StoreStep implements BuildStep {
    private final ArtifactStore store;

    StoreStep(ArtifactStore store) {
        this.store = store;
    }

    /**
     * A store that fails (S3 or its network away, a full or read-only disk) is the operator's to fix, not the release's
     * fault: the step waits and tries again, for as long as the build's deadline allows, rather than fail a release
     * that can never be tagged again. In a release build each format was stored the moment it was made (the
     * hand-off ReleaseBuild gives convert); what is left here is any format made without one.
     */
    @Override
    public void run(BuildContext build) throws Exception {
        for (BuildContext.FormatFile file : build.formats().values()) {
            if (!build.artifacts().containsKey(file.format())) {
                store(store, build, file);
            }
        }
    }

    /** One format's file into the store, recorded as the build's artifact of that format. */
    static Artifact store(ArtifactStore store, BuildContext build, BuildContext.FormatFile file) throws InterruptedException {
        String name = build.release().image() + "/" + build.release().version() + "/" + file.file().getFileName();
        String location = TransientRetry.untilDone("storing " + name, () -> {
            try {
                return store.put(name, file.file(), file.sha256());
            } catch (IOException e) {
                build.log("storing " + file.format() + " failed, trying again: " + e.getMessage());
                throw e;
            }
        });
        Artifact artifact = new Artifact(file.format(), location, file.sha256(), file.size(), file.virtualSize(), build.rawSha256());
        build.artifacts().put(file.format(), artifact);
        build.log("stored " + file.format() + " at " + location);
        return artifact;
    }
}
