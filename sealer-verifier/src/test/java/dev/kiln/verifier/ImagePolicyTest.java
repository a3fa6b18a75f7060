package dev.kiln.verifier;

import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.stack.MinimalKilnFile;
import dev.kiln.stack.NewUserJvm;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImagePolicyTest {
    @Test
    void readsKilnYamlAtTheReleasedCommitNotTheBranchTip(@TempDir Path dir) throws Exception {
        List<RevCommit> commits = repository(dir.resolve("repo"), MinimalKilnFile.naming("released"), MinimalKilnFile.naming("later"));
        KilnFile kilnFile = ImagePolicy.at(release(dir.resolve("repo"), commits.get(0).name()), dir.resolve("ws"));
        assertEquals("released", kilnFile.image());
    }

    @Test
    void aCommitWithoutKilnYamlIsRejectedSayingSo(@TempDir Path dir) throws Exception {
        String bare = repository(dir.resolve("repo"), (String) null).get(0).name();
        Rejection rejection = assertThrows(Rejection.class, () -> ImagePolicy.at(release(dir.resolve("repo"), bare), dir.resolve("ws")));
        assertTrue(rejection.getMessage().contains("there is no kiln.yaml at commit " + bare), rejection.getMessage());
    }

    /** A new machine's (or user's) first verification: JGit's measurement of the file system (about 3 s) is not waited for. */
    @Test
    void theFirstCloneOfANewUserDoesNotWaitForJGitToMeasureTheFileSystem(@TempDir Path dir) throws Exception {
        String released = repository(dir.resolve("repo"), MinimalKilnFile.naming("released")).get(0).name();
        NewUserJvm.JGitMeasurement jgit = NewUserJvm.run(dir, FirstPolicyOfANewUser.class,
                dir.resolve("repo").toString(), released, dir.resolve("ws").toString());
        assertTrue(jgit.output().contains("image released"), jgit.output());
        assertFalse(jgit.whenTheWorkReturned(), "the clone waited for JGit's measurement: " + jgit.output());
        assertTrue(jgit.withinAMinute(), "JGit's measurement never finished: " + jgit.output());
    }

    /** ImagePolicy.at in a {@link NewUserJvm}: repository, commit, workspace. */
    public static final class FirstPolicyOfANewUser {
        public static void main(String[] args) throws Exception {
            KilnFile kilnFile = ImagePolicy.at(release(Path.of(args[0]), args[1]), Path.of(args[2]));
            System.out.println("image " + kilnFile.image());
            NewUserJvm.reportJGitMeasurement();
        }
    }

    private static Release release(Path repository, String commit) {
        return new Release("released", "0.1.0", "release-0.1.0", repository.toUri().toString(), commit);
    }

    /** A repository of one commit per text given, each the kiln.yaml of that commit (null: a commit with a README instead). */
    private static List<RevCommit> repository(Path dir, String... kilnYamls) throws Exception {
        List<RevCommit> commits = new ArrayList<>();
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            for (String kilnYaml : kilnYamls) {
                String file = kilnYaml == null ? "README" : KilnFile.PATH;
                Files.writeString(dir.resolve(file), kilnYaml == null ? "no kiln.yaml here\n" : kilnYaml);
                git.add().addFilepattern(file).call();
                commits.add(git.commit().setMessage("change " + file).setSign(false).call());
            }
        }
        return commits;
    }
}
