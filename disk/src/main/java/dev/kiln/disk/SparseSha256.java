package dev.kiln.disk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The sha256 of a disk file, the same digest as {@code dev.kiln.events.Sha256.of} (SHA-256 of every byte, lower-case
 * hex: its test holds it to sha256sum's), reading only the file's data. Disk files are mostly holes (the example's 2 GiB disk
 * holds about 600 MiB), and reading a hole still fills the page cache with zeros: on the virtual machine this was
 * measured on, that cost up to 3 s of system time per 2 GiB, and a release digests about eight such files. Why this is
 * not {@code Sha256}: this module cannot depend on events (events' tests need the test stack, which needs this module). The holes, found by
 * {@code qemu-img map} (SEEK_DATA/SEEK_HOLE), are hashed as the zeros they read as, from memory. A file qemu-img cannot
 * map is read whole.
 */
public final class SparseSha256 {
    private static final int CHUNK = 1 << 20;
    private static final byte[] ZEROS = new byte[CHUNK];
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration MAP_TIMEOUT = Duration.ofMinutes(2);

    /** A stretch of the file, read from it ({@code data}) or known to be a hole (read as zeros). */
    record Region(long start, long length, boolean data) {
    }

    private SparseSha256() {
    }

    public static String of(Path file) throws IOException, InterruptedException {
        long size = Files.size(file);
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = 0;
            for (Region region : regions(file, size)) {
                // qemu-img rounds a file up to whole sectors: nothing past the end is hashed.
                long end = Math.min(size, region.start() + region.length());
                if (region.start() != at || end < at) {
                    // Not a gapless cover of the file: read it all rather than trust it.
                    return wholly(channel, size);
                }
                if (region.data()) {
                    read(channel, at, end, buffer, digest);
                } else {
                    for (long left = end - at; left > 0; left -= Math.min(left, CHUNK)) {
                        digest.update(ZEROS, 0, (int) Math.min(left, CHUNK));
                    }
                }
                at = end;
                if (at == size) {
                    break;
                }
            }
            if (at != size) {
                return wholly(channel, size);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String wholly(FileChannel channel, long size) throws IOException {
        MessageDigest digest = sha256();
        read(channel, 0, size, ByteBuffer.allocate(CHUNK), digest);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void read(FileChannel channel, long from, long to, ByteBuffer buffer, MessageDigest digest) throws IOException {
        for (long at = from; at < to; ) {
            // Checked between chunks: a deadline or a shutdown stops a long read (FileChannel reads would close the
            // channel on an interrupt instead).
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted after reading " + at + " bytes");
            }
            buffer.clear().limit((int) Math.min(CHUNK, to - at));
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("the file ended at " + at + " bytes, before the " + to + " it had");
            }
            digest.update(buffer.array(), 0, n);
            at += n;
        }
    }

    /** The file's data and holes, in order, as qemu-img maps it as a raw file; one data region when it cannot. */
    static List<Region> regions(Path file, long size) throws IOException, InterruptedException {
        // An absolute path: qemu-img reads "name:" as a protocol, never a path that starts with "/".
        ToolProcess.Result map = ToolProcess.run(List.of("qemu-img", "map", "--output=json", "-f", "raw",
                file.toAbsolutePath().toString()), MAP_TIMEOUT);
        List<Region> regions = new ArrayList<>();
        if (map.ok()) {
            try {
                for (JsonNode entry : JSON.readTree(map.text())) {
                    boolean hole = entry.path("zero").asBoolean(false) && !entry.path("data").asBoolean(true);
                    regions.add(new Region(entry.path("start").asLong(), entry.path("length").asLong(), !hole));
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException notAMap) {
                regions.clear(); // a warning among the lines: read the file whole
            }
        }
        return regions.isEmpty() ? List.of(new Region(0, size, true)) : regions;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
