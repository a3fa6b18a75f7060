package dev.kiln.builder;

import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.stack.UpstreamImage;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

/** A copy of examples/ as a real Git repository, pointed at the local trusted upstream image. */
final class ImageRepository {
    static final Path EXAMPLES = Path.of(System.getProperty("kiln.repo.root", ".."), "examples");
    private final Path dir;
    private final String kilnYaml;

    private ImageRepository(Path dir, String kilnYaml) {
        this.dir = dir;
        this.kilnYaml = kilnYaml;
    }

    static ImageRepository copyOfExamples(Path dir) throws Exception {
        UpstreamImage upstream = UpstreamImage.buildOrReuse();
        copy(EXAMPLES, dir);
        String yaml = Files.readString(dir.resolve("kiln.yaml"))
                .replaceAll("(?m)^  url: .*$", "  url: " + upstream.image().toUri())
                .replace("set-by-kiln-up-or-your-published-image-sha256", upstream.sha256())
                .replaceAll("(?m)^  ssh_private_key_file: .*$", "  ssh_private_key_file: " + upstream.buildKey());
        Files.writeString(dir.resolve("kiln.yaml"), yaml);
        Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call().close();
        return new ImageRepository(dir, yaml);
    }

    Path dir() {
        return dir;
    }

    String kilnYaml() {
        return kilnYaml;
    }

    ImageRepository write(String path, String content) throws IOException {
        Files.createDirectories(dir.resolve(path).getParent());
        Files.writeString(dir.resolve(path), content);
        return this;
    }

    ImageRepository delete(String path) throws IOException {
        Files.delete(dir.resolve(path));
        return this;
    }

    /** Commits the work tree and returns the ReleaseTagged a watcher would emit for {@code version} at that commit. */
    ReleaseTagged release(String image, String version) throws Exception {
        try (Git git = Git.open(dir.toFile())) {
            git.add().addFilepattern(".").call();
            git.add().addFilepattern(".").setUpdate(true).call();
            PersonIdent who = new PersonIdent("Image Team", "images@example.org", Instant.ofEpochSecond(1_764_000_000), ZoneOffset.UTC);
            RevCommit commit = git.commit().setMessage("release " + version).setAuthor(who).setCommitter(who).setAllowEmpty(true).call();
            git.tag().setName("release-" + version).setObjectId(commit).setAnnotated(false).call();
            return new ReleaseTagged(new Release(image, version, "release-" + version, dir.toString(), commit.name()),
                    null, "Image Team <images@example.org>", commit.getCommitTime());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
