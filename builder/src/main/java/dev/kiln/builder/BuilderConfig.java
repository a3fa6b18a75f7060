package dev.kiln.builder;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/** {@code kiln.builder.*}: where builds run, where upstream images are cached, where artifacts go. */
@ConfigMapping(prefix = "kiln.builder")
public interface BuilderConfig {
    /** Each build gets a fresh directory here, removed when the build ends. */
    @WithDefault("/var/tmp/kiln/state/builder/work")
    Path workspaces();

    /** Verified upstream images, by sha256; downloaded once, checked again on every use. */
    @WithDefault("/var/tmp/kiln/cache/builder/upstream")
    Path upstreamCache();

    /** kiln's own Ansible roles (seal, release-stamp). */
    @WithDefault("ansible/roles")
    Path ansibleRoles();

    /** A build does not start with less free space than this in the workspaces' file system, in GiB. */
    @WithDefault("6")
    int minFreeGib();

    /** Cap on build.timeout from kiln.yaml. */
    @WithDefault("2h")
    java.time.Duration maxTimeout();

    /**
     * The whole build's deadline, every stage included (Packer's own build.timeout is one part of it): a build that
     * passes it is stopped, its tools with it, and fails with the stage it was in.
     */
    @WithDefault("3h")
    java.time.Duration deadline();

    /** The deadline of one download of an upstream image. */
    @WithDefault("30m")
    java.time.Duration fetchTimeout();

    /**
     * How Packer's QEMU runs the build: {@code kvm} where KVM runs ordinary guests ({@code ./kiln} probes for it and
     * sets KILN_QEMU_ACCELERATOR), {@code tcg} (software emulation, slower but works everywhere) otherwise.
     */
    @WithDefault("tcg")
    dev.kiln.disk.QemuAccelerator accelerator();

    /**
     * Whether Packer runs in the build sandbox (bubblewrap: the host read-only, kiln's state and store hidden; a network
     * namespace of its own whose way out, slirp4netns, cannot reach this host's loopback). On by default; it needs root
     * (or CAP_SYS_ADMIN) and /dev/net/tun.
     */
    @WithDefault("true")
    boolean isolateNetwork();

    /**
     * The unprivileged user Packer and Ansible run as in the build sandbox when the builder runs as root (./kiln setup
     * creates it). Files only root may read stay unreadable to the repository's code even where the sandbox shows them.
     */
    @WithDefault("kiln-build")
    String buildUser();

    /**
     * Where the upstream images' build keys live: kiln.yaml's upstream.ssh_private_key_file must name a file inside it
     * (a repository cannot point the build at another file of the builder host).
     */
    @WithDefault("/var/tmp/kiln/cache/upstream")
    Path buildKeys();

    /** This builder's name in rebuild verdicts; the host name and process id when unset. */
    Optional<String> instance();

    /** CloudEvent source of this service's events. */
    @WithDefault("/kiln/builder")
    String eventSource();

    Store store();

    interface Store {
        /** {@code file} (content-addressed directory) or {@code s3} (any S3-compatible object store). */
        @WithDefault("file")
        String kind();

        /** Root directory of the file store. */
        @WithDefault("/var/tmp/kiln/state/artifacts")
        Path directory();

        S3 s3();
    }

    interface S3 {
        Optional<String> bucket();

        /** For S3-compatible servers (MinIO, Ceph, s3proxy): their URL; path-style addressing is used then. */
        Optional<String> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Static credentials; without them the SDK's default chain (environment, profile, instance role) is used. */
        Optional<String> accessKey();

        Optional<String> secretKey();

        /** Key prefix inside the bucket. */
        Optional<String> prefix();
    }
}
