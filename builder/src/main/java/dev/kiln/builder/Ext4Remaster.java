package dev.kiln.builder;

import dev.kiln.disk.ToolProcess;
import dev.kiln.disk.FuseMount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Re-masters one ext2/3/4 file system into a fresh one that holds the same tree and depends on nothing but that
 * tree: the same UUID, label, hash seed, features and geometry (so fstab, the boot loader and the guest see the same
 * file system), files laid out by mke2fs in name order, every time inside clamped to SOURCE_DATE_EPOCH, no journal
 * history, no stale blocks. The built file system is read in user space by fuse2fs, never by the host's kernel: it
 * was written by code from the image repository.
 */
final class Ext4Remaster {
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(20);
    /** Features that describe a mounted or dirty state, not the file system's design. */
    private static final Set<String> RUNTIME_FEATURES = Set.of("needs_recovery", "orphan_present", "mmp");
    private static final Pattern HEX_TIME = Pattern.compile("^\\s*(atime|ctime|mtime|crtime): 0x([0-9a-f]{8})");

    /** What mke2fs must be told to make the same file system again. */
    record Parameters(String uuid, String label, List<String> features, long blockSize, long blockCount,
                      long inodeSize, long inodeCount, String flexGroupSize, String journalSize) {
    }

    private final Path workDirectory;
    private final ReleaseIds ids;
    private final Consumer<String> log;

    Ext4Remaster(Path workDirectory, ReleaseIds ids, Consumer<String> log) {
        this.workDirectory = workDirectory;
        this.ids = ids;
        this.log = log;
    }

    /**
     * Reads the file system at {@code offset} of {@code disk} and writes its re-mastered copy into {@code out} at the same
     * offset (mke2fs writes it in place, so 2 GiB are not copied again); what {@code out} holds there is overwritten
     * only where the new file system writes, so that range must be zeros (a fresh sparse file).
     */
    void remaster(Path disk, long offset, long size, Path out, long sourceDateEpoch) throws Exception {
        String device = disk + "?offset=" + offset;
        Parameters parameters = parameters(run(List.of("dumpe2fs", "-h", device), fixedTime(0)));
        if (parameters.blockSize() * parameters.blockCount() > size) {
            throw new BuildFailure("the ext4 file system at byte " + offset + " is larger than its partition; the disk is damaged");
        }
        Path mountPoint = Files.createDirectories(workDirectory.resolve("remaster-source"));
        try (FuseMount source = FuseMount.readOnly(disk, offset, mountPoint, workDirectory)) {
            List<String> mkfs = new ArrayList<>(List.of("mke2fs", "-t", "ext4", "-F", "-q",
                    "-U", parameters.uuid(), "-b", Long.toString(parameters.blockSize()),
                    "-I", Long.toString(parameters.inodeSize()), "-N", Long.toString(parameters.inodeCount()),
                    "-O", "none," + String.join(",", parameters.features()),
                    // The hash seed only orders directory indexes: derived, so a seed drawn at random by whoever made the
                    // file system does not reach the image.
                    "-E", "offset=" + offset + ",hash_seed=" + ids.uuid("ext4 hash seed " + parameters.uuid())
                            + ",nodiscard,lazy_itable_init=0,lazy_journal_init=0"));
            if (parameters.label() != null) {
                mkfs.addAll(List.of("-L", parameters.label()));
            }
            if (parameters.flexGroupSize() != null) {
                mkfs.addAll(List.of("-G", parameters.flexGroupSize()));
            }
            if (parameters.journalSize() != null) {
                mkfs.addAll(List.of("-J", "size=" + parameters.journalSize()));
            }
            mkfs.addAll(List.of("-d", source.path().toString(), out.toString(), Long.toString(parameters.blockCount())));
            run(mkfs, fixedTime(sourceDateEpoch));
        }
        clampTimes(out + "?offset=" + offset, sourceDateEpoch);
        log.accept("re-mastered the ext4 file system " + parameters.uuid() + " at byte " + offset + ": "
                + parameters.blockCount() + " blocks, times clamped to " + sourceDateEpoch);
    }

    /**
     * mke2fs copies each file's times from the tree it reads, and the change time of a file is whenever the build
     * last touched it: every inode gets mtime = min(mtime, SOURCE_DATE_EPOCH) and atime = ctime = that mtime.
     */
    private void clampTimes(String fs, long sourceDateEpoch) throws Exception {
        List<Long> used = usedInodes(run(List.of("dumpe2fs", fs), fixedTime(0)));
        Path statScript = workDirectory.resolve("remaster-stat.debugfs");
        StringBuilder stat = new StringBuilder();
        for (long inode : used) {
            stat.append("stat <").append(inode).append(">\n");
        }
        Files.writeString(statScript, stat);
        Map<Long, Map<String, Long>> times = inodeTimes(run(List.of("debugfs", "-f", statScript.toString(), fs), fixedTime(sourceDateEpoch)));
        StringBuilder set = new StringBuilder();
        int changed = 0;
        for (Map.Entry<Long, Map<String, Long>> entry : times.entrySet()) {
            Map<String, Long> t = entry.getValue();
            long mtime = Math.min(t.getOrDefault("mtime", sourceDateEpoch), sourceDateEpoch);
            Map<String, Long> wanted = new LinkedHashMap<>();
            wanted.put("mtime", mtime);
            wanted.put("atime", mtime);
            wanted.put("ctime", mtime);
            if (t.containsKey("crtime")) {
                wanted.put("crtime", sourceDateEpoch);
            }
            boolean any = false;
            for (Map.Entry<String, Long> w : wanted.entrySet()) {
                if (!w.getValue().equals(t.get(w.getKey()))) {
                    set.append("sif <").append(entry.getKey()).append("> ").append(w.getKey()).append(" @").append(w.getValue()).append('\n');
                    any = true;
                }
            }
            changed += any ? 1 : 0;
        }
        Files.delete(statScript);
        if (changed > 0) {
            Path setScript = workDirectory.resolve("remaster-set.debugfs");
            Files.writeString(setScript, set);
            run(List.of("debugfs", "-w", "-f", setScript.toString(), fs), fixedTime(sourceDateEpoch));
            Files.delete(setScript);
        }
        log.accept("clamped the times of " + changed + " of " + times.size() + " inodes");
    }

    static Parameters parameters(String dumpe2fs) throws BuildFailure {
        Map<String, String> fields = new TreeMap<>();
        for (String line : dumpe2fs.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        String uuid = required(fields, "Filesystem UUID");
        if (!uuid.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new BuildFailure("the root file system's UUID '" + uuid + "' is not a UUID");
        }
        String label = fields.get("Filesystem volume name");
        if (label == null || label.equals("<none>") || label.isEmpty()) {
            label = null;
        }
        List<String> features = new ArrayList<>();
        String allFeatures = required(fields, "Filesystem features");
        if (List.of(allFeatures.split("\\s+")).contains("needs_recovery")) {
            // Re-mastering would read the file system without its last writes, which are still in the journal.
            throw new BuildFailure("the built root file system was not unmounted cleanly (its journal needs recovery): the template's "
                    + "shutdown_command must power the guest off cleanly (kiln's is sudo -n /usr/local/sbin/kiln-seal-final)");
        }
        for (String feature : allFeatures.split("\\s+")) {
            if (!RUNTIME_FEATURES.contains(feature) && feature.matches("[a-z0-9_]+")) {
                features.add(feature);
            }
        }
        String journal = fields.get("Journal size");
        String journalMib = null;
        if (journal != null) {
            Matcher m = Pattern.compile("(\\d+)M").matcher(journal);
            journalMib = m.matches() ? m.group(1) : null;
        }
        return new Parameters(uuid, label, List.copyOf(features),
                number(fields, "Block size"), number(fields, "Block count"), number(fields, "Inode size"),
                number(fields, "Inode count"), fields.get("Flex block group size"), journalMib);
    }

    /** Inode numbers in use, from dumpe2fs's per-group free-inode ranges. */
    static List<Long> usedInodes(String dumpe2fs) {
        long inodesPerGroup = 0;
        long inodeCount = 0;
        List<long[]> free = new ArrayList<>();
        for (String line : dumpe2fs.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("Inodes per group:")) {
                inodesPerGroup = Long.parseLong(trimmed.substring(trimmed.indexOf(':') + 1).trim());
            } else if (trimmed.startsWith("Inode count:")) {
                inodeCount = Long.parseLong(trimmed.substring(trimmed.indexOf(':') + 1).trim());
            } else if (trimmed.startsWith("Free inodes: ") && !trimmed.endsWith(":")) {
                for (String range : trimmed.substring("Free inodes: ".length()).split(",\\s*")) {
                    String[] ends = range.trim().split("-");
                    long first = Long.parseLong(ends[0]);
                    free.add(new long[] {first, ends.length > 1 ? Long.parseLong(ends[1]) : first});
                }
            }
        }
        if (inodesPerGroup == 0 || inodeCount == 0) {
            throw new IllegalStateException("dumpe2fs printed no inode geometry");
        }
        boolean[] isFree = new boolean[(int) inodeCount + 1];
        for (long[] range : free) {
            for (long i = range[0]; i <= range[1] && i <= inodeCount; i++) {
                isFree[(int) i] = true;
            }
        }
        List<Long> used = new ArrayList<>();
        for (int i = 1; i <= inodeCount; i++) {
            if (!isFree[i]) {
                used.add((long) i);
            }
        }
        return used;
    }

    /** The times of each inode in debugfs {@code stat} output, by inode number. */
    static Map<Long, Map<String, Long>> inodeTimes(String debugfs) {
        Map<Long, Map<String, Long>> times = new TreeMap<>();
        Map<String, Long> current = null;
        Pattern header = Pattern.compile("^Inode: (\\d+)\\s");
        for (String line : debugfs.split("\n")) {
            Matcher h = header.matcher(line);
            if (h.find()) {
                current = new LinkedHashMap<>();
                times.put(Long.parseLong(h.group(1)), current);
                continue;
            }
            Matcher t = HEX_TIME.matcher(line);
            if (current != null && t.find()) {
                current.put(t.group(1), Long.parseLong(t.group(2), 16));
            }
        }
        return times;
    }

    private static Map<String, String> fixedTime(long sourceDateEpoch) {
        // E2FSPROGS_FAKE_TIME: every time e2fsprogs writes itself (mkfs, last check, journal, new inodes).
        // MKE2FS_CONFIG to a file that is not there: mke2fs's built-in profile, not this host's /etc/mke2fs.conf.
        return Map.of("E2FSPROGS_FAKE_TIME", Long.toString(sourceDateEpoch), "MKE2FS_CONFIG", "/nonexistent/kiln-mke2fs.conf",
                "DEBUGFS_PAGER", "__none__", "LC_ALL", "C");
    }

    private String run(List<String> command, Map<String, String> environment) throws Exception {
        ToolProcess.Result result = ToolProcess.run(command, workDirectory, environment, TOOL_TIMEOUT, line -> { });
        if (!result.ok()) {
            List<String> out = result.output();
            throw new BuildFailure(command.get(0) + " failed while re-mastering the root file system: "
                    + String.join(" ", out.subList(Math.max(0, out.size() - 5), out.size())));
        }
        return String.join("\n", result.output());
    }

    private static String required(Map<String, String> fields, String name) throws BuildFailure {
        String value = fields.get(name);
        if (value == null) {
            throw new BuildFailure("dumpe2fs does not show '" + name + "' for the root file system");
        }
        return value;
    }

    private static long number(Map<String, String> fields, String name) throws BuildFailure {
        return Long.parseLong(required(fields, name).split("\\s+")[0]);
    }
}
