package dev.kiln.builder;

import dev.kiln.stack.NewUserJvm;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckoutStepTest {
    @Test
    void checksOutTheTaggedCommitNotTheBranchTip(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit tagged = mainBranch(repository, "image: tagged\n", "image: later\n").get(0);
        BuildContext build = StepContexts.ofCommit(dir.resolve("ws"), repository.toUri().toString(), tagged.name());
        new CheckoutStep().run(build);
        assertEquals("image: tagged\n", Files.readString(build.source().resolve("kiln.yaml")));
        try (Git source = Git.open(build.source().toFile())) {
            assertEquals(tagged.name(), source.getRepository().resolve("HEAD").name());
        }
    }

    @Test
    void aCommitOnlyItsTagReachesIsFetchedThroughTheTag(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit tagged;
        try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
            commit(git, "kiln.yaml", "image: main\n");
            git.checkout().setCreateBranch(true).setName("side").call();
            tagged = commit(git, "kiln.yaml", "image: side\n");
            git.tag().setName("release-0.1.0").setObjectId(tagged).setAnnotated(false).call();
            git.checkout().setName("main").call();
            git.branchDelete().setBranchNames("side").setForce(true).call();
        }
        BuildContext build = StepContexts.ofCommit(dir.resolve("ws"), repository.toUri().toString(), tagged.name());
        new CheckoutStep().run(build);
        assertEquals("image: side\n", Files.readString(build.source().resolve("kiln.yaml")));
    }

    @Test
    void aCommitNoLongerInTheRepositoryFailsTheBuildSayingWhy(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        mainBranch(repository, "image: main\n");
        String gone = "0123456789abcdef0123456789abcdef01234567";
        BuildFailure failure = assertThrows(BuildFailure.class, () ->
                new CheckoutStep().run(StepContexts.ofCommit(dir.resolve("ws"), repository.toUri().toString(), gone)));
        assertTrue(failure.getMessage().contains("commit " + gone + " is not in") && failure.getMessage().contains("release-0.1.0"),
                failure.getMessage());
    }

    /**
     * On a machine (or as a user) where JGit has never measured the file system, JGit measures it the first time it
     * checks a file it wrote or read, about 3 s here: the first build's checkout must not wait for it.
     */
    @Test
    void theFirstCheckoutOfANewUserDoesNotWaitForJGitToMeasureTheFileSystem(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit tagged = mainBranch(repository, "image: tagged\n").get(0);
        NewUserJvm.JGitMeasurement jgit = NewUserJvm.run(dir, FirstCheckoutOfANewUser.class,
                dir.resolve("ws").toString(), repository.toUri().toString(), tagged.name());
        assertTrue(jgit.output().contains("checked out " + tagged.name()), jgit.output());
        assertFalse(jgit.whenTheWorkReturned(), "the checkout waited for JGit's measurement: " + jgit.output());
        assertTrue(jgit.withinAMinute(), "JGit's measurement never finished: " + jgit.output());
    }

    /** The checkout in a {@link NewUserJvm}: workspace, repository, commit. */
    public static final class FirstCheckoutOfANewUser {
        public static void main(String[] args) throws Exception {
            BuildContext build = StepContexts.ofCommit(Path.of(args[0]), args[1], args[2]);
            new CheckoutStep().run(build);
            try (Git source = Git.open(build.source().toFile())) {
                System.out.println("checked out " + source.getRepository().resolve("HEAD").name());
            }
            NewUserJvm.reportJGitMeasurement();
        }
    }

    /** A repository whose main branch has one commit per kiln.yaml text given, in order. */
    private static java.util.List<RevCommit> mainBranch(Path dir, String... kilnYamls) throws Exception {
        java.util.List<RevCommit> commits = new java.util.ArrayList<>();
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            for (String kilnYaml : kilnYamls) {
                commits.add(commit(git, "kiln.yaml", kilnYaml));
            }
        }
        return commits;
    }

    private static RevCommit commit(Git git, String path, String content) throws Exception {
        Path file = git.getRepository().getWorkTree().toPath().resolve(path);
        Files.writeString(file, content);
        git.add().addFilepattern(path).call();
        return git.commit().setMessage("change " + path).setSign(false).call();
    }
}
