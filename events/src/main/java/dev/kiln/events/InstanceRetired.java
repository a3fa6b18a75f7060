package dev.kiln.events;

/**
 * An instance was stopped and removed: replaced by a newer one, rolled back after a failed rollout, or its
 * deployment was stopped or deleted.
 *
 * @param release    the version it ran
 * @param deployment the deployment's name
 * @param instance   the instance's id
 * @param reason     why, for the people who run the fleet
 * @param causeId    the id of the event (or declaration) whose rollout retired it
 */
public record InstanceRetired(Release release, String deployment, String instance, String reason, String causeId)
        implements DeploymentEvent {
    public InstanceRetired {
        Require.present(release, "release");
        Require.imageName(deployment, "deployment");
        Require.imageName(instance, "instance");
        Require.text(reason, "reason");
        Require.text(causeId, "causeId");
    }
}
