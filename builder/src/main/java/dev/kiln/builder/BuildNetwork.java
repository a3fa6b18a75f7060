package dev.kiln.builder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The build's own network: Packer, its QEMU and Ansible run in a network namespace whose only way out is
 * slirp4netns with the host's loopback disabled. The build guest still reaches package mirrors, but 10.0.2.2 (QEMU's
 * name for "the host") is the namespace's own loopback, where nothing of kiln listens: the broker, the database and
 * the services are out of the image repository's reach.
 */
final class BuildNetwork implements AutoCloseable {
    /** Run inside the namespace, before the tool: a fixed script, the tool's arguments are passed as "$@", never parsed. */
    private static final String ENTER = """
            ip link set lo up || exit 1
            i=0
            while ! ip route 2>/dev/null | grep -q '^default'; do
              i=$((i + 1)); [ "$i" -gt 300 ] && { echo "kiln: the build's network (slirp4netns) did not come up" >&2; exit 1; }
              sleep 0.1
            done
            exec "$@"
            """;

    private Process slirp;

    /** The command, run in a new network namespace once its network is up. */
    static List<String> isolate(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("unshare", "--net", "--", "sh", "-c", ENTER, "kiln-build-network"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives the namespace of a process started with {@link #isolate} its way out. */
    void attach(Process isolated, Path log) {
        try {
            slirp = new ProcessBuilder(List.of("slirp4netns", "--configure", "--mtu=65520", "--disable-host-loopback",
                    Long.toString(isolated.pid()), "tap0")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("slirp4netns could not be started (is it installed? ./kiln setup installs it): " + e.getMessage(), e);
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
