package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What differs between two file trees (two mounted root file systems of the same release), per path: present in one
 * only, type, content, size, mode, owner, mtime, symlink target, extended attributes. One line per path, naming each
 * property that differs, so a person can find the task that wrote it.
 */
final class FileTreeDifference {
    /** What is compared of one path. Content is hashed only when two regular files of the same size meet. */
    record Entry(String type, long size, int mode, int uid, int gid, long mtime, String link) {
    }

    private FileTreeDifference() {
    }

    static List<String> between(Path recorded, Path rebuilt, Path work) throws IOException, InterruptedException {
        Map<String, Entry> before = entries(recorded);
        Map<String, Entry> after = entries(rebuilt);
        Map<String, Map<String, String>> xattrsBefore = xattrs(recorded, work);
        Map<String, Map<String, String>> xattrsAfter = xattrs(rebuilt, work);
        TreeSet<String> paths = new TreeSet<>(before.keySet());
        paths.addAll(after.keySet());
        List<String> lines = new ArrayList<>();
        for (String path : paths) {
            Entry a = before.get(path);
            Entry b = after.get(path);
            if (a == null) {
                lines.add(path + ": only in the rebuild (" + b.type() + ")");
                continue;
            }
            if (b == null) {
                lines.add(path + ": only in the recorded image (" + a.type() + ")");
                continue;
            }
            List<String> what = new ArrayList<>();
            if (!a.type().equals(b.type())) {
                what.add("type " + a.type() + " → " + b.type());
            } else if (a.type().equals("file") && a.size() == b.size()) {
                String ha = Sha256.of(recorded.resolve(path.substring(1)));
                String hb = Sha256.of(rebuilt.resolve(path.substring(1)));
                if (!ha.equals(hb)) {
                    what.add("content (sha256 " + ha.substring(0, 12) + "… → " + hb.substring(0, 12) + "…)");
                }
            }
            if (a.type().equals("file") && a.size() != b.size()) {
                what.add("content and size " + a.size() + " → " + b.size());
            }
            if (a.mode() != b.mode()) {
                what.add(String.format("mode %04o → %04o", a.mode() & 07777, b.mode() & 07777));
            }
            if (a.uid() != b.uid() || a.gid() != b.gid()) {
                what.add("owner " + a.uid() + ":" + a.gid() + " → " + b.uid() + ":" + b.gid());
            }
            if (a.mtime() != b.mtime()) {
                what.add("mtime " + a.mtime() + " → " + b.mtime());
            }
            if (!Objects.equals(a.link(), b.link())) {
                what.add("symlink target " + a.link() + " → " + b.link());
            }
            Map<String, String> xa = xattrsBefore.getOrDefault(path, Map.of());
            Map<String, String> xb = xattrsAfter.getOrDefault(path, Map.of());
            if (!xa.equals(xb)) {
                TreeSet<String> names = new TreeSet<>(xa.keySet());
                names.addAll(xb.keySet());
                names.removeIf(n -> Objects.equals(xa.get(n), xb.get(n)));
                what.add("xattr " + String.join(", ", names));
            }
            if (!what.isEmpty()) {
                lines.add(path + ": " + String.join("; ", what));
            }
        }
        return lines;
    }

    private static Map<String, Entry> entries(Path root) throws IOException {
        Map<String, Entry> entries = new TreeMap<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(dir, attrs);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file, attrs);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path path, BasicFileAttributes attrs) throws IOException {
                Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) unix.get("mode");
                String type = attrs.isSymbolicLink() ? "symlink" : attrs.isDirectory() ? "directory" : attrs.isRegularFile() ? "file"
                        : switch (mode & 0170000) {
                            case 0020000 -> "character device";
                            case 0060000 -> "block device";
                            case 0010000 -> "fifo";
                            case 0140000 -> "socket";
                            default -> "other";
                        };
                String link = attrs.isSymbolicLink() ? Files.readSymbolicLink(path).toString() : null;
                FileTime mtime = attrs.lastModifiedTime();
                String name = "/" + root.relativize(path);
                entries.put(name.equals("/") ? "/" : name, new Entry(type, attrs.isRegularFile() ? attrs.size() : 0, mode,
                        (Integer) unix.get("uid"), (Integer) unix.get("gid"), mtime.toMillis() / 1000, link));
            }
        });
        return entries;
    }

    /** Every extended attribute (security.*, trusted.*, user.*, ACLs), by path, read by getfattr without following links. */
    private static Map<String, Map<String, String>> xattrs(Path root, Path work) throws IOException, InterruptedException {
        ToolProcess.Result result = ToolProcess.run(List.of("getfattr", "--recursive", "--physical", "--no-dereference", "--dump",
                "--match=-", "--encoding=hex", "--absolute-names", root.toString()), work, Map.of(), Duration.ofMinutes(10), line -> { });
        Map<String, Map<String, String>> all = new TreeMap<>();
        Map<String, String> current = null;
        String prefix = "# file: " + root;
        for (String line : result.output()) {
            if (line.startsWith(prefix)) {
                String name = line.substring(prefix.length());
                current = new TreeMap<>();
                all.put(name.isEmpty() ? "/" : name, current);
            } else if (current != null && line.contains("=") && !line.startsWith("#")) {
                current.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return all;
    }
}
