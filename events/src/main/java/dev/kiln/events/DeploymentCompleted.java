package dev.kiln.events;

import java.util.List;

/**
 * A rollout finished: every instance of the fleet runs the release and is healthy; the previous ones are retired.
 *
 * @param release        the version the fleet runs now
 * @param deployment     the deployment's name
 * @param instances      the fleet's instance ids
 * @param durationMillis from DeploymentStarted to now
 * @param causeId        the id of the event (or declaration) that caused the rollout
 */
public record DeploymentCompleted(Release release, String deployment, List<String> instances, long durationMillis, String causeId)
        implements DeploymentEvent {
    public DeploymentCompleted {
        Require.present(release, "release");
        Require.imageName(deployment, "deployment");
        instances = List.copyOf(Require.present(instances, "instances"));
        Require.notNegative(durationMillis, "durationMillis");
        Require.text(causeId, "causeId");
    }
}
