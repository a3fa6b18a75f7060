package dev.kiln.verifier;

import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
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

class ImagePolicyTest {
    @Test
    void readsKilnYamlAtTheReleasedCommitNotTheBranchTip(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit released;
        try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
            released = commit(git, kilnYaml("released"));
            commit(git, kilnYaml("later"));
        }
        KilnFile kilnFile = ImagePolicy.at(release(repository, released.name()), dir.resolve("ws"));
        assertEquals("released", kilnFile.image());
    }

    @Test
    void aCommitWithoutKilnYamlIsRejectedSayingSo(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit bare;
        try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repository.resolve("README"), "no kiln.yaml here\n");
            git.add().addFilepattern("README").call();
            bare = git.commit().setMessage("readme").setSign(false).call();
        }
        Rejection rejection = assertThrows(Rejection.class, () -> ImagePolicy.at(release(repository, bare.name()), dir.resolve("ws")));
        assertTrue(rejection.getMessage().contains("there is no kiln.yaml at commit " + bare.name()), rejection.getMessage());
    }

    /** A new machine's (or user's) first verification: JGit's measurement of the file system (about 3 s) is not waited for. */
    @Test
    void theFirstCloneOfANewUserDoesNotWaitForJGitToMeasureTheFileSystem(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        RevCommit released;
        try (Git git = Git.init().setDirectory(repository.toFile()).setInitialBranch("main").call()) {
            released = commit(git, kilnYaml("released"));
        }
        NewUserJvm.JGitMeasurement jgit = NewUserJvm.run(dir, FirstPolicyOfANewUser.class,
                repository.toString(), released.name(), dir.resolve("ws").toString());
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

    private static String kilnYaml(String image) {
        return """
                image: %s
                upstream:
                  url: https://cloud.example.org/debian-12.qcow2
                  sha256: %s
                build:
                  template: packer/image.pkr.hcl
                  playbook: ansible/playbook.yml
                """.formatted(image, "b".repeat(64));
    }

    private static RevCommit commit(Git git, String kilnYaml) throws Exception {
        Files.writeString(git.getRepository().getWorkTree().toPath().resolve(KilnFile.PATH), kilnYaml);
        git.add().addFilepattern(KilnFile.PATH).call();
        return git.commit().setMessage("kiln.yaml").setSign(false).call();
    }
}
