package dev.kiln.builder;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The build's log: every stage and tool line, kept in a file stored with the artifacts, its tail kept in memory for BuildFailed. */
public final class BuildLog implements AutoCloseable {
    static final int TAIL_LINES = 40;
    private final Path file;
    private final BufferedWriter out;
    private final Deque<String> tail = new ArrayDeque<>();

    BuildLog(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    }

    Path file() {
        return file;
    }

    public synchronized void line(String line) {
        try {
            out.write(line);
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the build log " + file, e);
        }
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
    }

    public synchronized List<String> tail() {
        return List.copyOf(tail);
    }

    /** A copy of the log as it stands, for an event sent while the build goes on. */
    synchronized Path snapshot(Path copy) throws IOException {
        out.flush();
        return Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
