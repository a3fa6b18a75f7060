package dev.kiln.deploy;

import dev.kiln.disk.ToolProcess;
import dev.kiln.disk.Trees;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Instances as QEMU guests on this machine. Each is a copy-on-write qcow2 overlay on the published artifact (which is
 * never written), with its own NoCloud seed (instance-id and hostname, for images with cloud-init), its own MAC
 * address, its serial console in a file, and a QMP socket to power it off. QEMU runs daemonized, so instances outlive
 * a restart of the deploy service. The guest network is user-mode with restrict=on: no path to this host's services
 * (the broker, the database) or anywhere else; only the health port is forwarded in, on loopback.
 */
public final class LocalQemuTarget implements InstanceTarget {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private final dev.kiln.disk.QemuAccelerator accelerator;
    private final int memoryMib;

    public LocalQemuTarget(dev.kiln.disk.QemuAccelerator accelerator, int memoryMib) {
        this.accelerator = accelerator;
        this.memoryMib = memoryMib;
    }

    @Override
    public String name() {
        return DeploymentSpec.LOCAL_QEMU;
    }

    @Override
    public void launch(Instance instance, Path artifact, String qemuFormat, DeploymentSpec.Health health) throws IOException, InterruptedException {
        Path dir = instance.directory();
        Files.createDirectories(dir);
        Path disk = dir.resolve("disk.qcow2");
        ToolProcess.check(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", qemuFormat, "-b", artifact.toAbsolutePath().toString(),
                disk.toString()), dir, TOOL_TIMEOUT, line -> { });
        Path seed = NoCloudSeed.write(dir, instance.id());
        boolean kvm = accelerator == dev.kiln.disk.QemuAccelerator.kvm;
        String net = "user,id=n0,restrict=on" + (health.port() != null
                ? ",hostfwd=tcp:127.0.0.1:" + instance.forwardedPort() + "-:" + health.port() : "");
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-name", "kiln-" + instance.id(),
                "-machine", kvm ? "accel=kvm" : "accel=tcg", "-cpu", kvm ? "host" : "max", "-m", Integer.toString(memoryMib), "-smp", "1",
                "-display", "none", "-monitor", "none", "-daemonize", "-pidfile", dir.resolve("qemu.pid").toString(),
                "-qmp", "unix:" + dev.kiln.disk.QemuOpts.value(dir.resolve("qmp.sock")) + ",server=on,wait=off",
                "-drive", "file=" + dev.kiln.disk.QemuOpts.value(disk) + ",if=virtio,format=qcow2",
                "-drive", "file=" + dev.kiln.disk.QemuOpts.value(seed) + ",if=virtio,format=raw,readonly=on",
                "-netdev", net, "-device", "virtio-net-pci,netdev=n0,mac=" + macAddress(instance.id()),
                "-serial", "file:" + dir.resolve("console.log")));
        ToolProcess.Result started = ToolProcess.run(command, dir, java.util.Map.of(), TOOL_TIMEOUT, line -> { });
        if (!started.ok()) {
            throw new IOException("QEMU did not start " + instance.id() + ": " + started.text());
        }
    }

    @Override
    public Probe probe(Instance instance, DeploymentSpec.Health health) {
        if (pid(instance).isEmpty()) {
            return Probe.gone("its QEMU is not running; console ends with: " + consoleTail(instance));
        }
        if (health.marker() != null) {
            return Pattern.compile(health.marker()).matcher(console(instance)).find() ? Probe.healthy()
                    : Probe.starting("no '" + health.marker() + "' on its serial console yet");
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", instance.forwardedPort()), 2000);
            socket.setSoTimeout(3000);
            // User-mode networking accepts the connection on the host side whether or not the guest listens: only a
            // byte from the guest (a banner) says its port is up.
            try (InputStream in = socket.getInputStream()) {
                return in.read() >= 0 ? Probe.healthy() : Probe.starting("guest port " + health.port() + " closed the connection");
            }
        } catch (IOException e) {
            return Probe.starting("guest port " + health.port() + " does not answer yet");
        }
    }

    @Override
    public void retire(Instance instance, Duration grace) throws IOException, InterruptedException {
        powerOff(instance, grace);
        Trees.delete(instance.directory());
    }

    /** Powers the instance off (ACPI, then killed after {@code grace}) and keeps its files. */
    void powerOff(Instance instance, Duration grace) throws InterruptedException {
        Optional<ProcessHandle> qemu = pid(instance);
        if (qemu.isPresent()) {
            powerDown(instance);
            long deadline = System.nanoTime() + grace.toNanos();
            while (qemu.get().isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            if (qemu.get().isAlive()) {
                qemu.get().destroyForcibly();
                qemu.get().onExit().completeOnTimeout(null, 10, java.util.concurrent.TimeUnit.SECONDS).join();
            }
        }
    }

    /** The instance's QEMU, when it runs (checked against its command line, so a reused pid is not taken for it). */
    static Optional<ProcessHandle> pid(Instance instance) {
        try {
            Path file = instance.directory().resolve("qemu.pid");
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(file).strip());
            Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
            if (!Files.exists(cmdline) || !new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).contains("kiln-" + instance.id() + "\0")) {
                return Optional.empty();
            }
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Asks the guest to power off (ACPI), as a hypervisor's shutdown button does; a guest that ignores it is killed. */
    private static void powerDown(Instance instance) {
        Path socket = instance.directory().resolve("qmp.sock");
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            for (String command : List.of("{\"execute\":\"qmp_capabilities\"}\n", "{\"execute\":\"system_powerdown\"}\n")) {
                channel.write(ByteBuffer.wrap(command.getBytes(StandardCharsets.UTF_8)));
            }
            channel.read(ByteBuffer.allocate(4096));
            Thread.sleep(200);
        } catch (IOException | InterruptedException e) {
            // it is killed after the grace period instead
        }
    }

    static String console(Instance instance) {
        try {
            Path log = instance.directory().resolve("console.log");
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static String consoleTail(Instance instance) {
        String clean = console(instance).replaceAll("[\\p{Cntrl}&&[^\n]]", "").strip();
        return clean.isEmpty() ? "(nothing)" : clean.substring(Math.max(0, clean.length() - 300));
    }

    /** A locally administered address (QEMU's 52:54:00 prefix) from the instance id: each clone its own. */
    static String macAddress(String instanceId) {
        String digest = dev.kiln.events.Sha256.of(instanceId.getBytes(StandardCharsets.UTF_8));
        return "52:54:00:" + digest.substring(0, 2) + ":" + digest.substring(2, 4) + ":" + digest.substring(4, 6);
    }
}
