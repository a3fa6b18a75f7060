package dev.kiln.events;

import java.util.List;
import java.util.Map;

/** One valid event of every type, as the services send them. */
final class SampleEvents {
    static final String COMMIT = "3f786850e387550fdab836ed7e6dc881de23001b";
    static final String SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final String RAW = "a3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private SampleEvents() {
    }

    static Release release() {
        return new Release("debian-web", "0.1.0", "release-0.1.0", "file:///srv/git/debian-web.git", COMMIT);
    }

    static Artifact artifact(String format) {
        return new Artifact(format, "file:///var/lib/kiln/artifacts/sha256/" + SHA, SHA, 123_456_789L, 2_147_483_648L, RAW);
    }

    static Provenance provenance() {
        return new Provenance(COMMIT, "release-0.1.0", "https://cloud.debian.org/images/debian-12.qcow2", SHA,
                Map.of("packer", "1.6.6", "ansible", "2.14.18", "qemu-img", "7.2.0"), 1_764_000_000L);
    }

    static VerificationSummary verification() {
        return new VerificationSummary("file:///var/lib/kiln/reports/debian-web/0.1.0/qcow2.json",
                List.of("ssh-hostkeys", "machine-id"),
                List.of(new Finding("logs", "/var/log/installer", "relaxed: installer logs are kept for audit")), 21_000L);
    }

    static List<KilnEvent> oneOfEach() {
        return List.of(
                new ReleaseTagged(release(), "9fceb02d0ae598e95dc970b74767f19372d61af8", "Ada <ada@example.org>", 1_764_000_000L),
                new ReleaseTagViolation(release(), ReleaseTagViolation.MOVED, "9fceb02d0ae598e95dc970b74767f19372d61af8"),
                new ImageBuilt(release(), artifact("qcow2"), provenance(), "file:///var/lib/kiln/logs/debian-web/0.1.0/build.log"),
                new BuildFailed(release(), "vhd", "verify-upstream", "upstream sha256 mismatch", List.of("last line"), null),
                new ImageVerified(release(), "qcow2", SHA, verification()),
                new ImageRejected(release(), "vmdk", SHA, "file:///var/lib/kiln/reports/debian-web/0.1.0/vmdk.json",
                        List.of(new Finding("ssh-hostkeys", "/etc/ssh/ssh_host_ed25519_key", "host key left in image"))),
                new ImagePublished(release(), artifact("qcow2"), provenance(), verification()),
                new RebuildRequested("7c9e6679-7425-40de-944b-e07fc1f90ae7", release(), 1_764_000_000L, List.of(artifact("raw"), artifact("qcow2"))),
                new ImageRebuilt("7c9e6679-7425-40de-944b-e07fc1f90ae7", release(), "builder-1", ImageRebuilt.DIFFERS,
                        List.of(new ImageRebuilt.FormatDigests("raw", SHA, RAW)),
                        List.of("/etc/build-date: content differs"), null, "file:///var/lib/kiln/artifacts/debian-web/0.1.0/rebuild.txt"),
                new ChannelMoved(release(), "production", "0.0.9", 1_764_000_000_000L),
                new VersionRevoked(release(), "CVE-2026-0001 in openssl", 1_764_000_000_000L),
                new DeploymentStarted(release(), "web", "qcow2", 2, "0.0.9", "channel-moved", "7c9e6679-7425-40de-944b-e07fc1f90ae7", 1_764_000_000_000L),
                new InstanceLaunched(release(), "web", "web-3", "local-qemu", 24_000L, "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
                new InstanceRetired(release(), "web", "web-1", "replaced by 0.1.0", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
                new DeploymentCompleted(release(), "web", List.of("web-3", "web-4"), 61_000L, "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
                new DeploymentFailed(release(), "web", "web-3 did not pass its health check within 300 s", "0.0.9",
                        "7c9e6679-7425-40de-944b-e07fc1f90ae7"));
    }
}
