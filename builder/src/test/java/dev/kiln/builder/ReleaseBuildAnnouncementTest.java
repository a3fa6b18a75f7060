package dev.kiln.builder;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A format's ImageBuilt goes out the moment it is stored, while the build goes on: fake stages run by the real
 * ReleaseBuild and a real file artifact store.
 */
class ReleaseBuildAnnouncementTest {
    @TempDir
    Path temp;

    private final List<ImageBuilt> announced = new CopyOnWriteArrayList<>();
    private final CountDownLatch rawAnnounced = new CountDownLatch(1);

    /** What create-workspace and read-kiln-file set, for two formats. */
    final class Workspace implements BuildStep {
        @Override
        public void run(BuildContext build) throws Exception {
            Path workspace = Files.createDirectories(temp.resolve("workspace"));
            build.workspace(workspace, new BuildLog(workspace.resolve("build.log")));
            build.kilnFile(new KilnFile("debian-chrony", "test image",
                    new KilnFile.Upstream("file:///upstream.qcow2", "0".repeat(64), null, null),
                    new KilnFile.Build("packer/image.pkr.hcl", "ansible/playbook.yml", null), List.of("raw", "qcow2"), null), null, null);
        }
    }

    /** Makes one format's file, as convert does when that format is done. */
    final class Make implements BuildStep {
        private final String format;

        Make(String format) {
            this.format = format;
        }

        @Override
        public void run(BuildContext build) throws Exception {
            Path file = Files.writeString(build.workspace().resolve("debian-chrony-0.1.0." + format), "the " + format + " disk");
            build.rawSha256("1".repeat(64));
            build.log("made " + format);
            build.formatMade(new BuildContext.FormatFile(format, file, Sha256.of(file), Files.size(file), 1L << 30));
        }
    }

    /** The slow rest of a build, which must not hold back the raw disk's announcement. */
    final class StillBuilding implements BuildStep {
        @Override
        public void run(BuildContext build) throws Exception {
            if (!rawAnnounced.await(30, TimeUnit.SECONDS)) {
                throw new BuildFailure("the raw format was not announced while the build went on");
            }
            build.log("still building after raw was announced");
        }
    }

    @Test
    void aStoredFormatIsAnnouncedAtOnceLinkingTheLogSoFarAndTheBuildStillReportsEveryFormat() throws Exception {
        FileArtifactStore store = new FileArtifactStore(temp.resolve("store"));
        ReleaseBuild build = new ReleaseBuild(() -> List.of(new Workspace(), new Make("raw"), new StillBuilding(), new Make("qcow2")),
                store, StepContexts.config(Map.of()), Map.of());
        Release release = new Release("debian-chrony", "0.1.0", "release-0.1.0", "file:///srv/images.git", "0123456789abcdef0123456789abcdef01234567");

        List<KilnEvent> results = build.run(new ReleaseTagged(release, null, "Tess Tagger <tess@example.com>", StepContexts.SOURCE_DATE_EPOCH),
                event -> {
                    announced.add(event);
                    if (event.format().equals("raw")) {
                        rawAnnounced.countDown();
                    }
                });

        assertEquals(List.of("raw", "qcow2"), announced.stream().map(ImageBuilt::format).toList());
        // The early event's file is already in the store, with the digest it claims.
        ImageBuilt raw = announced.get(0);
        assertEquals(Sha256.of(Path.of(URI.create(raw.artifact().location()))), raw.artifact().sha256());
        String logSoFar = Files.readString(Path.of(URI.create(raw.buildLog())));
        assertTrue(logSoFar.contains("made raw") && logSoFar.contains("stored raw at "), logSoFar);
        assertFalse(logSoFar.contains("still building"), "the raw event links the log as it stood when raw was stored");

        // The build's own list still holds every format, the announced ones with the whole log.
        List<ImageBuilt> built = results.stream().filter(ImageBuilt.class::isInstance).map(ImageBuilt.class::cast).toList();
        assertEquals(List.of("raw", "qcow2"), built.stream().map(ImageBuilt::format).toList());
        assertEquals(raw.artifact(), built.get(0).artifact());
        assertNotEquals(raw.buildLog(), built.get(0).buildLog());
        assertTrue(Files.readString(Path.of(URI.create(built.get(0).buildLog()))).contains("still building after raw was announced"));
        assertEquals(List.of(), results.stream().filter(BuildFailed.class::isInstance).toList());
    }
}
