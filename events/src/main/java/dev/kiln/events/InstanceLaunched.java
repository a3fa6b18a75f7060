package dev.kiln.events;

/**
 * An instance of a rollout passed its health check: it runs the release, with its own identity.
 *
 * @param release       the version it runs
 * @param deployment    the deployment's name
 * @param instance      the instance's id (also its NoCloud instance-id and hostname)
 * @param target        where it runs, e.g. {@code local-qemu}
 * @param healthyMillis power-on to a passing health check
 * @param causeId       the id of the event (or declaration) whose rollout launched it
 */
public record InstanceLaunched(Release release, String deployment, String instance, String target, long healthyMillis, String causeId)
        implements DeploymentEvent {
    public InstanceLaunched {
        Require.present(release, "release");
        Require.imageName(deployment, "deployment");
        Require.imageName(instance, "instance");
        Require.text(target, "target");
        Require.notNegative(healthyMillis, "healthyMillis");
        Require.text(causeId, "causeId");
    }
}
