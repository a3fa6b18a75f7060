package dev.kiln.builder;

import dev.kiln.events.Release;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Identifiers an image needs that tools would otherwise draw at random (VHD and VHDX ids, the VMDK content id, an
 * ext4 hash seed), derived from what defines the release: image, version and commit. The same release always gets
 * the same ones; two releases or two fields never share one.
 */
final class ReleaseIds {
    private final String seed;

    ReleaseIds(Release release) {
        this(release.image() + "\0" + release.version() + "\0" + release.commit());
    }

    ReleaseIds(String seed) {
        this.seed = seed;
    }

    /** 16 bytes for a field, shaped as an RFC 4122 name-based (version 5) UUID. */
    byte[] bytes(String field) {
        byte[] id = Arrays.copyOf(sha256(seed + "\0" + field), 16);
        id[6] = (byte) ((id[6] & 0x0f) | 0x50);
        id[8] = (byte) ((id[8] & 0x3f) | 0x80);
        return id;
    }

    /** The same, written as a UUID: 8-4-4-4-12 hex digits. */
    String uuid(String field) {
        String hex = HexFormat.of().formatHex(bytes(field));
        return hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-" + hex.substring(16, 20) + "-" + hex.substring(20);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
