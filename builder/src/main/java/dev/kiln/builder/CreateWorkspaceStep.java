package dev.kiln.builder;

import dev.kiln.disk.DirectoryClaim;
import dev.kiln.disk.Trees;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** create-workspace: a fresh directory for this build alone, and the build log in it; removed when the build ends. */
final class CreateWorkspaceStep implements BuildStep {
    private static final long GIB = 1L << 30;
    /** Held while the build runs: a builder starting after this one was killed sweeps the workspace. */
    private DirectoryClaim claim;


    @Override
    public void run(BuildContext build) throws Exception {
        Path root = build.config().workspaces();
        Files.createDirectories(root);
        FileStore store = Files.getFileStore(root);
        long free = store.getUsableSpace();
        long needed = build.config().minFreeGib() * GIB;
        if (free < needed) {
            throw new BuildFailure("only " + free / GIB + " GiB free in " + root + " (" + store + "); a build needs "
                    + build.config().minFreeGib() + " GiB (kiln.builder.min-free-gib): free space or point kiln.builder.workspaces elsewhere");
        }
        String name = build.release().image() + "-" + build.release().version() + "-";
        Path workspace = Files.createTempDirectory(root, name.replaceAll("[^A-Za-z0-9._-]", "_"));
        claim = DirectoryClaim.claim(workspace);
        build.workspace(workspace, new BuildLog(workspace.resolve("build.log")));
        build.log("kiln build of " + build.release().image() + " " + build.release().version() + " (tag " + build.release().tag()
                + ", commit " + build.release().commit() + ", SOURCE_DATE_EPOCH " + build.tagged().sourceDateEpoch() + ")");
        build.log("tools: " + build.tools());
    }

    @Override
    public void cleanup(BuildContext build) {
        if (build.workspace() == null) {
            return;
        }
        try {
            build.buildLog().close();
            Trees.delete(build.workspace());
            if (claim != null) {
                claim.close();
            }
        } catch (IOException e) {
            org.jboss.logging.Logger.getLogger(CreateWorkspaceStep.class).warnf("could not remove workspace %s: %s", build.workspace(), e.getMessage());
        }
    }
}
