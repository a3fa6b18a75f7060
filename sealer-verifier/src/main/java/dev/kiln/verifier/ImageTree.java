package dev.kiln.verifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An image's file systems as the image itself sees them: each Linux file system mounted (read-only, in user space) at
 * its mount point from the image's fstab, and every path resolved the way the image's kernel would, inside the image.
 * A symbolic link is followed within the image root ({@code /etc/ssh -> /opt/ssh} reads the image's /opt/ssh), never
 * on this machine; a link that leads out of the image (into /proc, /run, /dev or /sys, which only exist when it runs,
 * or above its root) or around in a loop is a {@link Problem}, which the verifier turns into a finding of the rule
 * that read the path. A link to /dev/null is an empty file, as systemd's masks are.
 */
public final class ImageTree {
    private static final int MAX_LINKS = 40;
    private static final Set<String> RUNTIME_ROOTS = Set.of("proc", "sys", "dev", "run");

    /** A path that could not be resolved inside the image, and why. */
    public record Problem(String path, String message) {
    }

    /** Where a path ends: its canonical image path and its file here, or null when the path leaves the image. */
    record Resolved(String imagePath, Path local) {
    }

    /** Mount point in the image → local directory holding that file system; "/" is the root. Longest match wins. */
    private final TreeMap<String, Path> mounts = new TreeMap<>();
    private final Set<Problem> problems = new LinkedHashSet<>();

    public ImageTree(Path root) {
        this(Map.of("/", root));
    }

    public ImageTree(Map<String, Path> mounts) {
        if (!mounts.containsKey("/")) {
            throw new IllegalArgumentException("an image tree needs its root file system");
        }
        this.mounts.putAll(mounts);
    }

    /** The mount points this tree reads, "/" first. */
    public List<String> mountPoints() {
        return List.copyOf(mounts.keySet());
    }

    /** Problems met since the last call, which are then forgotten. */
    public List<Problem> drainProblems() {
        List<Problem> drained = List.copyOf(problems);
        problems.clear();
        return drained;
    }

    /** Resolves an image path inside the image: null (and a problem recorded) when it leaves the image or loops. */
    Resolved resolve(String imagePath) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(imagePath));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String part = todo.pollFirst();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (done.isEmpty()) {
                    problems.add(new Problem(imagePath, "a symbolic link on the way climbs above the image's root"));
                    return null;
                }
                done.remove(done.size() - 1);
                continue;
            }
            done.add(part);
            if (done.size() == 1 && RUNTIME_ROOTS.contains(part)) {
                if (part.equals("dev") && todo.size() == 1 && "null".equals(todo.peekFirst())) {
                    return new Resolved("/dev/null", null);
                }
                if (links > 0) {
                    problems.add(new Problem(imagePath, "a symbolic link on the way leads out of the image, to /" + part + "/"
                            + String.join("/", todo) + ", which exists only on a running machine"));
                    return null;
                }
            }
            Path local = local(done);
            if (Files.isSymbolicLink(local)) {
                if (++links > MAX_LINKS) {
                    problems.add(new Problem(imagePath, "symbolic links on the way loop (more than " + MAX_LINKS + " of them)"));
                    return null;
                }
                String target = Files.readSymbolicLink(local).toString();
                done.remove(done.size() - 1);
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> next = components(target);
                for (int i = next.size() - 1; i >= 0; i--) {
                    todo.addFirst(next.get(i));
                }
            }
        }
        return new Resolved("/" + String.join("/", done), local(done));
    }

    private Path local(List<String> parts) {
        String path = "/" + String.join("/", parts);
        for (Map.Entry<String, Path> mount : mounts.descendingMap().entrySet()) {
            String point = mount.getKey();
            if (point.equals("/") || path.equals(point) || path.startsWith(point + "/")) {
                String rest = point.equals("/") ? path.substring(1) : path.substring(Math.min(path.length(), point.length() + 1));
                return rest.isEmpty() ? mount.getValue() : mount.getValue().resolve(rest);
            }
        }
        throw new IllegalStateException("no mount for " + path);
    }

    private static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** Whether the path exists in the image (its links followed inside the image). */
    public boolean exists(String imagePath) throws IOException {
        Resolved r = resolve(imagePath);
        return r != null && r.local() != null && Files.exists(r.local(), LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether the path is a regular file in the image. A link to /dev/null is not. */
    public boolean isFile(String imagePath) throws IOException {
        Resolved r = resolve(imagePath);
        return r != null && r.local() != null && Files.isRegularFile(r.local(), LinkOption.NOFOLLOW_LINKS);
    }

    public boolean isDirectory(String imagePath) throws IOException {
        Resolved r = resolve(imagePath);
        return r != null && r.local() != null && Files.isDirectory(r.local(), LinkOption.NOFOLLOW_LINKS);
    }

    /** A regular file's text; empty when it is missing, not a regular file, or out of the image. */
    public Optional<String> read(String imagePath) throws IOException {
        Resolved r = resolve(imagePath);
        if (r == null || r.local() == null || !Files.isRegularFile(r.local(), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(new String(Files.readAllBytes(r.local()), StandardCharsets.UTF_8));
    }

    /** Bytes of a regular file; 0 when it is not one. */
    public long size(String imagePath) throws IOException {
        Resolved r = resolve(imagePath);
        return r == null || r.local() == null || !Files.isRegularFile(r.local(), LinkOption.NOFOLLOW_LINKS) ? 0 : Files.size(r.local());
    }

    /** Entries of a directory, as image paths under the directory's canonical path; none when it is missing. */
    public List<String> list(String imageDir) throws IOException {
        Resolved dir = resolve(imageDir);
        if (dir == null || dir.local() == null || !Files.isDirectory(dir.local(), LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        String prefix = dir.imagePath().equals("/") ? "/" : dir.imagePath() + "/";
        try (Stream<Path> entries = Files.list(dir.local())) {
            return entries.map(p -> prefix + p.getFileName()).sorted().toList();
        }
    }

    /** Regular files under a directory at any depth, as image paths; links inside it are not followed. */
    public List<String> filesUnder(String imageDir) throws IOException {
        Resolved dir = resolve(imageDir);
        if (dir == null || dir.local() == null || !Files.isDirectory(dir.local(), LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        String prefix = dir.imagePath().equals("/") ? "" : dir.imagePath();
        try (Stream<Path> files = Files.walk(dir.local())) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> prefix + "/" + dir.local().relativize(p)).sorted().toList();
        }
    }

    /** The accounts of /etc/passwd: name, uid and home. */
    public record Account(String name, int uid, String home) {
    }

    public List<Account> accounts() throws IOException {
        List<Account> accounts = new ArrayList<>();
        for (String line : read("/etc/passwd").orElse("").split("\n")) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && !f[0].isEmpty()) {
                try {
                    accounts.add(new Account(f[0], Integer.parseInt(f[2]), f[5]));
                } catch (NumberFormatException e) {
                    accounts.add(new Account(f[0], -1, f[5]));
                }
            }
        }
        return accounts;
    }

    /**
     * Home directories, canonical and each once: every account's home from /etc/passwd, /root, and every directory in
     * /home (which may itself be a link elsewhere in the image).
     */
    public List<String> homes() throws IOException {
        Set<String> homes = new LinkedHashSet<>();
        List<String> candidates = new ArrayList<>();
        candidates.add("/root");
        candidates.addAll(list("/home"));
        for (Account account : accounts()) {
            if (!account.home().isEmpty() && !account.home().equals("/") && !account.home().equals("/nonexistent")) {
                candidates.add(account.home());
            }
        }
        for (String candidate : candidates) {
            Resolved r = resolve(candidate);
            if (r != null && r.local() != null && Files.isDirectory(r.local(), LinkOption.NOFOLLOW_LINKS)) {
                homes.add(r.imagePath());
            }
        }
        return List.copyOf(homes);
    }
}
