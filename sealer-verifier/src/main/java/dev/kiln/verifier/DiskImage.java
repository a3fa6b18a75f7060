package dev.kiln.verifier;

import dev.kiln.disk.DiskLayout;
import dev.kiln.disk.FuseMount;
import dev.kiln.disk.ToolProcess;
import dev.kiln.events.Finding;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A raw disk opened for inspection without booting it: every partition probed (blkid), every ext2/3/4 file system
 * mounted read-only by fuse2fs (in user space: the image's bytes never reach this machine's kernel), the root found
 * (the one with /etc/os-release) and the others placed where the image's /etc/fstab mounts them. What the image
 * mounts but kiln cannot read (LVM, LUKS, XFS, btrfs, an unknown file system) is listed as uninspectable.
 */
final class DiskImage implements AutoCloseable {
    static final String RULE = "filesystem";
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
    private static final Set<String> EXT = Set.of("ext2", "ext3", "ext4");
    /** File systems that hold no state of the image (boot loaders, swap, memory) or are not on its disk. */
    private static final Set<String> NOT_INSPECTED = Set.of("vfat", "swap", "iso9660", "proc", "sysfs", "tmpfs", "devpts", "devtmpfs",
            "nfs", "nfs4", "cifs", "none", "auto", "efivarfs", "securityfs", "cgroup", "cgroup2", "debugfs", "fuse", "overlay");

    private final List<FuseMount> mounts;
    private final ImageTree tree;
    private final List<Finding> uninspectable;

    private DiskImage(List<FuseMount> mounts, ImageTree tree, List<Finding> uninspectable) {
        this.mounts = mounts;
        this.tree = tree;
        this.uninspectable = uninspectable;
    }

    ImageTree tree() {
        return tree;
    }

    /** What the image holds that kiln cannot read; rejects unless the operator allows it. */
    List<Finding> uninspectable() {
        return uninspectable;
    }

    /** A file system found on the disk: where, what blkid says it is. */
    private record Probed(DiskLayout.Partition partition, Map<String, String> blkid) {
        String type() {
            return blkid.getOrDefault("TYPE", "");
        }

        String describe() {
            return (partition.number() == 0 ? "the disk" : "partition " + partition.number())
                    + (type().isEmpty() ? " (no file system kiln recognises)" : " (" + type() + ")");
        }
    }

    static DiskImage open(Path raw, Path workspace) throws Rejection, IOException, InterruptedException {
        Files.createDirectories(workspace);
        DiskLayout layout = DiskLayout.of(raw, Files.size(raw), workspace);
        List<Probed> probed = new ArrayList<>();
        for (DiskLayout.Partition partition : layout.partitions()) {
            if (!layout.holdsNoFileSystem(partition)) {
                probed.add(new Probed(partition, blkid(raw, partition)));
            }
        }
        List<FuseMount> mounted = new ArrayList<>();
        Map<Probed, Path> ext = new LinkedHashMap<>();
        try {
            for (Probed p : probed) {
                if (EXT.contains(p.type())) {
                    Path point = Files.createDirectories(workspace.resolve("fs-" + p.partition().number()));
                    FuseMount mount = FuseMount.readOnly(raw, p.partition().offset(), point, workspace);
                    mounted.add(mount);
                    ext.put(p, mount.path());
                }
            }
            Probed root = ext.keySet().stream()
                    .filter(p -> Files.exists(ext.get(p).resolve("etc/os-release"), LinkOption.NOFOLLOW_LINKS)).findFirst()
                    .orElseThrow(() -> new Rejection(RULE, "/", "no readable Linux root file system: no partition holds an ext2/3/4 "
                            + "file system with /etc/os-release (found: " + probed.stream().map(Probed::describe).toList() + ")"));
            Map<String, Path> points = new LinkedHashMap<>();
            points.put("/", ext.get(root));
            List<Finding> uninspectable = new ArrayList<>();
            List<Probed> placed = new ArrayList<>(List.of(root));
            for (FstabEntry entry : FstabEntry.read(new ImageTree(ext.get(root)))) {
                Probed target = probed.stream().filter(p -> entry.names(p.partition(), p.blkid())).findFirst().orElse(null);
                String fsType = target != null ? target.type() : entry.type();
                if (entry.mountPoint().equals("/") || NOT_INSPECTED.contains(fsType.toLowerCase(Locale.ROOT))) {
                    continue;
                }
                if (target == null) {
                    continue; // not on this disk (a network or cloud volume): not part of the image
                }
                placed.add(target);
                if (ext.containsKey(target)) {
                    points.put(entry.mountPoint(), ext.get(target));
                } else {
                    uninspectable.add(new Finding(RULE, entry.mountPoint(), "/etc/fstab mounts " + target.describe() + " at "
                            + entry.mountPoint() + ", which kiln cannot inspect (it reads ext2/3/4)"));
                }
            }
            for (Probed p : probed) {
                String type = p.type();
                boolean hidden = type.equals("LVM2_member") || type.equals("crypto_LUKS") || type.isEmpty()
                        || (!EXT.contains(type) && !NOT_INSPECTED.contains(type));
                if (hidden && !placed.contains(p)) {
                    uninspectable.add(new Finding(RULE, "/", p.describe() + " cannot be inspected by kiln (it reads ext2/3/4); "
                            + "what it holds would ship unchecked"));
                }
            }
            return new DiskImage(mounted, new ImageTree(points), uninspectable);
        } catch (Rejection | IOException | InterruptedException | RuntimeException e) {
            for (FuseMount mount : mounted) {
                mount.close();
            }
            throw e;
        }
    }

    private static Map<String, String> blkid(Path raw, DiskLayout.Partition partition) throws IOException, InterruptedException {
        ToolProcess.Result result = ToolProcess.run(List.of("blkid", "-p", "-o", "export", "-O", Long.toString(partition.offset()),
                "-S", Long.toString(partition.size()), raw.toString()), TOOL_TIMEOUT);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : result.output()) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (FuseMount mount : mounts) {
            mount.close();
        }
    }

    /** One line of /etc/fstab: what is mounted (UUID=, LABEL=, PARTUUID=, a device), where, as what. */
    record FstabEntry(String spec, String mountPoint, String type) {
        static List<FstabEntry> read(ImageTree root) throws IOException {
            List<FstabEntry> entries = new ArrayList<>();
            for (String line : root.read("/etc/fstab").orElse("").split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length >= 3 && !f[0].startsWith("#") && f[1].startsWith("/")) {
                    entries.add(new FstabEntry(f[0], f[1].replace("\\040", " "), f[2]));
                }
            }
            return entries;
        }

        boolean names(DiskLayout.Partition partition, Map<String, String> blkid) {
            String value = spec.contains("=") ? spec.substring(spec.indexOf('=') + 1).replace("\"", "") : spec;
            if (spec.startsWith("UUID=") || spec.startsWith("/dev/disk/by-uuid/")) {
                return value.replace("/dev/disk/by-uuid/", "").equalsIgnoreCase(blkid.getOrDefault("UUID", "-"));
            }
            if (spec.startsWith("LABEL=") || spec.startsWith("/dev/disk/by-label/")) {
                return value.replace("/dev/disk/by-label/", "").equals(blkid.getOrDefault("LABEL", "\0"));
            }
            if (spec.startsWith("PARTUUID=") || spec.startsWith("/dev/disk/by-partuuid/")) {
                return partition.partUuid() != null && value.replace("/dev/disk/by-partuuid/", "").equalsIgnoreCase(partition.partUuid());
            }
            // /dev/vda2, /dev/sda2, /dev/nvme0n1p2, /dev/xvda2: the partition's number.
            return spec.matches("/dev/[a-z0-9]+?(p)?\\d+") && spec.replaceAll(".*?(\\d+)$", "$1").equals(Integer.toString(partition.number()))
                    && partition.number() > 0;
        }
    }
}
