package dev.kiln.builder;

import dev.kiln.events.KilnFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** read-kiln-file: read and validate kiln.yaml at the tagged commit; the template and playbook it names must be in the repository. */
final class ReadKilnFileStep implements BuildStep {
    @Override
    public void run(BuildContext build) throws Exception {
        Path file = build.source().resolve(KilnFile.PATH);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure("there is no kiln.yaml at the root of " + build.release().repository() + " at commit " + build.release().commit());
        }
        KilnFile kilnFile;
        try {
            kilnFile = KilnFile.parse(Files.readString(file));
        } catch (KilnFile.InvalidKilnFile e) {
            throw new BuildFailure(e.getMessage(), e);
        }
        if (!kilnFile.image().equals(build.release().image())) {
            throw new BuildFailure("kiln.yaml names image '" + kilnFile.image() + "' but the release is of '" + build.release().image() + "'");
        }
        if (kilnFile.build().timeoutDuration().compareTo(build.config().maxTimeout()) > 0) {
            throw new BuildFailure("build.timeout " + kilnFile.build().timeout() + " is longer than this builder allows ("
                    + build.config().maxTimeout() + ", kiln.builder.max-timeout)");
        }
        Path template = inRepository(build.source(), kilnFile.build().template(), "build.template");
        Path playbook = inRepository(build.source(), kilnFile.build().playbook(), "build.playbook");
        if (!Files.readString(template).contains("var.playbook_file")) {
            throw new BuildFailure("the Packer template " + kilnFile.build().template() + " does not run var.playbook_file, the playbook kiln passes "
                    + "(it applies the seal role after yours); set playbook_file = var.playbook_file in its ansible provisioner");
        }
        build.kilnFile(kilnFile, template, playbook);
        build.log("kiln.yaml: image " + kilnFile.image() + ", upstream " + kilnFile.upstream().url() + " (sha256 "
                + kilnFile.upstream().sha256() + "), formats " + kilnFile.formats());
    }

    /** A path from kiln.yaml, resolved and checked to be a file inside the checkout, even through symbolic links. */
    private static Path inRepository(Path source, String relative, String key) throws BuildFailure, IOException {
        Path path = source.resolve(relative).normalize();
        if (!Files.isRegularFile(path)) {
            throw new BuildFailure(key + " names " + relative + ", which is not a file in the repository");
        }
        if (!path.toRealPath().startsWith(source.toRealPath())) {
            throw new BuildFailure(key + " names " + relative + ", which links outside the repository");
        }
        return path;
    }
}
