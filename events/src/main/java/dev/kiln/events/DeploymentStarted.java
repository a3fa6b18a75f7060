package dev.kiln.events;

/**
 * A deployment began rolling out a version: new instances start beside the running ones (turn-and-burn).
 *
 * @param release         the version being rolled out
 * @param deployment      the deployment's name
 * @param format          the published format its instances run
 * @param instances       how many instances the fleet will have
 * @param previousVersion the version the fleet runs now; absent on the first launch
 * @param trigger         what started it: declared, image-published, channel-moved, version-revoked
 * @param causeId         the id of the event (or declaration) that caused it
 * @param startedAt       when (epoch milliseconds)
 */
public record DeploymentStarted(Release release, String deployment, String format, int instances, @OptionalField String previousVersion,
                                String trigger, String causeId, long startedAt) implements DeploymentEvent {
    public DeploymentStarted {
        Require.present(release, "release");
        Require.imageName(deployment, "deployment");
        Require.format(format, "format");
        Require.positive(instances, "instances");
        Require.text(trigger, "trigger");
        Require.text(causeId, "causeId");
        Require.positive(startedAt, "startedAt");
    }
}
