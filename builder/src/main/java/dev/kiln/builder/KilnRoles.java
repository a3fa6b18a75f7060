package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * kiln's Ansible roles as the unprivileged build user reads them: a copy owned by this process, readable and not
 * writable by others, in a directory anyone may pass (the checkout itself may sit below one only its owner may).
 */
final class KilnRoles {
    /** Names the copies in the temporary directory: a builder starting after one was killed sweeps unclaimed ones. */
    static final String TMP_PREFIX = "kiln-roles-";
    private static Path staged;
    /** Held for the life of this process, so another builder's sweep leaves the copy in use alone. */
    private static dev.kiln.disk.DirectoryClaim claim;

    private KilnRoles() {
    }

    static synchronized Path readable(Path roles) throws IOException {
        if (staged != null && Files.isDirectory(staged)) {
            return staged;
        }
        Path copy = Files.createTempDirectory(TMP_PREFIX);
        claim = dev.kiln.disk.DirectoryClaim.claim(copy);
        try (Stream<Path> files = Files.walk(roles.toAbsolutePath().normalize())) {
            Path from = roles.toAbsolutePath().normalize();
            for (Path source : files.toList()) {
                Path target = copy.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (Files.isRegularFile(source)) {
                    Files.copy(source, target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        staged = copy;
        return copy;
    }
}
