package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * convert: every format in kiln.yaml from the one sealed raw disk. Each file passes {@code qemu-img check} (where the
 * format has one) and {@code qemu-img compare} against the raw disk, so every format provably carries the same
 * disk, whose sha256 every ImageBuilt carries. A format that fails is reported alone; the others go on.
 */
final class ConvertStep implements BuildStep {
    private static final long MIB = 1 << 20;
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();


    @Override
    public void run(BuildContext build) throws Exception {
        Path raw = build.rawDisk();
        long rawSize = Files.size(raw);
        build.rawSha256(Sha256.of(raw));
        build.log("sealed raw disk: " + rawSize + " bytes, sha256 " + build.rawSha256());
        Path dir = Files.createDirectories(build.workspace().resolve("formats"));
        String name = build.release().image() + "-" + build.release().version();
        ContainerHeaders headers = new ContainerHeaders(new ReleaseIds(build.release()), build.tagged().sourceDateEpoch());
        List<String> formats = build.kilnFile().formats();
        // The formats are independent files made from one read-only disk: they are made side by side (one per core;
        // compressing VMDK/OVA is CPU-bound, the rest mostly I/O), and recorded in kiln.yaml's order.
        int workers = Math.max(1, Math.min(formats.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "kiln-convert");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Map<String, Future<BuildContext.FormatFile>> made = new LinkedHashMap<>();
            for (String id : formats) {
                made.put(id, pool.submit(() -> convert(build, DiskFormat.of(id), raw, rawSize, dir, name, headers)));
            }
            for (Map.Entry<String, Future<BuildContext.FormatFile>> format : made.entrySet()) {
                String id = format.getKey();
                try {
                    BuildContext.FormatFile file = format.getValue().get();
                    build.formats().put(id, file);
                    build.log(id + ": " + file.file().getFileName() + ", " + file.size() + " bytes, sha256 " + file.sha256() + ", same disk as raw");
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof BuildFailure) && !(e.getCause() instanceof java.io.IOException)) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                    build.formatFailures().put(id, e.getCause().getMessage());
                    build.log(id + " FAILED: " + e.getCause().getMessage());
                }
            }
        } finally {
            // A build stopped (deadline, shutdown) stops the conversions with it: their qemu-img die with the thread's wait.
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        if (build.formats().isEmpty()) {
            throw new BuildFailure("no format could be made from the sealed disk: " + build.formatFailures());
        }
    }

    /** One format from the raw disk, checked to carry the same disk; a format that fails fails alone. */
    private static BuildContext.FormatFile convert(BuildContext build, DiskFormat format, Path raw, long rawSize, Path dir, String name,
                                                   ContainerHeaders headers) throws Exception {
        String id = format.id();
        Path file = dir.resolve(name + "." + format.extension());
        if (format == DiskFormat.VHD && rawSize % MIB != 0) {
            throw new BuildFailure("the disk is " + rawSize + " bytes, not a whole number of MiB, which Azure requires of a VHD; size the disk in MiB");
        }
        // The OVA's disk is converted under the name it has inside the OVA: a VMDK descriptor names its own file.
        Path disk = format == DiskFormat.OVA
                ? Files.createDirectories(dir.resolve("ova")).resolve(OvaPackage.diskName(name)) : file;
        qemuImg(build, List.of("convert", "-f", "raw", "-O", format.qemuFormat()), format.createOptions(), raw, disk);
        headers.pin(format.qemuFormat(), disk);
        if (format.checkable()) {
            qemuImg(build, List.of("check", "-f", format.qemuFormat()), List.of(), disk, null);
        }
        qemuImg(build, List.of("compare", "-f", "raw", "-F", format.qemuFormat()), List.of(), raw, disk);
        long virtualSize = JSON.readTree(qemuImg(build, List.of("info", "--output=json", "-f", format.qemuFormat()), List.of(), disk, null))
                .path("virtual-size").asLong();
        if (virtualSize != rawSize) {
            throw new BuildFailure(id + " has virtual size " + virtualSize + " instead of the raw disk's " + rawSize);
        }
        if (format == DiskFormat.OVA) {
            OvaPackage.write(file, disk, name, virtualSize, build.tagged().sourceDateEpoch(), build.kilnFile().description());
            Files.delete(disk);
        }
        return new BuildContext.FormatFile(id, file, Sha256.of(file), Files.size(file), virtualSize);
    }

    private static String qemuImg(BuildContext build, List<String> operation, List<String> options, Path first, Path second) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("qemu-img");
        command.addAll(operation);
        command.addAll(options);
        command.add(first.toString());
        if (second != null) {
            command.add(second.toString());
        }
        List<String> quiet = new ArrayList<>();
        ToolProcess.Result result = ToolProcess.run(command, build.workspace(), java.util.Map.of(), TOOL_TIMEOUT, quiet::add);
        if (!result.ok()) {
            String what = operation.get(0).equals("compare") ? "differs from the sealed raw disk" : "failed";
            throw new BuildFailure("qemu-img " + operation.get(0) + " " + what + ": " + String.join(" ", result.output()));
        }
        if (!operation.get(0).equals("info")) {
            // Formats are made side by side: each line says which file it is about.
            String file = (second != null ? second : first).getFileName().toString();
            result.output().forEach(line -> build.log(file + ": " + line));
        }
        return String.join("\n", result.output());
    }
}
