package dev.kiln.verifier;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** {@code kiln.verifier.*}. */
@ConfigMapping(prefix = "kiln.verifier")
public interface VerifierConfig {
    /** Each verification gets a fresh directory here, removed when it ends. */
    @WithDefault("/var/tmp/kiln/state/verifier/work")
    Path workspaces();

    /** Reports as JSON, by image, version and format. */
    @WithDefault("/var/tmp/kiln/state/verifier/reports")
    Path reports();

    /** This service's URL as others reach it: report locations in events point at its REST API. */
    @WithDefault("http://localhost:8083")
    String publicUrl();

    /** How long an image may take to show the boot marker. */
    @WithDefault("5m")
    Duration bootTimeout();

    /**
     * The whole verification's deadline (fetching, decoding, inspecting, booting): one that passes it is stopped and
     * the image rejected (finding {@code verification-deadline}): what was not verified is never published.
     */
    @WithDefault("30m")
    Duration deadline();

    /** The largest disk (virtual size, GiB) an image may declare; a larger one is refused before it is decoded. */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_VIRTUAL_SIZE_GIB)
    int maxVirtualSizeGib();

    /** The most files an OVA may hold (kiln's hold three: descriptor, manifest, disk). */
    @WithDefault("" + ImageLimits.DEFAULT_MAX_OVA_ENTRIES)
    int maxOvaEntries();

    /** Regular expression the serial console must show once the image is up. */
    @WithDefault("login:")
    String bootMarker();

    /** Whether to boot images at all (the offline inspection always runs). */
    @WithDefault("true")
    boolean boot();

    /**
     * How QEMU boots images: {@code kvm} where KVM runs ordinary guests ({@code ./kiln} probes for it and sets
     * KILN_QEMU_ACCELERATOR), {@code tcg} (software emulation) otherwise.
     */
    @WithDefault("tcg")
    dev.kiln.disk.QemuAccelerator accelerator();

    /**
     * Sealing rules a kiln.yaml may relax (verify.relax); none by default. ssh-hostkeys and build-credentials are never
     * relaxed, even when listed here.
     */
    @WithDefault("none")
    java.util.List<String> relaxableRules();

    /** Whether images may hold file systems kiln cannot inspect (LVM, LUKS, XFS, btrfs); they are rejected by default. */
    @WithDefault("false")
    boolean allowUninspectable();

    default OperatorPolicy operatorPolicy() {
        return new OperatorPolicy(java.util.Set.copyOf(relaxableRules().stream().filter(r -> !r.equals("none")).toList()), allowUninspectable());
    }

    /** CloudEvent source of this service's events. */
    @WithDefault("/kiln/sealer-verifier")
    String eventSource();

    /** For artifacts at s3:// locations. */
    S3 s3();

    interface S3 {
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        Optional<String> accessKey();

        Optional<String> secretKey();
    }
}
