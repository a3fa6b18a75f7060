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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A release build announces each format the moment it is stored and sends only the rest at its end; fake stages (a
 * workspace, a convert that makes two formats of three) run by the real ReleaseBuild and the real store stage.
 */
class ReleaseBuildAnnounceTest {
    @TempDir
    Path temp;

    /** What create-workspace and read-kiln-file would leave: a workspace, a log, a kiln.yaml of three formats. */
    final class ReadyStep implements BuildStep {
        @Override
        public void run(BuildContext build) throws Exception {
            Path workspace = Files.createDirectories(temp.resolve("work"));
            build.workspace(workspace, new BuildLog(workspace.resolve("build.log")));
            build.kilnFile(new KilnFile("debian-chrony", "test image", new KilnFile.Upstream("file:///upstream.qcow2", "0".repeat(64), null, null),
                    new KilnFile.Build("packer/image.pkr.hcl", "ansible/playbook.yml", null), List.of("raw", "qcow2", "vhd"), null), null, null);
            build.rawSha256("1".repeat(64));
        }
    }

    /** Makes raw, then qcow2, handing each on as convert does; vhd cannot be made. */
    static final class ConvertsTwoStep implements BuildStep {
        private final ConvertStep.FormatMade next;

        ConvertsTwoStep(ConvertStep.FormatMade next) {
            this.next = next;
        }

        @Override
        public void run(BuildContext build) throws Exception {
            for (String format : List.of("raw", "qcow2")) {
                Path file = Files.writeString(build.workspace().resolve("debian-chrony-0.1.0." + format), "a " + format + " disk");
                BuildContext.FormatFile made = new BuildContext.FormatFile(format, file, Sha256.of(file), Files.size(file), 1L << 30);
                build.formats().put(format, made);
                build.log("made " + format);
                next.made(build, made);
            }
            build.formatFailures().put("vhd", "the disk is not a whole number of MiB");
        }
    }

    private ReleaseBuild build(FileArtifactStore store) {
        return new ReleaseBuild(() -> {
            StoreStep storing = new StoreStep(store);
            return List.of(new ReadyStep(), new ConvertsTwoStep(storing), storing);
        }, store, StepContexts.config(Map.of()), Map.of("packer", "1.6.6"));
    }

    @Test
    void eachFormatIsAnnouncedWhenStoredWithTheLogSoFarAndTheEndSendsOnlyTheRest() throws Exception {
        List<ImageBuilt> announced = new ArrayList<>();

        List<KilnEvent> rest = build(new FileArtifactStore(temp.resolve("store"))).run(tagged(), announced::add);

        assertEquals(List.of("raw", "qcow2"), announced.stream().map(ImageBuilt::format).toList());
        String rawLog = Files.readString(Path.of(URI.create(announced.get(0).buildLog())));
        String qcow2Log = Files.readString(Path.of(URI.create(announced.get(1).buildLog())));
        assertTrue(rawLog.contains("made raw") && !rawLog.contains("made qcow2"), "raw links the log as it stood: " + rawLog);
        assertTrue(qcow2Log.contains("made raw") && qcow2Log.contains("made qcow2"), qcow2Log);
        for (ImageBuilt built : announced) {
            assertEquals(built.artifact().sha256(), Sha256.of(Path.of(URI.create(built.artifact().location()))), "stored before announced");
        }
        assertEquals(1, rest.size(), "what was announced is not sent again: " + rest);
        BuildFailed vhd = (BuildFailed) rest.get(0);
        assertEquals("vhd", vhd.format());
        assertTrue(Files.readString(Path.of(URI.create(vhd.buildLog()))).contains("== store done in"), "the failure links the whole log");
    }

    @Test
    void aBuildThatAnnouncesNothingReturnsEveryOutcomeAtItsEnd() throws Exception {
        List<KilnEvent> all = build(new FileArtifactStore(temp.resolve("store"))).run(tagged());

        assertEquals(List.of("raw", "qcow2", "vhd"), all.stream().map(e -> ((dev.kiln.events.PerFormatEvent) e).format()).toList());
        assertTrue(all.get(0) instanceof ImageBuilt && all.get(1) instanceof ImageBuilt && all.get(2) instanceof BuildFailed, all.toString());
        String log = Files.readString(Path.of(URI.create(((ImageBuilt) all.get(0)).buildLog())));
        assertTrue(log.contains("made qcow2") && log.contains("== store done in"), "every outcome links the whole log: " + log);
    }

    private static ReleaseTagged tagged() {
        return new ReleaseTagged(new Release("debian-chrony", "0.1.0", "release-0.1.0", "file:///srv/images.git",
                "0123456789abcdef0123456789abcdef01234567"), null, "Tess Tagger <tess@example.com>", 1_700_000_000L);
    }
}
