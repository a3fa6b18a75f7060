package dev.kiln.builder;

import dev.kiln.events.Artifact;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the stages of one release build hand each other. Each field is set by the stage named beside it. */
public final class BuildContext {
    private final ReleaseTagged tagged;
    private final BuilderConfig config;
    private final Map<String, String> tools;
    private Path workspace;            // create-workspace
    private BuildLog log;              // create-workspace
    private Path source;               // checkout
    private KilnFile kilnFile;         // read-kiln-file
    private Path template;             // read-kiln-file
    private Path playbook;             // read-kiln-file
    private Path upstreamImage;        // fetch-upstream
    private Path sitePlaybook;         // seal-playbook
    private Path rawDisk;              // packer-build
    private String rawSha256;          // remaster, convert
    private final Map<String, FormatFile> formats = new LinkedHashMap<>();   // remaster, convert
    private final Map<String, String> formatFailures = new LinkedHashMap<>(); // convert, store
    private final Map<String, Artifact> artifacts = new LinkedHashMap<>();    // store
    private String buildLogLocation;   // store
    private FormatHandoff handoff;     // set by ReleaseBuild for a release build: what happens to a format once made
    private final RebuildRequested rebuild;                                    // for a rebuild: what was recorded
    private final List<ImageRebuilt.FormatDigests> rebuiltDigests = new ArrayList<>(); // compare-rebuild
    private final List<String> differences = new ArrayList<>();                 // compare-rebuild
    private String differenceReport;                                            // compare-rebuild

    /** One converted file, before it is stored. */
    public record FormatFile(String format, Path file, String sha256, long size, long virtualSize) {
    }

    /**
     * What a release build does with a format the moment it is made, while the slower formats are still being made:
     * it stores it and announces it (ImageBuilt), so its verification starts at once.
     */
    interface FormatHandoff {
        void made(FormatFile file) throws Exception;
    }

    BuildContext(ReleaseTagged tagged, BuilderConfig config, Map<String, String> tools) {
        this(tagged, null, config, tools);
    }

    /** A rebuild of a released tag, to be compared with what was recorded. */
    BuildContext(RebuildRequested rebuild, BuilderConfig config, Map<String, String> tools) {
        this(rebuild.asTagged(), rebuild, config, tools);
    }

    private BuildContext(ReleaseTagged tagged, RebuildRequested rebuild, BuilderConfig config, Map<String, String> tools) {
        this.tagged = tagged;
        this.rebuild = rebuild;
        this.config = config;
        this.tools = Map.copyOf(tools);
    }

    /** The rebuild request, or null for a release build. */
    public RebuildRequested rebuild() {
        return rebuild;
    }

    /** Recorded and rebuilt digest per format, once compared. */
    public List<ImageRebuilt.FormatDigests> rebuiltDigests() {
        return rebuiltDigests;
    }

    /** What differs between the rebuild and the release, one line per difference; empty when bit-identical. */
    public List<String> differences() {
        return differences;
    }

    public String differenceReport() {
        return differenceReport;
    }

    void differenceReport(String location) {
        this.differenceReport = location;
    }

    public ReleaseTagged tagged() {
        return tagged;
    }

    public Release release() {
        return tagged.release();
    }

    public BuilderConfig config() {
        return config;
    }

    public Map<String, String> tools() {
        return tools;
    }

    /** Log a stage's own line. */
    public void log(String line) {
        if (log != null) {
            log.line(line);
        }
    }

    public BuildLog buildLog() {
        return log;
    }

    void workspace(Path workspace, BuildLog log) {
        this.workspace = workspace;
        this.log = log;
    }

    public Path workspace() {
        return workspace;
    }

    public Path source() {
        return source;
    }

    void source(Path source) {
        this.source = source;
    }

    public KilnFile kilnFile() {
        return kilnFile;
    }

    void kilnFile(KilnFile kilnFile, Path template, Path playbook) {
        this.kilnFile = kilnFile;
        this.template = template;
        this.playbook = playbook;
    }

    public Path template() {
        return template;
    }

    public Path playbook() {
        return playbook;
    }

    public Path upstreamImage() {
        return upstreamImage;
    }

    void upstreamImage(Path upstreamImage) {
        this.upstreamImage = upstreamImage;
    }

    public Path sitePlaybook() {
        return sitePlaybook;
    }

    void sitePlaybook(Path sitePlaybook) {
        this.sitePlaybook = sitePlaybook;
    }

    public Path rawDisk() {
        return rawDisk;
    }

    void rawDisk(Path rawDisk) {
        this.rawDisk = rawDisk;
    }

    public String rawSha256() {
        return rawSha256;
    }

    void rawSha256(String rawSha256) {
        this.rawSha256 = rawSha256;
    }

    public Map<String, FormatFile> formats() {
        return formats;
    }

    /** A stage made a format's file: it is recorded, and in a release build handed on at once. */
    void formatMade(FormatFile file) throws Exception {
        formats.put(file.format(), file);
        if (handoff != null) {
            handoff.made(file);
        }
    }

    void handoff(FormatHandoff handoff) {
        this.handoff = handoff;
    }

    /** Formats that could not be made, with the reason; the others go on. */
    public Map<String, String> formatFailures() {
        return formatFailures;
    }

    public Map<String, Artifact> artifacts() {
        return artifacts;
    }

    public String buildLogLocation() {
        return buildLogLocation;
    }

    void buildLogLocation(String location) {
        this.buildLogLocation = location;
    }
}
