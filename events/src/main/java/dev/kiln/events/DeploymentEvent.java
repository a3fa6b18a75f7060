package dev.kiln.events;

/**
 * An event of a deployment's rollout, sent by the deploy service. Keyed by image and deployment, so one fleet's
 * rollouts stay in order on one partition; each names the event that caused it (a CloudEvent id, or the id of the
 * API request that declared the deployment), so a subscriber can follow a tag all the way to running machines.
 */
public interface DeploymentEvent extends KilnEvent {
    /** The deployment's name. */
    String deployment();

    /** The id of the event (or declaration) this rollout answers. */
    String causeId();

    @Override
    default String key() {
        return release().image() + "/deployments/" + deployment();
    }
}
