package dev.kiln.verifier;

import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The image's kiln.yaml at the released commit, for what verification needs from it: the build login to look for,
 * and the sealing rules the image's maintainers relaxed, with their reasons.
 */
final class ImagePolicy {
    static {
        // JGit measures a new user's file system the first time it checks a file (about 3 s here) and by default the
        // clone waits for it; in the background, the first verification after an install does not.
        org.eclipse.jgit.util.FS.FileStoreAttributes.setBackground(true);
    }

    private ImagePolicy() {
    }

    /**
     * @throws Rejection   the commit has no valid kiln.yaml (the image's fault)
     * @throws IOException the repository could not be reached (try again: the remote may be back)
     */
    static KilnFile at(Release release, Path workspace) throws Rejection, IOException {
        Path clone = workspace.resolve("repository.git");
        try (Git git = Git.cloneRepository().setURI(release.repository()).setGitDir(clone.toFile()).setBare(true)
                .setTimeout(120).call()) {
            Repository repository = git.getRepository();
            ObjectId commit = ObjectId.fromString(release.commit());
            if (!repository.getObjectDatabase().has(commit)) {
                git.fetch().setRefSpecs("+refs/tags/*:refs/tags/*").call();
            }
            try (RevWalk walk = new RevWalk(repository);
                 TreeWalk tree = TreeWalk.forPath(repository, KilnFile.PATH, walk.parseCommit(commit).getTree())) {
                if (tree == null) {
                    throw new Rejection("policy", KilnFile.PATH, "there is no kiln.yaml at commit " + release.commit());
                }
                return KilnFile.parse(new String(repository.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
            }
        } catch (Rejection e) {
            throw e;
        } catch (org.eclipse.jgit.api.errors.TransportException | org.eclipse.jgit.api.errors.InvalidRemoteException e) {
            // Cleaned away, so the retry starts from an empty clone.
            dev.kiln.disk.Trees.delete(clone);
            throw new IOException("cannot reach " + release.repository() + " for its kiln.yaml: " + e.getMessage(), e);
        } catch (KilnFile.InvalidKilnFile e) {
            throw new Rejection("policy", KilnFile.PATH, e.getMessage());
        } catch (Exception e) {
            throw new Rejection("policy", KilnFile.PATH, "cannot read kiln.yaml of " + release.repository() + " at "
                    + release.commit() + " (needed for its sealing policy): " + e.getMessage());
        }
    }
}
