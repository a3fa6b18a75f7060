package dev.kiln.tagwatcher;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;

/** A real Git repository in a temp directory, with the commits and tags a test needs. */
final class GitFixture implements AutoCloseable {
    static final PersonIdent RELEASER = new PersonIdent("Rel Easer", "releaser@example.org", Instant.ofEpochSecond(1_760_000_000), ZoneOffset.UTC);
    private final Git git;
    private final Path dir;
    private long time = 1_760_000_000;

    private GitFixture(Path dir) throws Exception {
        this.dir = dir;
        this.git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
    }

    static GitFixture create(Path dir) throws Exception {
        return new GitFixture(dir);
    }

    Path dir() {
        return dir;
    }

    /** Commits kiln.yaml naming {@code image}, returning the commit. */
    RevCommit commitKilnFile(String image) throws Exception {
        return commit("kiln.yaml", kilnFile(image));
    }

    /** A valid kiln.yaml naming {@code image}. */
    static String kilnFile(String image) {
        return dev.kiln.stack.MinimalKilnFile.naming(image);
    }

    RevCommit commit(String path, String content) throws Exception {
        Files.createDirectories(dir.resolve(path).getParent());
        Files.writeString(dir.resolve(path), content);
        git.add().addFilepattern(path).call();
        return commitStaged("change " + path);
    }

    RevCommit remove(String path) throws Exception {
        git.rm().addFilepattern(path).call();
        return commitStaged("remove " + path);
    }

    /** Commits {@code path} as a symbolic link to {@code target}, as a hostile repository could. */
    RevCommit commitSymlink(String path, Path target) throws Exception {
        Files.createSymbolicLink(dir.resolve(path), target);
        git.add().addFilepattern(path).call();
        return commitStaged("link " + path);
    }

    private RevCommit commitStaged(String message) throws Exception {
        time += 60;
        PersonIdent committer = new PersonIdent("Com Mitter", "committer@example.org", Instant.ofEpochSecond(time), ZoneOffset.UTC);
        return git.commit().setMessage(message).setAuthor(committer).setCommitter(committer).call();
    }

    void annotatedTag(String name) throws Exception {
        git.tag().setName(name).setAnnotated(true).setTagger(RELEASER).setMessage("release " + name).call();
    }

    void lightweightTag(String name) throws Exception {
        git.tag().setName(name).setAnnotated(false).call();
    }

    void moveTag(String name, RevCommit to) throws Exception {
        git.tag().setName(name).setObjectId(to).setAnnotated(false).setForceUpdate(true).call();
    }

    void deleteTag(String name) throws Exception {
        git.tagDelete().setTags(name).call();
    }

    @Override
    public void close() {
        git.close();
    }
}
