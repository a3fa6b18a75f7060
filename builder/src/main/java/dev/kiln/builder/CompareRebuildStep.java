package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Artifact;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * compare-rebuild: the last stage of a rebuild. Every format made from scratch is compared with the digest the
 * registry recorded; where one differs, the recorded artifacts are fetched from the store and the difference report
 * says which files inside the disk, or which header fields of the container, differ. The report is stored.
 */
final class CompareRebuildStep implements BuildStep {
    private final ArtifactStore store;

    CompareRebuildStep(ArtifactStore store) {
        this.store = store;
    }


    @Override
    public void run(BuildContext build) throws Exception {
        RebuildRequested request = build.rebuild();
        boolean rawIdentical = true;
        for (Artifact recorded : request.recorded()) {
            BuildContext.FormatFile rebuilt = build.formats().get(recorded.format());
            build.rebuiltDigests().add(new ImageRebuilt.FormatDigests(recorded.format(), recorded.sha256(), rebuilt == null ? null : rebuilt.sha256()));
            rawIdentical &= recorded.rawSha256().equals(build.rawSha256());
        }
        if (build.rebuiltDigests().stream().allMatch(ImageRebuilt.FormatDigests::identical)) {
            build.log("rebuild: bit-identical in every format (" + build.rebuiltDigests().size() + ")");
            return;
        }
        Path scratch = Files.createDirectories(build.workspace().resolve("recorded"));
        List<String> lines = new ArrayList<>();
        for (ImageRebuilt.FormatDigests digests : build.rebuiltDigests()) {
            if (digests.rebuiltSha256() == null) {
                lines.add(digests.format() + ": not made by the rebuild: " + build.formatFailures().getOrDefault(digests.format(), "see the build log"));
            }
        }
        if (!rawIdentical) {
            lines.add("the disk differs (decoded raw sha256 " + request.recorded().get(0).rawSha256().substring(0, 12) + "… → "
                    + build.rawSha256().substring(0, 12) + "…), so every format differs; what differs in the disk:");
            lines.addAll(DifferenceReport.disks(recordedRaw(request, scratch, build), build.rawDisk(), build.workspace()));
        } else {
            for (ImageRebuilt.FormatDigests digests : build.rebuiltDigests()) {
                if (!digests.identical() && digests.rebuiltSha256() != null) {
                    Artifact recorded = recorded(request, digests.format());
                    lines.addAll(DifferenceReport.container(DiskFormat.of(digests.format()), store.local(recorded.location(), scratch),
                            build.formats().get(digests.format()).file()));
                }
            }
        }
        build.differences().addAll(lines);
        Path report = build.workspace().resolve("rebuild-report.txt");
        Files.writeString(report, report(build, lines));
        build.differenceReport(store.put(build.release().image() + "/" + build.release().version() + "/rebuild-" + request.rebuildId() + ".txt",
                report, dev.kiln.events.Sha256.of(report)));
        lines.forEach(line -> build.log("rebuild differs: " + line));
    }

    /** The recorded disk as raw: the raw artifact where one was recorded, else another format decoded. */
    private Path recordedRaw(RebuildRequested request, Path scratch, BuildContext build) throws Exception {
        Artifact raw = request.recorded().stream().filter(a -> a.format().equals("raw")).findFirst().orElse(null);
        if (raw != null) {
            return store.local(raw.location(), scratch);
        }
        Artifact other = request.recorded().stream().filter(a -> !a.format().equals("ova")).findFirst()
                .orElseThrow(() -> new BuildFailure("only an OVA was recorded; kiln compares disks from raw, qcow2, vhd, vhdx or vmdk"));
        Path decoded = scratch.resolve("recorded.raw");
        ToolProcess.check(List.of("qemu-img", "convert", "-f", DiskFormat.of(other.format()).qemuFormat(), "-O", "raw",
                store.local(other.location(), scratch).toString(), decoded.toString()), scratch, Duration.ofMinutes(20), build::log);
        return decoded;
    }

    private static Artifact recorded(RebuildRequested request, String format) {
        return request.recorded().stream().filter(a -> a.format().equals(format)).findFirst().orElseThrow();
    }

    private static String report(BuildContext build, List<String> lines) {
        StringBuilder text = new StringBuilder();
        text.append("kiln rebuild ").append(build.rebuild().rebuildId()).append(": ").append(build.release().image()).append(' ')
                .append(build.release().version()).append(" (tag ").append(build.release().tag()).append(", commit ")
                .append(build.release().commit()).append(", SOURCE_DATE_EPOCH ").append(build.tagged().sourceDateEpoch()).append(")\n");
        text.append("verdict: differs\n\nformat  recorded sha256                                                   rebuilt sha256\n");
        for (ImageRebuilt.FormatDigests d : build.rebuiltDigests()) {
            text.append(String.format("%-7s %s %s %s%n", d.format(), d.recordedSha256(), d.rebuiltSha256() == null ? "(not made)" : d.rebuiltSha256(),
                    d.identical() ? "same" : "DIFFERS"));
        }
        text.append("\nwhat differs (path: property recorded → rebuilt):\n");
        lines.forEach(line -> text.append(line).append('\n'));
        text.append("\nTimes are clamped to SOURCE_DATE_EPOCH by kiln, so a differing file is one whose content, mode, owner or\n")
                .append("attributes the build wrote differently: a date, a random value, a download that moved. Make that task\n")
                .append("deterministic (docs/reproducible-builds.md).\n");
        return text.toString();
    }
}
