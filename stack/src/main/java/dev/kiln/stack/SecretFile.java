package dev.kiln.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A generated secret (password, token) kept in a file only its owner can read: made once per installation,
 * read on every start. Hex, so it never needs quoting in a configuration file or a JAAS line.
 */
public final class SecretFile {
    private SecretFile() {
    }

    /** The secret in {@code file}, made (192 random bits, mode 0600) when the file does not exist. */
    public static String readOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                byte[] random = new byte[24];
                new SecureRandom().nextBytes(random);
                Files.createDirectories(file.toAbsolutePath().getParent());
                // Created 0600: there is no moment at which another user could open it.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(file, HexFormat.of().formatHex(random) + "\n");
            }
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make the secret in " + file, e);
        }
    }
}
