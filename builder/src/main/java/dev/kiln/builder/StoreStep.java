package dev.kiln.builder;

import dev.kiln.events.Artifact;
import dev.kiln.events.TransientRetry;

import java.io.IOException;
import java.util.List;

/**
 * store: every converted format into the artifact store. Convert hands each format over the moment it is made (so a
 * release build announces it while the others are still being made); the stage itself stores what was not handed over.
 */
final class StoreStep implements BuildStep, ConvertStep.FormatMade {
    private final ArtifactStore store;

    StoreStep(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public void run(BuildContext build) throws Exception {
        for (BuildContext.FormatFile file : List.copyOf(build.formats().values())) {
            if (!build.artifacts().containsKey(file.format())) {
                made(build, file);
            }
        }
    }

    /**
     * A store that fails (S3 or its network away, a full or read-only disk) is the operator's to fix, not the release's
     * fault: the step waits and tries again, for as long as the build's deadline allows, rather than fail a release
     * that can never be tagged again.
     */
    @Override
    public void made(BuildContext build, BuildContext.FormatFile file) throws Exception {
        String name = build.release().image() + "/" + build.release().version() + "/" + file.file().getFileName();
        String location = TransientRetry.untilDone("storing " + name, () -> {
            try {
                return store.put(name, file.file(), file.sha256());
            } catch (IOException e) {
                build.log("storing " + file.format() + " failed, trying again: " + e.getMessage());
                throw e;
            }
        });
        build.artifacts().put(file.format(), new Artifact(file.format(), location, file.sha256(), file.size(),
                file.virtualSize(), build.rawSha256()));
        build.log("stored " + file.format() + " at " + location);
        build.stored(file.format());
    }
}
