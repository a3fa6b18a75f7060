package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Where the repository's template and playbook run: a bubblewrap sandbox that sees the host's file system read-only
 * with kiln's state, the artifact store, other builds, /tmp, /var/tmp and the homes hidden, and writes only this
 * build's workspace and temporary directory; and a network namespace of its own whose only way out is slirp4netns with
 * the host's loopback disabled. The guest still reaches package mirrors, but 10.0.2.2 (QEMU's "host") is the
 * namespace's own loopback, where nothing of kiln listens. A root builder enters it as the unprivileged build user
 * ({@link BuildUser}); no capability is kept either way (bubblewrap keeps them for a root caller unless told). The
 * sandbox has its own process namespace, so nothing started in it outlives it, and it dies with the builder.
 */
final class BuildSandbox implements AutoCloseable {
    /** Run inside, before the tool: a fixed script; the tool's arguments are passed as "$@", never parsed. */
    private static final String ENTER = """
            i=0
            while ! ip route 2>/dev/null | grep -q '^default'; do
              i=$((i + 1)); [ "$i" -gt 300 ] && { echo "kiln: the build's network (slirp4netns) did not come up" >&2; exit 1; }
              sleep 0.1
            done
            exec "$@"
            """;
    private static final Duration ATTACH_WAIT = Duration.ofSeconds(10);

    private Process slirp;

    /**
     * The command inside the sandbox.
     *
     * @param writable the directories the build writes (its workspace, its temporary directory)
     * @param readable what it reads besides the system: kiln's roles, the upstream cache, the build key
     * @param hidden   what it must not see: kiln's state, the artifact store
     * @param user     who runs it: the build user when the builder is root, else the builder's own user
     */
    static List<String> wrap(List<String> command, List<Path> writable, List<Path> readable, List<Path> hidden, Path directory,
                             Optional<BuildUser> user) {
        List<String> wrapped = new ArrayList<>(user.map(BuildUser::enter).orElse(List.of()));
        wrapped.addAll(List.of("bwrap", "--die-with-parent", "--cap-drop", "ALL", "--unshare-net", "--unshare-ipc", "--unshare-uts",
                "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--dev-bind-try", "/dev/kvm", "/dev/kvm", "--proc", "/proc"));
        Set<String> masks = new LinkedHashSet<>(List.of("/tmp", "/var/tmp", "/root", "/home", "/run"));
        hidden.stream().filter(Files::isDirectory).map(p -> p.toAbsolutePath().normalize().toString()).forEach(masks::add);
        for (String mask : masks) {
            wrapped.addAll(List.of("--tmpfs", mask));
        }
        for (Path path : readable) {
            String p = path.toAbsolutePath().normalize().toString();
            wrapped.addAll(List.of("--ro-bind-try", p, p));
        }
        for (Path path : writable) {
            String p = path.toAbsolutePath().normalize().toString();
            wrapped.addAll(List.of("--bind", p, p));
        }
        wrapped.addAll(List.of("--chdir", directory.toAbsolutePath().normalize().toString(), "--", "sh", "-c", ENTER, "kiln-build-sandbox"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Whether bubblewrap gave up setting the sandbox up (its own "bwrap: " message is the whole output): the tool never ran. */
    static boolean failedToStart(List<String> output) {
        return !output.isEmpty() && output.stream().allMatch(line -> line.startsWith("bwrap: "));
    }

    /** Gives the sandbox's network namespace its way out: slirp4netns on the first process inside it. */
    void attach(Process sandbox, Path log) {
        Instant deadline = Instant.now().plus(ATTACH_WAIT);
        Optional<ProcessHandle> inside = Optional.empty();
        while (inside.isEmpty() && Instant.now().isBefore(deadline) && sandbox.isAlive()) {
            inside = sandbox.toHandle().children().findFirst();
            if (inside.isEmpty()) {
                sleep();
            }
        }
        if (inside.isEmpty()) {
            throw new IllegalStateException("the build sandbox (bwrap) did not start its command: is bubblewrap installed? ./kiln setup installs it");
        }
        try {
            // By path: an unprivileged sandbox's network namespace belongs to its own user namespace, which slirp4netns
            // would otherwise try (and fail) to enter by process id.
            slirp = new ProcessBuilder(List.of("slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                    "--netns-type=path", "/proc/" + inside.get().pid() + "/ns/net", "tap0")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("slirp4netns could not be started (is it installed? ./kiln setup installs it): " + e.getMessage(), e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (slirp != null) {
            slirp.destroy();
            try {
                if (!slirp.waitFor(5, TimeUnit.SECONDS)) {
                    slirp.destroyForcibly();
                }
            } catch (InterruptedException e) {
                slirp.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
