package dev.kiln.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reports on disk, one JSON file per image, version and format, written atomically. */
final class ReportStore {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");
    static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private final Path root;

    ReportStore(Path root) {
        this.root = root;
    }

    void save(VerificationReport report) throws IOException {
        Path file = file(report.image(), report.version(), report.format()).orElseThrow(
                () -> new IOException("unsafe report name " + report.image() + "/" + report.version() + "/" + report.format()));
        Files.createDirectories(file.getParent());
        Path partial = Files.createTempFile(file.getParent(), ".report", ".tmp");
        JSON.writeValue(partial.toFile(), report);
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    Optional<VerificationReport> find(String image, String version, String format) throws IOException {
        Optional<Path> file = file(image, version, format);
        if (file.isEmpty() || !Files.isRegularFile(file.get())) {
            return Optional.empty();
        }
        return Optional.of(JSON.readValue(file.get().toFile(), VerificationReport.class));
    }

    /** Empty for names that could leave the report directory. */
    private Optional<Path> file(String image, String version, String format) {
        for (String part : new String[] {image, version, format}) {
            if (part == null || !SAFE.matcher(part).matches() || part.contains("..")) {
                return Optional.empty();
            }
        }
        return Optional.of(root.resolve(image).resolve(version).resolve(format + ".json"));
    }
}
