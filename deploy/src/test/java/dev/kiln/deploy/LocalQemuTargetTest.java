package dev.kiln.deploy;

import dev.kiln.disk.DiskLayout;
import dev.kiln.disk.FuseMount;
import dev.kiln.disk.ToolProcess;
import dev.kiln.disk.Trees;
import dev.kiln.stack.UpstreamImage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every clone is unique, seen from the outside: two instances of one image (the trusted upstream image, which carries
 * kiln's first-boot host-key unit and an empty machine-id, as sealed images do) are launched on the local QEMU target,
 * their SSH host keys read over the network, then they are powered off and their disks read: the machine-ids and host
 * keys differ from each other, and neither is in the image.
 */
class LocalQemuTargetTest {
    private static final Path WORK = Path.of("target/local-qemu-test").toAbsolutePath();
    private static final DeploymentSpec.Health SSH = new DeploymentSpec.Health(null, 22, "5m");
    private static final LocalQemuTarget TARGET = new LocalQemuTarget(dev.kiln.disk.QemuAccelerator.fromEnvironment(), 512);
    private static final List<InstanceTarget.Instance> launched = new ArrayList<>();
    private static UpstreamImage image;

    @BeforeAll
    static void clean() throws IOException {
        Trees.delete(WORK);
        Files.createDirectories(WORK);
        image = UpstreamImage.buildOrReuse();
    }

    @AfterAll
    static void retireAll() throws Exception {
        for (InstanceTarget.Instance instance : launched) {
            TARGET.retire(instance, Duration.ofSeconds(5));
        }
    }

    @Test
    void twoInstancesOfOneImageHaveTheirOwnHostKeysAndMachineIds() throws Exception {
        InstanceTarget.Instance a = launch("clone-1");
        InstanceTarget.Instance b = launch("clone-2");
        awaitHealthy(a);
        awaitHealthy(b);
        assertEquals(InstanceTarget.Probe.State.HEALTHY, TARGET.probe(a, SSH).state());
        String liveA = fingerprintsOverTheNetwork(a);
        String liveB = fingerprintsOverTheNetwork(b);
        assertFalse(liveA.isBlank(), "clone-1 answers with its host keys");
        assertNotEquals(liveA, liveB, "two clones of one image share SSH host keys");

        // Powered off as a hypervisor's button does (ACPI): the guest writes its state out, then its disk is read.
        TARGET.powerOff(a, Duration.ofSeconds(90));
        TARGET.powerOff(b, Duration.ofSeconds(90));
        assertEquals(InstanceTarget.Probe.State.GONE, TARGET.probe(a, SSH).state());
        Identity idA = identity(a.directory().resolve("disk.qcow2"), "a");
        Identity idB = identity(b.directory().resolve("disk.qcow2"), "b");
        Identity inImage = identity(image.image(), "image");

        assertTrue(idA.machineId().matches("[0-9a-f]{32}"), "clone-1 has a machine-id: '" + idA.machineId() + "'");
        assertTrue(idB.machineId().matches("[0-9a-f]{32}"), "clone-2 has a machine-id: '" + idB.machineId() + "'");
        assertNotEquals(idA.machineId(), idB.machineId(), "two clones share a machine-id");
        assertEquals("", inImage.machineId(), "the image carries no machine-id");
        assertEquals("", inImage.hostKeyFingerprints(), "the image carries no SSH host keys");
        // ssh-keyscan asks for the key types it prefers; each one shown is one of the keys on that clone's disk.
        assertTrue(List.of(idA.hostKeyFingerprints().split(",")).containsAll(List.of(liveA.split(","))), liveA + " on " + idA);
        assertTrue(List.of(idB.hostKeyFingerprints().split(",")).containsAll(List.of(liveB.split(","))), liveB + " on " + idB);
        assertTrue(java.util.Collections.disjoint(List.of(idA.hostKeyFingerprints().split(",")), List.of(idB.hostKeyFingerprints().split(","))),
                "the clones share a host key: " + idA + " " + idB);
        assertNotEquals(LocalQemuTarget.macAddress("clone-1"), LocalQemuTarget.macAddress("clone-2"), "each clone has its own MAC address");
        assertTrue(Files.readString(a.directory().resolve("meta-data")).contains("instance-id: clone-1"), "its NoCloud seed names it");
    }

    /**
     * The deploy service stopping interrupts a rollout that may be starting a QEMU. Whatever the moment, what the launch
     * leaves is found and stopped by a retire: no machine of that instance runs afterwards (a start cut short is stopped
     * with its whole process tree, the daemonizing child too).
     */
    @Test
    void aLaunchInterruptedWhileQemuStartsLeavesNoMachineBehindItsRetire() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) {
            InstanceTarget.Instance instance;
            try (var socket = new java.net.ServerSocket(0)) {
                instance = new InstanceTarget.Instance("interrupted-" + attempt, WORK.resolve("interrupted-" + attempt), socket.getLocalPort());
            }
            List<Exception> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread launching = new Thread(() -> {
                try {
                    TARGET.launch(instance, image.image(), "qcow2", SSH);
                } catch (Exception e) {
                    ended.add(e);
                }
            });
            launching.start();
            // Interrupted once its overlay is made, when QEMU is being started (later with each attempt).
            Path overlay = instance.directory().resolve("disk.qcow2");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(overlay) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(50L * attempt);
            launching.interrupt();
            launching.join(Duration.ofMinutes(1).toMillis());
            assertFalse(launching.isAlive(), "the launch ends once interrupted");
            // It ended by the interrupt (in a tool's wait, or in a file write), or QEMU had started: never for another reason.
            assertTrue(ended.stream().allMatch(e -> e instanceof InterruptedException || e instanceof java.nio.channels.ClosedByInterruptException),
                    "the launch failed for another reason than the interrupt: " + ended);

            TARGET.retire(instance, Duration.ofSeconds(5));
            Thread.sleep(2000); // a QEMU child still daemonizing would have written its pidfile by now
            assertEquals(List.of(), machinesOf(instance), "a machine of " + instance.id() + " runs after its retire");
        }
    }

    /** The QEMU processes named for the instance, from /proc. */
    private static List<Long> machinesOf(InstanceTarget.Instance instance) {
        String name = "kiln-" + instance.id() + "\0";
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), java.nio.charset.StandardCharsets.UTF_8).contains(name);
            } catch (IOException e) {
                return false;
            }
        }).map(ProcessHandle::pid).toList();
    }

    private static InstanceTarget.Instance launch(String id) throws Exception {
        InstanceTarget.Instance instance;
        try (var socket = new java.net.ServerSocket(0)) {
            instance = new InstanceTarget.Instance(id, WORK.resolve(id), socket.getLocalPort());
        }
        launched.add(instance);
        TARGET.launch(instance, image.image(), "qcow2", SSH);
        return instance;
    }

    private static void awaitHealthy(InstanceTarget.Instance instance) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        InstanceTarget.Probe probe;
        while ((probe = TARGET.probe(instance, SSH)).state() == InstanceTarget.Probe.State.STARTING && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        assertEquals(InstanceTarget.Probe.State.HEALTHY, probe.state(), instance.id() + ": " + probe.detail());
    }

    private static String fingerprintsOverTheNetwork(InstanceTarget.Instance instance) throws Exception {
        ToolProcess.Result scan = ToolProcess.run(List.of("ssh-keyscan", "-p", Integer.toString(instance.forwardedPort()), "-T", "10",
                "127.0.0.1"), Duration.ofSeconds(30));
        Path keys = WORK.resolve(instance.id() + "-scanned.pub");
        Files.writeString(keys, scan.output().stream().filter(l -> !l.startsWith("#")).map(l -> l.substring(l.indexOf(' ') + 1))
                .collect(Collectors.joining("\n")) + "\n");
        return fingerprints(keys);
    }

    private static String fingerprints(Path publicKeys) throws Exception {
        ToolProcess.Result listed = ToolProcess.run(List.of("ssh-keygen", "-l", "-f", publicKeys.toString()), Duration.ofSeconds(10));
        return listed.ok() ? listed.output().stream().map(l -> l.split(" ")[1]).sorted().collect(Collectors.joining(",")) : "";
    }

    record Identity(String machineId, String hostKeyFingerprints) {
    }

    /** /etc/machine-id and the SSH host keys on a disk, read offline from its root file system. */
    private static Identity identity(Path disk, String name) throws Exception {
        Path raw = WORK.resolve(name + ".raw");
        ToolProcess.check(List.of("qemu-img", "convert", "-O", "raw", disk.toString(), raw.toString()), WORK, Duration.ofMinutes(5), l -> { });
        DiskLayout layout = DiskLayout.of(raw, Files.size(raw), WORK);
        Optional<DiskLayout.Partition> root = layout.partitions().stream().filter(p -> {
            try {
                return DiskLayout.isExtFileSystem(raw, p.offset());
            } catch (IOException e) {
                return false;
            }
        }).findFirst();
        assertTrue(root.isPresent(), name + " has an ext4 root: " + layout);
        Path mount = Files.createDirectories(WORK.resolve(name + "-root"));
        try (FuseMount fs = FuseMount.readOnly(raw, root.get().offset(), mount, WORK)) {
            Path etc = fs.path().resolve("etc");
            String machineId = Files.exists(etc.resolve("machine-id")) ? Files.readString(etc.resolve("machine-id")).strip() : "";
            Path keys = WORK.resolve(name + "-disk.pub");
            List<String> lines = new ArrayList<>();
            try (var found = Files.list(etc.resolve("ssh"))) {
                for (Path pub : found.filter(p -> p.getFileName().toString().matches("ssh_host_.*_key\\.pub")).toList()) {
                    lines.add(Files.readString(pub).strip());
                }
            }
            Files.writeString(keys, String.join("\n", lines) + "\n");
            return new Identity(machineId, lines.isEmpty() ? "" : fingerprints(keys));
        } finally {
            Files.deleteIfExists(raw);
        }
    }
}
