package dev.kiln.verifier;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A disk file decoded to the raw disk it carries (for a raw file, the file itself). The disk file comes from
 * {@link #diskOf}: the artifact, or for an OVA the VMDK inside it; QEMU boots that file, in its own format. The format
 * always comes from the event, never from probing the file.
 *
 * @param raw the decoded raw disk
 */
record DecodedImage(Path raw) {
    private static final Duration TIMEOUT = Duration.ofMinutes(15);
    /** How far below the other tools a decoding runs: 7 below the boot test ({@link BootTest#BOOT_NICENESS}). */
    static final int DECODE_NICENESS = 10;
    private static final Pattern MANIFEST_LINE = Pattern.compile("SHA256\\(([^)]+)\\)\\s*=\\s*([0-9a-fA-F]{64})");

    /**
     * The disk file an artifact carries, with its sha256: the artifact itself, or for an OVA the VMDK inside it (after
     * its manifest digests are checked). Two artifacts with the same disk file carry the same disk, byte for byte.
     */
    record DiskFile(Path file, DiskFormat format, String sha256) {
    }

    /** @param artifactSha256 the artifact's digest, already taken: a disk that is the artifact takes it */
    static DiskFile diskOf(Path artifact, String format, String artifactSha256, Path workspace, ImageLimits limits)
            throws Rejection, IOException {
        DiskFormat known = DiskFormat.find(format).orElseThrow(() -> new Rejection("decode", "", "unknown format '" + format
                + "'; kiln verifies " + String.join(", ", DiskFormat.ids())));
        if (known.container() == known) {
            return new DiskFile(artifact, known, artifactSha256);
        }
        Map<String, String> digests = new HashMap<>();
        Path disk = unpackOva(artifact, workspace, limits, digests);
        return new DiskFile(disk, known.container(), digests.get(disk.getFileName().toString()));
    }

    static DecodedImage decode(DiskFile disk, Path workspace, ImageLimits limits) throws Rejection, IOException, InterruptedException {
        String qemuFormat = disk.format().qemuFormat();
        String format = disk.format().id();
        // Before qemu-img opens it: what an image names outside itself is never opened.
        SelfContainedImage.require(disk.file(), qemuFormat);
        if (disk.format().checkable()) {
            ToolProcess.Result check = ToolProcess.run(List.of("qemu-img", "check", "-f", qemuFormat, disk.file().toString()), TIMEOUT);
            // 0: clean; 3: only leaked clusters, which waste space but lose nothing.
            if (check.exitCode() != 0 && check.exitCode() != 3) {
                throw new Rejection("decode", "", "the " + format + " file is corrupt (qemu-img check): " + check.text().strip());
            }
        }
        ToolProcess.Result info = ToolProcess.run(List.of("qemu-img", "info", "--output=json", "-f", qemuFormat, disk.file().toString()), TIMEOUT);
        if (!info.ok()) {
            throw new Rejection("decode", "", "the file is not a readable " + format + " image: " + info.text().strip());
        }
        long virtualSize = new ObjectMapper().readTree(info.text()).path("virtual-size").asLong();
        java.util.Optional<String> oversize = limits.oversize("the disk the image declares", virtualSize);
        if (oversize.isPresent()) {
            throw new Rejection("decode", "", oversize.get());
        }
        Path raw = disk.file();
        if (disk.format() != DiskFormat.RAW) {
            raw = workspace.resolve("decoded.raw");
            // Behind the boot (BootTest.BOOT_NICENESS) and the builder's conversions: a format decoded while another
            // boots must not slow the boot every format of the disk waits for.
            ToolProcess.Result convert = ToolProcess.run(ToolProcess.behindOtherTools(DECODE_NICENESS, List.of("qemu-img", "convert",
                    "-f", qemuFormat, "-O", "raw", disk.file().toString(), raw.toString())), TIMEOUT);
            if (!convert.ok()) {
                throw new Rejection("decode", "", "the " + format + " file could not be decoded (it is truncated or corrupt): " + convert.text().strip());
            }
        }
        return new DecodedImage(raw);
    }

    /** The OVA's disk, after checking the tar holds a descriptor first and a manifest whose digests match. */
    static Path unpackOva(Path ova, Path workspace, ImageLimits limits) throws Rejection, IOException {
        return unpackOva(ova, workspace, limits, new HashMap<>());
    }

    /** @param digests filled with the sha256 of each file unpacked, by name */
    private static Path unpackOva(Path ova, Path workspace, ImageLimits limits, Map<String, String> digests) throws Rejection, IOException {
        Path dir = Files.createDirectories(workspace.resolve("ova"));
        String manifest = null;
        Path disk = null;
        boolean first = true;
        int entries = 0;
        try (InputStream in = Files.newInputStream(ova); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (++entries > limits.maxOvaEntries()) {
                    throw new Rejection("decode", name, "the OVA holds more than " + limits.maxOvaEntries()
                            + " files (kiln.verifier.max-ova-entries); kiln's hold a descriptor, a manifest and a disk");
                }
                java.util.Optional<String> oversize = limits.oversize("the OVA entry '" + name + "'", entry.getSize());
                if (oversize.isPresent()) {
                    throw new Rejection("decode", name, oversize.get());
                }
                if (name.contains("/") || name.startsWith(".")) {
                    throw new Rejection("decode", name, "the OVA holds a path ('" + name + "'), not a flat list of files");
                }
                if (!entry.isFile() || entry.isLink() || entry.isSymbolicLink()) {
                    throw new Rejection("decode", name, "the OVA entry '" + name + "' is not a regular file (a link, device or "
                            + "directory): an OVA holds only its descriptor, manifest and disks");
                }
                if (first && !name.endsWith(".ovf")) {
                    throw new Rejection("decode", name, "an OVA must start with its .ovf descriptor, but starts with " + name);
                }
                first = false;
                if (name.endsWith(".mf")) {
                    manifest = new String(tar.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                    continue;
                }
                Path file = dir.resolve(name);
                try (OutputStream out = Files.newOutputStream(file)) {
                    digests.put(name, Sha256.copy(tar, out));
                }
                if (name.endsWith(".vmdk")) {
                    disk = file;
                }
            }
        } catch (IOException e) {
            throw new Rejection("decode", "", "the OVA is not a readable tar archive: " + e.getMessage());
        }
        if (disk == null || manifest == null) {
            throw new Rejection("decode", "", "the OVA lacks " + (disk == null ? "a .vmdk disk" : "a .mf manifest"));
        }
        Matcher m = MANIFEST_LINE.matcher(manifest);
        int listed = 0;
        while (m.find()) {
            listed++;
            String actual = digests.get(m.group(1));
            if (actual == null || !actual.equalsIgnoreCase(m.group(2))) {
                throw new Rejection("decode", m.group(1), "the OVA manifest's SHA256 of " + m.group(1) + " does not match the file");
            }
        }
        if (listed < digests.size()) {
            throw new Rejection("decode", "", "the OVA manifest does not list every file with a SHA256 digest");
        }
        return disk;
    }
}
