package dev.kiln.deploy;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "kiln.deploy")
public interface DeployConfig {
    /** The bearer token that declares, changes and deletes deployments; without it the API is read-only. */
    Optional<String> writeToken();

    /** When set, reads need it too. */
    Optional<String> readToken();

    /** A file of deployments (YAML, see docs/deploy.md) declared at every start; the API can change them after. */
    Optional<Path> declarations();

    /** One directory per running instance: its overlay disk, NoCloud seed, serial log and QEMU pid file. */
    Path instances();

    /** Published artifacts, fetched once and checked against their sha256; instances are overlays on them. */
    Path images();

    /** kvm where it boots guests (./kiln sets KILN_QEMU_ACCELERATOR after probing), tcg otherwise. */
    @WithDefault("tcg")
    dev.kiln.disk.QemuAccelerator accelerator();

    /** Memory of each local instance, MiB. */
    @WithDefault("512")
    int instanceMemoryMib();

    /**
     * Whether a graceful stop of this service also stops its local instances. Off by default, as a fleet outlives its
     * controller: a restarted deploy service finds its instances running and carries on. ./kiln up turns it on.
     */
    @WithDefault("false")
    boolean stopInstancesOnExit();

    /** How long a retired instance gets to power off (ACPI) before it is killed. */
    @WithDefault("20s")
    Duration stopGrace();

    /** The CloudEvent source of what this service sends. */
    @WithDefault("/kiln/deploy")
    String eventSource();
}
