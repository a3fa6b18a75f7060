package dev.kiln.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What crashes left behind once the pipeline is idle again: processes nobody owns any more, and working files
 * nobody will remove. Both lists must be empty after every release of the fault drill.
 */
final class Aftermath {
    /** The unprivileged user builds run as (created by scripts/install-packages). */
    static final String BUILD_USER = "kiln-build";
    /** Working directories the builder makes in the temporary directory: Packer's and the roles' copy. */
    static final List<String> TMP_PREFIXES = List.of("kiln-packer-", "kiln-roles-");

    private Aftermath() {
    }

    /**
     * Processes of this stack that are not descendants of this process (so a service that started them has died) —
     * the build user's, or any naming the state directory on its command line — except the PostgreSQL server, which
     * pg_ctl starts detached by design, and the deploy service's instances (QEMU daemonized on purpose). Run when no
     * release is in flight, so the live services' tools are none.
     */
    static List<String> orphans(Path state) {
        return orphans(state, BUILD_USER);
    }

    /** As {@link #orphans(Path)}, with the build user named. */
    static List<String> orphans(Path state, String buildUser) {
        Set<Long> ours = Stream.concat(Stream.of(ProcessHandle.current()), ProcessHandle.current().descendants())
                .map(ProcessHandle::pid).collect(Collectors.toSet());
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (ours.contains(pid)) {
                    continue;
                }
                try {
                    String owner = Files.getOwner(proc).getName();
                    String command = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').strip();
                    boolean database = owner.equals("postgres") || command.startsWith("postgres") || command.contains("/bin/postgres");
                    // A deployment's machines run detached by design too: a fleet outlives a restart of its deploy service.
                    boolean fleet = command.startsWith("qemu-system-x86_64 -name kiln-") && command.contains(state.resolve("deploy/instances") + "/");
                    if (owner.equals(buildUser) || (command.contains(state.toString()) && !database && !fleet)) {
                        found.add(pid + " (" + owner + ") " + (command.length() > 200 ? command.substring(0, 200) + "..." : command));
                    }
                } catch (IOException ended) {
                    // the process ended while it was read
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return found;
    }

    /**
     * Working files still there that no live process claims (see DirectoryClaim): anything in the builder's or the
     * verifier's workspaces, Packer's and the roles' directories in the temporary directory; and half-written artifacts
     * and mounts below the state directory.
     */
    static List<String> leftovers(Path state) {
        return leftovers(state, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** As {@link #leftovers(Path)}, with the services' temporary directory given. */
    static List<String> leftovers(Path state, Path tmp) {
        List<String> found = new ArrayList<>();
        try {
            for (Path workspaces : List.of(state.resolve("builder/work"), state.resolve("verifier/work"))) {
                found.addAll(list(workspaces, name -> true));
            }
            found.addAll(list(tmp, name -> TMP_PREFIXES.stream().anyMatch(name::startsWith)));
            Path artifacts = state.resolve("artifacts");
            if (Files.isDirectory(artifacts)) {
                try (Stream<Path> files = Files.walk(artifacts)) {
                    files.filter(p -> p.getFileName().toString().endsWith(".part") || p.getFileName().toString().endsWith(".tmp"))
                            .forEach(p -> found.add(p.toString()));
                }
            }
            for (String mount : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = mount.split(" ");
                if (fields.length > 1 && fields[1].startsWith(state.toString())) {
                    found.add("mount " + fields[1] + " (" + fields[0] + ")");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot look for leftovers under " + state, e);
        }
        return found;
    }

    private static List<String> list(Path dir, java.util.function.Predicate<String> name) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> unclaimed = new ArrayList<>();
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.filter(p -> name.test(p.getFileName().toString())).sorted().toList()) {
                if (!dev.kiln.disk.DirectoryClaim.held(child)) {
                    unclaimed.add(child.toString());
                }
            }
        }
        return unclaimed;
    }
}
