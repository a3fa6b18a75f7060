package dev.kiln.deploy;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DesiredVersionTest {
    private static final DeploymentSpec.Health LOGIN = new DeploymentSpec.Health("login:", null, null);
    private static final DeploymentSpec STABLE = DeploymentSpec.following("web", "debian-web", "stable", "qcow2", 2, LOGIN);
    private static final DeploymentSpec LATEST = DeploymentSpec.following("web", "debian-web", "latest", "qcow2", 1, LOGIN);
    private static final DeploymentSpec PINNED = DeploymentSpec.pinned("web", "debian-web", "0.9.1", "qcow2", 1, LOGIN);

    private static DesiredVersion.Decision decide(DeploymentSpec spec, List<String> good, Map<String, String> revoked, List<String> channel) {
        return DesiredVersion.of(spec, new DesiredVersion.ImageHistory(good, revoked, channel));
    }

    @Test
    void aChannelRunsWhatItPointsAtOnceThatIsPublished() {
        assertEquals("0.9.1", decide(STABLE, List.of("0.9.1", "0.10.0"), Map.of(), List.of("0.9.1")).version());
        DesiredVersion.Decision notYet = decide(STABLE, List.of("0.9.1"), Map.of(), List.of("0.10.0", "0.9.1"));
        assertNull(notYet.version());
        assertTrue(notYet.waitReason().contains("0.10.0 is not published in qcow2"), notYet.waitReason());
        assertTrue(decide(STABLE, List.of("0.9.1"), Map.of(), List.of()).waitReason().contains("does not point at a version yet"));
    }

    @Test
    void latestIsTheNewestGoodVersionAsPeopleReadVersions() {
        assertEquals("0.10.0", decide(LATEST, List.of("0.9.1", "0.10.0", "0.2.0"), Map.of(), List.of()).version());
        assertEquals("1.0.0", decide(LATEST, List.of("1.0.0-rc1", "1.0.0"), Map.of(), List.of()).version());
        assertTrue(decide(LATEST, List.of(), Map.of(), List.of()).waitReason().contains("no published version in qcow2 yet"));
    }

    @Test
    void aRevokedChannelHeadIsReplacedByTheChannelsNewestGoodVersionOrStopped() {
        // The registry's good versions exclude revoked ones; the channel went 0.9.1 -> 0.10.0 (revoked).
        List<String> good = List.of("0.9.1", "0.11.0-rc1");
        Map<String, String> revoked = Map.of("0.10.0", "CVE-2026-0002");
        assertEquals("0.9.1", decide(STABLE, good, revoked, List.of("0.10.0", "0.9.1")).version());
        DesiredVersion.Decision stop = decide(STABLE.withOnRevoked("stop"), good, revoked, List.of("0.10.0", "0.9.1"));
        assertNull(stop.version());
        assertTrue(stop.stopReason().contains("0.10.0 was revoked (CVE-2026-0002); onRevoked: stop"), stop.stopReason());
        assertTrue(decide(STABLE, good, revoked, List.of("0.10.0")).stopReason().contains("no good version to replace it with"));
    }

    @Test
    void aRevokedPinnedVersionMovesToTheImagesNewestGoodVersion() {
        assertEquals("0.9.1", decide(PINNED, List.of("0.9.1", "0.10.0"), Map.of(), List.of()).version());
        assertEquals("0.10.0", decide(PINNED, List.of("0.10.0"), Map.of("0.9.1", "bad"), List.of()).version());
        assertTrue(decide(PINNED.withOnRevoked("stop"), List.of("0.10.0"), Map.of("0.9.1", "bad"), List.of()).stopReason() != null);
    }
}
