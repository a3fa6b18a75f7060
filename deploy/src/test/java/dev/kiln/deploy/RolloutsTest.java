package dev.kiln.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet's power-off when the deploy service stops. The target here is a stand-in whose instances ignore ACPI (as a
 * guest still booting does) and so take their whole grace: what is under test is the order of retirements, which no
 * real QEMU shows faster; LocalQemuTargetTest retires real machines.
 */
class RolloutsTest {
    @Test
    void aStoppingServiceRetiresItsWholeFleetWithinOneGrace() throws Exception {
        Duration grace = Duration.ofMillis(1500);
        DeafTarget target = new DeafTarget();
        List<InstanceTarget.Instance> fleet = List.of(instance("demo-1"), instance("demo-2"), instance("demo-3"));

        long start = System.nanoTime();
        List<String> retired = Rollouts.retireTogether(target, fleet, grace);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        assertEquals(Set.of("demo-1", "demo-2", "demo-3"), Set.copyOf(retired));
        assertEquals(Set.of("demo-1", "demo-2", "demo-3"), target.retired);
        // One after another would take three graces (4.5 s); together, one and a little.
        assertTrue(tookMillis < 2 * grace.toMillis(), "retiring three deaf instances took " + tookMillis + " ms with a grace of " + grace.toMillis() + " ms");
    }

    @Test
    void anInstanceThatCannotBeRetiredDoesNotKeepTheOthersRunning() throws Exception {
        DeafTarget target = new DeafTarget();
        target.failing.add("demo-2");

        List<String> retired = Rollouts.retireTogether(target, List.of(instance("demo-1"), instance("demo-2"), instance("demo-3")), Duration.ofMillis(100));

        assertEquals(Set.of("demo-1", "demo-3"), Set.copyOf(retired), "only the instances actually retired are reported");
        assertEquals(Set.of("demo-1", "demo-3"), target.retired);
    }

    private static InstanceTarget.Instance instance(String id) {
        return new InstanceTarget.Instance(id, Path.of("/nonexistent/" + id), 0);
    }

    /** Instances that never answer the power button: each retirement lasts its whole grace. */
    private static final class DeafTarget implements InstanceTarget {
        final Set<String> retired = ConcurrentHashMap.newKeySet();
        final Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public String name() {
            return "deaf";
        }

        @Override
        public void launch(Instance instance, Path artifact, String qemuFormat, DeploymentSpec.Health health) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Probe probe(Instance instance, DeploymentSpec.Health health) {
            return Probe.gone("not launched");
        }

        @Override
        public void retire(Instance instance, Duration grace) throws IOException, InterruptedException {
            Thread.sleep(grace.toMillis());
            if (failing.contains(instance.id())) {
                throw new IOException("its directory could not be removed");
            }
            retired.add(instance.id());
        }
    }
}
