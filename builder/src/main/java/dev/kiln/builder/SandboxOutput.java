package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Files the sandboxed build left in the workspace, as the builder (outside the sandbox, with more rights) may read
 * them. The repository's code runs in the sandbox as the build user and can put anything there: a symbolic link, or a
 * second name of another file, would make the builder read a file of the host that the sandbox could not (another
 * image's disk, a secret) and publish it as the image or print it in the log.
 */
final class SandboxOutput {
    private SandboxOutput() {
    }

    /** The file, when it is a regular file with one name inside the workspace, reached without following links. */
    static Path file(Path workspace, Path file) throws IOException, BuildFailure {
        Path root = workspace.toRealPath();
        Path named = root.resolve(workspace.relativize(file)).normalize();
        if (!named.startsWith(root) || !Files.isRegularFile(named, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure(workspace.relativize(file) + " in the build's output is not a regular file (a link or something else); "
                    + "the build must write the file itself");
        }
        // Every directory on the way is checked too: a link among them would lead out of the workspace.
        if (!named.toRealPath().equals(named)) {
            throw new BuildFailure(workspace.relativize(file) + " in the build's output is reached through a link; the build must write it in place");
        }
        int names = (Integer) Files.getAttribute(named, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        if (names != 1) {
            throw new BuildFailure(workspace.relativize(file) + " in the build's output has " + names + " names (a hard link to another file); "
                    + "the build must write the file itself");
        }
        return named;
    }
}
