package dev.kiln.builder;

import dev.kiln.events.Artifact;

import java.io.IOException;
import java.util.Map;

/** store: every converted format and the build log into the artifact store. */
final class StoreStep implements BuildStep {
    private final ArtifactStore store;

    StoreStep(ArtifactStore store) {
        this.store = store;
    }


    @Override
    public void run(BuildContext build) throws Exception {
        String prefix = build.release().image() + "/" + build.release().version() + "/";
        for (Map.Entry<String, BuildContext.FormatFile> entry : build.formats().entrySet()) {
            BuildContext.FormatFile file = entry.getValue();
            try {
                String location = store.put(prefix + file.file().getFileName(), file.file(), file.sha256());
                build.artifacts().put(entry.getKey(), new Artifact(file.format(), location, file.sha256(), file.size(),
                        file.virtualSize(), build.rawSha256()));
                build.log("stored " + file.format() + " at " + location);
            } catch (IOException e) {
                build.formatFailures().put(entry.getKey(), "cannot store " + file.file().getFileName() + ": " + e.getMessage());
                build.log(entry.getKey() + " FAILED to store: " + e.getMessage());
            }
        }
        if (build.artifacts().isEmpty()) {
            throw new BuildFailure("no artifact could be stored: " + build.formatFailures());
        }
    }
}
