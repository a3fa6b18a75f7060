package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        for (String id : build.kilnFile().formats()) {
            DiskFormat format = DiskFormat.of(id);
            try {
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
                String sha256 = Sha256.of(file);
                build.formats().put(id, new BuildContext.FormatFile(id, file, sha256, Files.size(file), virtualSize));
                build.log(id + ": " + file.getFileName() + ", " + Files.size(file) + " bytes, sha256 " + sha256 + ", same disk as raw");
            } catch (BuildFailure | java.io.IOException e) {
                build.formatFailures().put(id, e.getMessage());
                build.log(id + " FAILED: " + e.getMessage());
            }
        }
        if (build.formats().isEmpty()) {
            throw new BuildFailure("no format could be made from the sealed disk: " + build.formatFailures());
        }
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
            result.output().forEach(build::log);
        }
        return String.join("\n", result.output());
    }
}
