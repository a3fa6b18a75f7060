package dev.kiln.verifier;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import dev.kiln.stack.UpstreamImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Disk images for verifier tests, made with the same tools an image maintainer has (sfdisk, mkfs.ext4 -d, qemu-img):
 * small sealed file systems that differ from a clean one by exactly one thing, and a bootable sealed image made
 * from the trusted upstream image by sealing its root file system offline.
 */
final class TestImages {
    static final String IMAGE = "debian-web";
    static final String VERSION = "1.2.3";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final java.util.Map<String, Path> BOOTABLE = new java.util.HashMap<>();

    private TestImages() {
    }

    /** The root tree of a well-sealed image: what every rule accepts. */
    static Path sealedTree(Path dir) throws IOException {
        write(dir, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n");
        write(dir, "etc/machine-id", "");
        write(dir, "etc/release", "IMAGE=" + IMAGE + "\nVERSION=" + VERSION + "\nCOMMIT=" + COMMIT + "\n");
        write(dir, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
        write(dir, "etc/shadow", "root:*:19000:0:99999:7:::\n");
        write(dir, "etc/ssh/sshd_config", "PermitRootLogin no\n");
        write(dir, "etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\n");
        write(dir, "var/log/syslog", "");
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(dir.resolve("home"));
        return dir;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A symbolic link in an image tree, its target as the image would read it. */
    static void link(Path root, String path, String target) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createSymbolicLink(file, Path.of(target));
    }

    /**
     * A 96 MiB MBR disk with two ext4 partitions: the root from {@code root}, and {@code second} labelled with
     * {@code uuid}, which the root's fstab may mount; a third partition holds {@code thirdType} bytes when not null.
     */
    static Path twoFileSystems(Path root, Path second, String uuid, Path raw, String thirdType) throws Exception {
        try (var file = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(96L << 20);
        }
        String table = "label: dos\nstart=2048, size=63488, type=83\nstart=65536, size=65536, type=83\n"
                + (thirdType == null ? "" : "start=131072, type=" + thirdType + "\n");
        run(List.of("sh", "-c", "printf '" + table + "' | sfdisk -q \"$0\"", raw.toString()));
        run(List.of("mkfs.ext4", "-q", "-F", "-E", "offset=1048576", "-d", root.toString(), raw.toString(), "31M"));
        run(List.of("mkfs.ext4", "-q", "-F", "-U", uuid, "-E", "offset=" + (65536L * 512), "-d", second.toString(), raw.toString(), "32M"));
        return raw;
    }

    static void write(Path root, String path, String content) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** A 64 MiB MBR disk whose one partition holds {@code tree} as ext4. */
    static Path disk(Path tree, Path raw) throws Exception {
        try (var file = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            file.setLength(64L << 20);
        }
        run(List.of("sh", "-c", "printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q \"$0\"", raw.toString()));
        run(List.of("mkfs.ext4", "-q", "-F", "-E", "offset=1048576", "-d", tree.toString(), raw.toString(), "63M"));
        return raw;
    }

    /** {@code raw} in another format, as the builder writes it. */
    static Path convert(Path raw, String qemuFormat, List<String> options, Path out) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", qemuFormat));
        command.addAll(options);
        command.addAll(List.of(raw.toString(), out.toString()));
        run(command);
        return out;
    }

    /**
     * The upstream image with its root file system sealed offline (as kiln's seal role leaves it) and stamped: boots
     * from its own disk, stamped with {@code commit}. Made once per commit and test JVM.
     */
    static synchronized Path bootableSealed(String commit) throws Exception {
        return bootableSealed(commit, java.util.Map.of());
    }

    /** The same, with extra files (path in the image → content) written into the root file system after sealing. */
    static synchronized Path bootableSealed(String commit, java.util.Map<String, String> extra) throws Exception {
        String key = commit + extra.hashCode();
        if (BOOTABLE.containsKey(key)) {
            return BOOTABLE.get(key);
        }
        Path dir = Files.createTempDirectory("kiln-sealed-image");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> dev.kiln.stack.TempDirs.delete(dir), "sealed-image-clean"));
        Path raw = dir.resolve("sealed.raw");
        run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "raw", UpstreamImage.buildOrReuse().image().toString(), raw.toString()));
        String table = ToolProcess.run(List.of("sfdisk", "--json", raw.toString()), Duration.ofMinutes(1)).text();
        Matcher starts = Pattern.compile("\"start\":\\s*(\\d+),\\s*\"size\":\\s*(\\d+)").matcher(table);
        long start = 0;
        long size = 0;
        while (starts.find()) {
            start = Long.parseLong(starts.group(1));
            size = Long.parseLong(starts.group(2));
        }
        String device = raw + "?offset=" + start * 512;
        Path tree = Files.createDirectories(dir.resolve("root"));
        run(List.of("debugfs", "-R", "rdump / " + tree, device));
        Path root = tree.resolve(Files.list(tree).filter(Files::isDirectory).findFirst().map(p -> p.getFileName().toString()).orElse(""));
        if (!Files.exists(root.resolve("etc/os-release"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            root = tree;
        }
        String uuid = Files.readString(root.resolve("etc/fstab")).replaceAll("(?s).*UUID=([0-9a-f-]+).*", "$1");
        seal(root, commit);
        for (java.util.Map.Entry<String, String> file : extra.entrySet()) {
            if (file.getValue().startsWith("->")) {
                link(root, file.getKey(), file.getValue().substring(2));
            } else {
                write(root, file.getKey(), file.getValue());
            }
        }
        run(List.of("mkfs.ext4", "-q", "-F", "-L", "kiln-root", "-U", uuid, "-E", "offset=" + start * 512, "-d", root.toString(),
                raw.toString(), (size / 2) + "k"));
        dev.kiln.stack.TempDirs.delete(tree);
        BOOTABLE.put(key, raw);
        return raw;
    }

    /** What kiln's seal role does, on a root tree. */
    private static void seal(Path root, String commit) throws IOException {
        try (Stream<Path> keys = Files.list(root.resolve("etc/ssh"))) {
            for (Path key : keys.filter(p -> p.getFileName().toString().startsWith("ssh_host_")).toList()) {
                Files.delete(key);
            }
        }
        Files.writeString(root.resolve("etc/machine-id"), "");
        Files.deleteIfExists(root.resolve("var/lib/dbus/machine-id"));
        for (String db : List.of("etc/passwd", "etc/shadow", "etc/group", "etc/gshadow", "etc/passwd-", "etc/shadow-", "etc/group-", "etc/gshadow-")) {
            Path file = root.resolve(db);
            if (Files.exists(file)) {
                Files.write(file, Files.readAllLines(file).stream().filter(l -> !l.startsWith("kiln-build:")).toList());
            }
        }
        Files.deleteIfExists(root.resolve("etc/sudoers.d/kiln-build"));
        dev.kiln.stack.TempDirs.delete(root.resolve("home/kiln-build"));
        Files.deleteIfExists(root.resolve("var/lib/systemd/random-seed"));
        try (Stream<Path> logs = Files.walk(root.resolve("var/log"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                Files.write(log, new byte[0]);
            }
        }
        write(root, "etc/release", "IMAGE=" + IMAGE + "\nVERSION=" + VERSION + "\nCOMMIT=" + commit + "\n");
    }

    /** An OVA as VMware exports it: descriptor, manifest, streamOptimized disk. */
    static Path ova(Path raw, Path out) throws Exception {
        Path vmdk = convert(raw, "vmdk", List.of("-o", "subformat=streamOptimized"), out.resolveSibling("disk1.vmdk"));
        byte[] ovf = "<?xml version=\"1.0\"?><Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>\n".getBytes();
        String manifest = "SHA256(image.ovf)= " + Sha256.copy(new java.io.ByteArrayInputStream(ovf), java.io.OutputStream.nullOutputStream())
                + "\nSHA256(disk1.vmdk)= " + Sha256.of(vmdk) + "\n";
        try (var file = Files.newOutputStream(out);
             var tar = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(file)) {
            tar.setBigNumberMode(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (var entry : List.of(java.util.Map.entry("image.ovf", ovf), java.util.Map.entry("image.mf", manifest.getBytes()))) {
                var header = new org.apache.commons.compress.archivers.tar.TarArchiveEntry(entry.getKey());
                header.setSize(entry.getValue().length);
                tar.putArchiveEntry(header);
                tar.write(entry.getValue());
                tar.closeArchiveEntry();
            }
            var disk = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("disk1.vmdk");
            disk.setSize(Files.size(vmdk));
            tar.putArchiveEntry(disk);
            Files.copy(vmdk, tar);
            tar.closeArchiveEntry();
        }
        Files.delete(vmdk);
        return out;
    }

    private static void run(List<String> command) throws Exception {
        ToolProcess.Result result = ToolProcess.run(command, Duration.ofMinutes(10));
        if (!result.ok()) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + result.text());
        }
    }
}
