package dev.kiln.stack;

import java.io.IOException;
import java.nio.file.Path;

/** Removal of the temporary directories test servers keep their data in. */
public final class TempDirs {
    private TempDirs() {
    }

    public static void delete(Path dir) {
        try {
            dev.kiln.disk.Trees.delete(dir);
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
