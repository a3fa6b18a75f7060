package dev.kiln.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where instances run. The embedded default is {@link LocalQemuTarget}; EC2 (launch templates through AWS SDK v2) is
 * the next implementation: launch becomes RunInstances from the published AMI with the instance's identity as user
 * data, the health probe a status check or a port on its address, retire a TerminateInstances (docs/deploy.md).
 */
public interface InstanceTarget {
    /** The name deployments use in their {@code target}. */
    String name();

    /**
     * Starts an instance and returns once it is started (not yet healthy). The instance must outlive this service: a
     * restarted deploy service finds it with {@link #probe}.
     */
    void launch(Instance instance, Path artifact, String qemuFormat, DeploymentSpec.Health health) throws IOException, InterruptedException;

    /** Whether the instance runs, and whether it passes its health check now. */
    Probe probe(Instance instance, DeploymentSpec.Health health);

    /** Stops the instance (gracefully first, within {@code grace}) and removes everything it had. */
    void retire(Instance instance, Duration grace) throws IOException, InterruptedException;

    /** One instance as the target knows it: its id (also its hostname), its directory, the host port forwarded to it. */
    record Instance(String id, Path directory, int forwardedPort) {
    }

    /** What a probe saw. */
    record Probe(State state, String detail) {
        public enum State { HEALTHY, STARTING, GONE }

        static Probe healthy() {
            return new Probe(State.HEALTHY, "");
        }

        static Probe starting(String detail) {
            return new Probe(State.STARTING, detail);
        }

        static Probe gone(String detail) {
            return new Probe(State.GONE, detail);
        }
    }
}
