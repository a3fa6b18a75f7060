package dev.kiln.tagwatcher;

import dev.kiln.stack.NewUserJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On a machine (or as a user) where JGit has never measured the file system, JGit measures it the first time it checks
 * a file it read: about 3 s here. A scan must not wait for that, or the first release's webhook does (./kiln bench,
 * figure 5a: 3.3 s on a new machine).
 */
class NewMachineScanTest {
    @Test
    void theFirstScansDoNotWaitForJGitToMeasureTheFileSystem(@TempDir Path dir) throws Exception {
        Path repository = dir.resolve("repo");
        try (GitFixture git = GitFixture.create(repository)) {
            git.commitKilnFile("new-machine");
            git.lightweightTag("release-0.0.1");
        }
        NewUserJvm.JGitMeasurement jgit = NewUserJvm.run(dir, FirstScans.class, repository.toString());
        assertTrue(jgit.output().contains("tags 1\ntags 2\n"), jgit.output());
        assertFalse(jgit.whenTheWorkReturned(), "the scans waited for JGit's measurement: " + jgit.output());
        assertTrue(jgit.withinAMinute(), "JGit's measurement never finished, so every scan would go on with its cautious "
                + "defaults: " + jgit.output());
    }

    /** In a {@link NewUserJvm}: two scans of the repository, a new tag between them (as a webhook's scan follows the first). */
    public static final class FirstScans {
        public static void main(String[] args) throws Exception {
            Path repository = Path.of(args[0]);
            Path mirrors = Files.createTempDirectory("mirrors");
            WatchedRepository watched = WatchedRepository.local("new-machine", repository);
            try (GitSource git = GitSource.open(watched, mirrors)) {
                System.out.println("tags " + git.tags().size());
            }
            // A new tag as `git tag` writes it: a loose ref, in a directory JGit has already read.
            Files.copy(repository.resolve(".git/refs/tags/release-0.0.1"), repository.resolve(".git/refs/tags/release-0.0.2"));
            try (GitSource git = GitSource.open(watched, mirrors)) {
                System.out.println("tags " + git.tags().size());
            }
            NewUserJvm.reportJGitMeasurement();
        }
    }
}
