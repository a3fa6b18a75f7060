package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.SparseSha256;
import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.List;

/**
 * convert: every format in kiln.yaml from the one sealed raw disk. Each file passes {@code qemu-img check} (where the
 * format has one) and declares the raw disk's size; the raw format's copy is compared with the disk. Every ImageBuilt
 * carries the raw disk's sha256, and the verifier decodes each format and refuses one whose decoded disk has another
 * digest: that is the proof every published format carries the same disk, so the step does not also
 * {@code qemu-img compare} each file with the raw disk (on two cores that re-reading cost the VMDK, the slowest file,
 * about 5 s more after its compression). A format that fails is reported alone; the others go on. The OVA packs the
 * VMDK format's file itself (its container), so the slow compression runs once and the OVA's disk is the checked VMDK,
 * byte for byte.
 */
final class ConvertStep implements BuildStep {
    private static final long MIB = 1 << 20;
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A file qemu-img wrote, checked and of the raw disk's size. */
    private record Container(Path file, String sha256, long size, long virtualSize) {
    }

    @Override
    public void run(BuildContext build) throws Exception {
        Path raw = build.rawDisk();
        long rawSize = Files.size(raw);
        Path dir = Files.createDirectories(build.workspace().resolve("formats"));
        String name = build.release().image() + "-" + build.release().version();
        ContainerHeaders headers = new ContainerHeaders(new ReleaseIds(build.release()), build.tagged().sourceDateEpoch());
        List<DiskFormat> formats = build.kilnFile().formats().stream().map(DiskFormat::of).toList();
        // The containers are independent files made from one read-only disk: they are made side by side (one per core),
        // the compressing ones first since they take longest (the rest are mostly I/O); formats are recorded in
        // kiln.yaml's order.
        List<DiskFormat> containers = formats.stream().map(DiskFormat::container).distinct()
                .sorted(java.util.Comparator.comparing(format -> !format.compressed())).toList();
        int workers = Math.max(1, Math.min(containers.size() + 1, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "kiln-convert");
            thread.setDaemon(true);
            return thread;
        });
        try {
            // The raw disk's digest first: the raw format's file is its copy and takes that digest rather than read 2 GiB again.
            CompletableFuture<String> rawSha256 = CompletableFuture.supplyAsync(unchecked(() -> SparseSha256.of(raw)), pool);
            Map<DiskFormat, CompletableFuture<Container>> made = new LinkedHashMap<>();
            for (DiskFormat container : containers) {
                made.put(container, CompletableFuture.supplyAsync(unchecked(() -> convert(build, container, raw, rawSize, dir, name, headers, rawSha256)), pool));
            }
            Map<DiskFormat, CompletableFuture<BuildContext.FormatFile>> files = new LinkedHashMap<>();
            for (DiskFormat format : formats) {
                CompletableFuture<Container> container = made.get(format.container());
                files.put(format, format == format.container()
                        ? container.thenApply(file -> new BuildContext.FormatFile(format.id(), file.file(), file.sha256(), file.size(), file.virtualSize()))
                        : container.thenApplyAsync(unchecked(file -> pack(build, format, file, dir, name)), pool));
            }
            build.rawSha256(resultOf(rawSha256));
            build.log("sealed raw disk: " + rawSize + " bytes, sha256 " + build.rawSha256());
            // Each format is handed on as soon as it is made (in a release build: stored and announced, so the
            // verifier boots the raw disk while the VMDK is still compressing), then all are kept in kiln.yaml's order.
            java.util.concurrent.BlockingQueue<DiskFormat> finished = new java.util.concurrent.LinkedBlockingQueue<>();
            files.forEach((format, file) -> file.whenComplete((done, failure) -> finished.add(format)));
            List<DiskFormat> waiting = new ArrayList<>();
            for (int remaining = files.size(); remaining > 0; remaining--) {
                waiting.add(finished.take());
                // A container's file is handed on (a file store moves it) only once every format that packs it has read it.
                for (java.util.Iterator<DiskFormat> ready = waiting.iterator(); ready.hasNext(); ) {
                    DiskFormat format = ready.next();
                    if (formats.stream().noneMatch(other -> other != format && other.container() == format && !files.get(other).isDone())) {
                        ready.remove();
                        handOn(build, format, files.get(format));
                    }
                }
            }
            Map<String, BuildContext.FormatFile> inArrival = new LinkedHashMap<>(build.formats());
            build.formats().clear();
            formats.stream().map(DiskFormat::id).filter(inArrival::containsKey).forEach(id -> build.formats().put(id, inArrival.get(id)));
            // A container no format is (the VMDK of an OVA when kiln.yaml lists no VMDK) is not kept.
            for (Map.Entry<DiskFormat, CompletableFuture<Container>> container : made.entrySet()) {
                if (!formats.contains(container.getKey()) && !container.getValue().isCompletedExceptionally()) {
                    Files.deleteIfExists(container.getValue().get().file());
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

    /** A format made is recorded (and handed on); one that failed is recorded as failed, alone. */
    private static void handOn(BuildContext build, DiskFormat format, Future<BuildContext.FormatFile> made) throws Exception {
        String id = format.id();
        try {
            BuildContext.FormatFile file = made.get();
            build.log(id + ": " + file.file().getFileName() + ", " + file.size() + " bytes, sha256 " + file.sha256());
            build.formatMade(file);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof BuildFailure) && !(e.getCause() instanceof java.io.IOException)) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            build.formatFailures().put(id, e.getCause().getMessage());
            build.log(id + " FAILED: " + e.getCause().getMessage());
        }
    }

    /** One container from the raw disk, checked; one that fails fails its formats alone. */
    private static Container convert(BuildContext build, DiskFormat format, Path raw, long rawSize, Path dir, String name,
                                     ContainerHeaders headers, Future<String> rawSha256) throws Exception {
        String id = format.id();
        Path file = dir.resolve(name + "." + format.extension());
        if (format == DiskFormat.VHD && rawSize % MIB != 0) {
            throw new BuildFailure("the disk is " + rawSize + " bytes, not a whole number of MiB, which Azure requires of a VHD; size the disk in MiB");
        }
        qemuImg(build, List.of("convert", "-f", "raw", "-O", format.qemuFormat()), format.createOptions(), raw, file);
        headers.pin(format.qemuFormat(), file);
        if (format.checkable()) {
            qemuImg(build, List.of("check", "-f", format.qemuFormat()), List.of(), file, null);
        }
        long virtualSize = JSON.readTree(qemuImg(build, List.of("info", "--output=json", "-f", format.qemuFormat()), List.of(), file, null))
                .path("virtual-size").asLong();
        if (virtualSize != rawSize) {
            throw new BuildFailure(id + " has virtual size " + virtualSize + " instead of the raw disk's " + rawSize);
        }
        String sha256;
        if (format == DiskFormat.RAW) {
            // The raw copy shown equal to the disk (reading two files without decoding: cheaper than digesting it) holds
            // its very bytes: its digest is the disk's.
            qemuImg(build, List.of("compare", "-f", "raw", "-F", "raw"), List.of(), raw, file);
            sha256 = resultOf(rawSha256);
        } else {
            sha256 = SparseSha256.of(file);
        }
        return new Container(file, sha256, Files.size(file), virtualSize);
    }

    private static <T> T resultOf(Future<T> work) throws Exception {
        try {
            return work.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** A format that packs its container's file (the OVA: descriptor, manifest, the VMDK). */
    private static BuildContext.FormatFile pack(BuildContext build, DiskFormat format, Container disk, Path dir, String name) throws Exception {
        Path file = dir.resolve(name + "." + format.extension());
        OvaPackage.write(file, disk.file(), disk.sha256(), name, disk.virtualSize(), build.tagged().sourceDateEpoch(), build.kilnFile().description());
        return new BuildContext.FormatFile(format.id(), file, Sha256.of(file), Files.size(file), disk.virtualSize());
    }

    /** A step of a conversion as a CompletableFuture takes it: a checked failure travels as its cause. */
    private interface Work<T, R> {
        R apply(T input) throws Exception;
    }

    private static <T, R> java.util.function.Function<T, R> unchecked(Work<T, R> work) {
        return input -> {
            try {
                return work.apply(input);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        };
    }

    private static <R> java.util.function.Supplier<R> unchecked(java.util.concurrent.Callable<R> work) {
        return () -> {
            try {
                return work.call();
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        };
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
