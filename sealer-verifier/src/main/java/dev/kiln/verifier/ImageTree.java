package dev.kiln.verifier;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The parts of an image's root file system that sealing is about (/etc, /root, /home, /tmp, /var/log, /var/tmp and
 * agent state under /var/lib), copied out of the disk into a local directory. Paths are the image's own
 * ({@code /etc/machine-id}); links are never followed, since they point into the image, not this machine.
 */
public final class ImageTree {
    /** What is copied out: everything the rules read. */
    public static final List<String> SEALING_PATHS = List.of("/etc", "/root", "/home", "/tmp", "/var/log", "/var/tmp",
            "/var/lib/cloud", "/var/lib/waagent", "/var/lib/dbus", "/var/lib/dhcp", "/var/lib/dhclient",
            "/var/lib/NetworkManager", "/var/lib/systemd", "/var/lib/urandom", "/var/lib/hyperv", "/usr/local/sbin");

    private final Path root;

    public ImageTree(Path root) {
        this.root = root;
    }

    /** Where an image path is in the local copy. */
    public Path local(String imagePath) {
        return root.resolve(imagePath.startsWith("/") ? imagePath.substring(1) : imagePath);
    }

    /** The image path of a local file of this tree. */
    public String imagePath(Path local) {
        return "/" + root.relativize(local).toString();
    }

    public boolean exists(String imagePath) {
        return Files.exists(local(imagePath), LinkOption.NOFOLLOW_LINKS);
    }

    public boolean isFile(String imagePath) {
        return Files.isRegularFile(local(imagePath), LinkOption.NOFOLLOW_LINKS);
    }

    public boolean isLink(String imagePath) {
        return Files.isSymbolicLink(local(imagePath));
    }

    /** A regular file's text; empty when it is missing or not a regular file. */
    public Optional<String> read(String imagePath) throws IOException {
        Path file = local(imagePath);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    }

    public long size(String imagePath) throws IOException {
        return Files.size(local(imagePath));
    }

    /** Entries of a directory (image paths), none when it is missing. */
    public List<String> list(String imageDir) throws IOException {
        Path dir = local(imageDir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(this::imagePath).sorted().toList();
        }
    }

    /** Regular files under a directory, at any depth (image paths). */
    public List<String> filesUnder(String imageDir) throws IOException {
        Path dir = local(imageDir);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).map(this::imagePath).sorted().toList();
        }
    }

    /** Home directories: /root and every directory in /home. */
    public List<String> homes() throws IOException {
        List<String> homes = new java.util.ArrayList<>();
        if (exists("/root")) {
            homes.add("/root");
        }
        for (String home : list("/home")) {
            if (Files.isDirectory(local(home), LinkOption.NOFOLLOW_LINKS)) {
                homes.add(home);
            }
        }
        return homes;
    }
}
