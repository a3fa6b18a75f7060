package dev.kiln.builder;

import dev.kiln.events.Artifact;
import dev.kiln.events.TransientRetry;

import java.io.IOException;
import java.util.Map;

/** store: every converted format and the build log into the artifact store. */
final class StoreStep implements BuildStep {
    private final ArtifactStore store;

    StoreStep(ArtifactStore store) {
        this.store = store;
    }

    /**
     * A store that fails (S3 or its network away, a full or read-only disk) is the operator's to fix, not the release's
     * fault: the step waits and tries again, for as long as the build's deadline allows, rather than fail a release
     * that can never be tagged again.
     */
    @Override
    public void run(BuildContext build) throws Exception {
        String prefix = build.release().image() + "/" + build.release().version() + "/";
        for (Map.Entry<String, BuildContext.FormatFile> entry : build.formats().entrySet()) {
            BuildContext.FormatFile file = entry.getValue();
            String name = prefix + file.file().getFileName();
            String location = TransientRetry.untilDone("storing " + name, () -> {
                try {
                    return store.put(name, file.file(), file.sha256());
                } catch (IOException e) {
                    build.log("storing " + file.format() + " failed, trying again: " + e.getMessage());
                    throw e;
                }
            });
            build.artifacts().put(entry.getKey(), new Artifact(file.format(), location, file.sha256(), file.size(),
                    file.virtualSize(), build.rawSha256()));
            build.log("stored " + file.format() + " at " + location);
        }
    }
}
