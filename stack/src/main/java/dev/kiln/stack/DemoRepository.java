package dev.kiln.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A working copy of examples/ as a Git repository with a bare "origin" that the tag-watcher watches, the way a
 * team's image repository and its Git server would be; kiln.yaml points at the trusted local upstream image.
 * Made once and reused, so running {@code ./kiln up} again is safe. Git runs with argument lists, never a shell.
 */
public final class DemoRepository {
    private final Path workTree;
    private final Path origin;

    private DemoRepository(Path workTree, Path origin) {
        this.workTree = workTree;
        this.origin = origin;
    }

    public static DemoRepository prepare(Path examples, Path dir, UpstreamImage upstream) throws IOException, InterruptedException {
        Path workTree = dir.resolve("images");
        Path origin = dir.resolve("images.git");
        DemoRepository repo = new DemoRepository(workTree, origin);
        if (!Files.exists(origin.resolve("HEAD"))) {
            Files.createDirectories(origin);
            git(origin, "init", "--bare", "--initial-branch=main");
        }
        if (!Files.exists(workTree.resolve(".git"))) {
            copy(examples, workTree);
            git(workTree, "init", "--initial-branch=main");
            git(workTree, "remote", "add", "origin", origin.toString());
        }
        Path kilnYaml = workTree.resolve("kiln.yaml");
        String yaml = Files.readString(kilnYaml)
                .replaceAll("(?m)^  url: .*$", "  url: " + upstream.image().toUri())
                .replaceAll("(?m)^  sha256: .*$", "  sha256: " + upstream.sha256())
                .replaceAll("(?m)^  ssh_private_key_file: .*$", "  ssh_private_key_file: " + upstream.buildKey());
        Files.writeString(kilnYaml, yaml);
        repo.commitAll("Image repository for the kiln demo");
        return repo;
    }

    public Path workTree() {
        return workTree;
    }

    /** The repository the tag-watcher watches (a bare repository, as a Git server holds it). */
    public Path origin() {
        return origin;
    }

    public void write(String path, String content) throws IOException {
        Files.writeString(workTree.resolve(path), content);
    }

    public String read(String path) throws IOException {
        return Files.readString(workTree.resolve(path));
    }

    /** Commits what changed (if anything) and pushes main. */
    public void commitAll(String message) throws IOException, InterruptedException {
        git(workTree, "add", "--all");
        if (!git(workTree, "status", "--porcelain").isBlank()) {
            git(workTree, "commit", "--quiet", "-m", message);
        }
        git(workTree, "push", "--quiet", "origin", "main");
    }

    public boolean hasTag(String tag) throws IOException, InterruptedException {
        return !git(origin, "tag", "--list", tag).isBlank();
    }

    /** Tags HEAD (annotated) and pushes the tag: what starts a release. */
    public void pushTag(String tag, String message) throws IOException, InterruptedException {
        git(workTree, "tag", "--annotate", tag, "-m", message);
        git(workTree, "push", "--quiet", "origin", tag);
    }

    private static String git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=kiln demo", "-c", "user.email=demo@kiln.invalid",
                "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed in " + dir + ": " + out.strip());
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                String relative = from.relativize(source).toString();
                if (relative.startsWith("terraform")) {
                    continue; // the provisioning example is not part of the image repository
                }
                Path target = to.resolve(relative);
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
