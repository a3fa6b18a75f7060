package dev.kiln.events;

/**
 * A rollout failed (a new instance did not become healthy, or the artifact could not be had): its new instances
 * are removed and the fleet keeps (rolls back to) the version it ran.
 *
 * @param release      the version that was being rolled out
 * @param deployment   the deployment's name
 * @param reason       what went wrong, for a person to act on
 * @param rolledBackTo the version the fleet still runs; absent when it had none (a first launch)
 * @param causeId      the id of the event (or declaration) that caused the rollout
 */
public record DeploymentFailed(Release release, String deployment, String reason, @OptionalField String rolledBackTo, String causeId)
        implements DeploymentEvent {
    public DeploymentFailed {
        Require.present(release, "release");
        Require.imageName(deployment, "deployment");
        Require.text(reason, "reason");
        Require.text(causeId, "causeId");
    }
}
