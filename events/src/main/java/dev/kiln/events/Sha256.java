package dev.kiln.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How kiln computes the sha256 digests events carry (artifact files, decoded raw disks): SHA-256 of files and
 * streams, read in chunks, since images are gigabytes and never held in memory.
 */
public final class Sha256 {
    private static final int CHUNK = 1 << 20;

    private Sha256() {
    }

    public static String of(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return copy(in, OutputStream.nullOutputStream());
        }
    }

    /** Of bytes already in memory (a small document, never an image). */
    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /**
     * Copies {@code in} to {@code out} and returns the digest of what passed. An interrupt (a build's or a
     * verification's deadline, a shutdown) stops it between chunks with {@link InterruptedIOException}: the streams
     * {@link Files#newInputStream} opens ignore interrupts, and a 16 GiB disk takes a minute to read.
     */
    public static String copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest digest = digest();
        byte[] buffer = new byte[CHUNK];
        long read = 0;
        for (int n; (n = in.read(buffer)) > 0; read += n) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted after reading " + read + " bytes");
            }
            digest.update(buffer, 0, n);
            out.write(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
