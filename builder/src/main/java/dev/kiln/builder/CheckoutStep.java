package dev.kiln.builder;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.util.FS;

import java.nio.file.Path;

/** checkout: exactly the tagged commit, from the repository the tag was seen in, into the workspace. */
final class CheckoutStep implements BuildStep {
    static {
        // The first time JGit checks a file it wrote or read, it measures the file system's timestamp resolution (once
        // per user and machine, kept in ~/.config/jgit/config), by default while the caller waits: about 3 s of a new
        // machine's first build. In the background, the clone goes on with JGit's cautious defaults meanwhile.
        FS.FileStoreAttributes.setBackground(true);
    }

    @Override
    public void run(BuildContext build) throws Exception {
        String repository = build.release().repository();
        String commit = build.release().commit();
        Path source = build.workspace().resolve("src");
        // A plain clone, then the commit: after a clone without checkout JGit sees every file of the branch tip as
        // deleted, and checking out a commit whose files differ from the tip's then fails as a conflict.
        try (Git git = Git.cloneRepository().setURI(repository).setDirectory(source.toFile())
                .setCloneAllBranches(true).setTimeout(120).call()) {
            ObjectId id = ObjectId.fromString(commit);
            try {
                git.getRepository().parseCommit(id);
            } catch (MissingObjectException e) {
                // A tagged commit on no branch is only reachable through its tag.
                git.fetch().setRefSpecs("+refs/tags/*:refs/tags/*").call();
                try {
                    git.getRepository().parseCommit(id);
                } catch (MissingObjectException again) {
                    throw new BuildFailure("commit " + commit + " is not in " + repository + " any more; the tag "
                            + build.release().tag() + " may have been deleted or force-pushed");
                }
            }
            git.checkout().setName(commit).call();
            String head = git.getRepository().resolve("HEAD").name();
            if (!head.equals(commit)) {
                throw new BuildFailure("checked out " + head + " instead of the tagged commit " + commit);
            }
        } catch (GitAPIException e) {
            throw new BuildFailure("cannot clone " + repository + ": " + e.getMessage(), e);
        }
        build.source(source);
        build.log("checked out " + commit + " from " + repository);
    }
}
