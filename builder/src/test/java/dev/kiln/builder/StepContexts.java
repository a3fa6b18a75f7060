package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A build context for running one stage alone, as its own test does (no broker, no Packer). */
final class StepContexts {
    static final long SOURCE_DATE_EPOCH = 1_700_000_000L;

    private StepContexts() {
    }

    /** The builder's configuration as the service would read it, with {@code settings} over the defaults. */
    static BuilderConfig config(Map<String, String> settings) {
        io.smallrye.config.SmallRyeConfigBuilder builder = new io.smallrye.config.SmallRyeConfigBuilder().withMapping(BuilderConfig.class)
                // Durations as Quarkus reads them ("1s", "2h").
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter());
        settings.forEach(builder::withDefaultValue);
        return builder.build().getConfigMapping(BuilderConfig.class);
    }

    /** A context for the checkout alone: release-0.1.0 of {@code commit} in {@code repository}, nothing read yet. */
    static BuildContext ofCommit(Path workspace, String repository, String commit) throws Exception {
        return ofCommit(workspace, repository, commit, null);
    }

    private static BuildContext ofCommit(Path workspace, String repository, String commit, BuilderConfig config) throws Exception {
        Files.createDirectories(workspace);
        Release release = new Release("debian-chrony", "0.1.0", "release-0.1.0", repository, commit);
        BuildContext build = new BuildContext(new ReleaseTagged(release, null, "Tess Tagger <tess@example.com>", SOURCE_DATE_EPOCH), config, Map.of());
        build.workspace(workspace, new BuildLog(workspace.resolve("build.log")));
        return build;
    }

    static BuildContext withWorkspace(Path workspace, List<String> formats) throws Exception {
        return withWorkspace(workspace, formats, null, "file:///upstream.qcow2");
    }

    static BuildContext withWorkspace(Path workspace, List<String> formats, BuilderConfig config, String upstream) throws Exception {
        BuildContext build = ofCommit(workspace, "file:///srv/images.git", "0123456789abcdef0123456789abcdef01234567", config);
        build.kilnFile(new KilnFile("debian-chrony", "test image",
                new KilnFile.Upstream(upstream, "0".repeat(64), null, null),
                new KilnFile.Build("packer/image.pkr.hcl", "ansible/playbook.yml", null), formats, null), null, null);
        return build;
    }

    /**
     * A small disk like the ones kiln builds: an MBR with a FAT boot partition and an ext4 root made from
     * {@code tree} (mke2fs -d), with the times of that moment.
     */
    static Path disk(Path file, Path tree) throws Exception {
        Path dir = file.getParent();
        run(dir, "truncate", "-s", "64M", file.toString());
        Path script = dir.resolve("layout.sfdisk");
        Files.writeString(script, "label: dos\nlabel-id: 0x6b696c6e\nstart=2048, size=16384, type=c, bootable\nstart=18432, type=83\n");
        ProcessBuilder sfdisk = new ProcessBuilder("sfdisk", "--quiet", file.toString()).redirectInput(script.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (sfdisk.start().waitFor() != 0) {
            throw new IllegalStateException("sfdisk failed");
        }
        Path boot = dir.resolve("boot.img");
        // --invariant: the boot partition comes from upstream and is the same in every build
        run(dir, "mkfs.fat", "--invariant", "-F", "12", "-n", "KILNBOOT", "-C", boot.toString(), "8192");
        Path root = dir.resolve("root.img");
        run(dir, "mkfs.ext4", "-q", "-F", "-L", "kiln-root", "-U", "6b696c6e-0000-4000-8000-000000000001", "-d", tree.toString(),
                root.toString(), (64 * 1024 - 18432 / 2) + "k");
        try (java.io.RandomAccessFile out = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            RemasterStep.copy(boot, 0, out, 2048L * 512, Files.size(boot));
            RemasterStep.copy(root, 0, out, 18432L * 512, Files.size(root));
        }
        Files.delete(boot);
        Files.delete(root);
        Files.delete(script);
        return file;
    }

    static String run(Path dir, String... command) throws Exception {
        return ToolProcess.check(List.of(command), dir, java.time.Duration.ofMinutes(2), l -> { });
    }
}
