package dev.kiln.events;

/**
 * A channel of an image now points at another version (a promotion): what a deployment following the channel rolls
 * out. The registry sends it through its outbox, after the move is committed.
 *
 * @param release         the release the channel points at now
 * @param channel         the channel's name, e.g. {@code production}
 * @param previousVersion the version it pointed at before; absent for a new channel
 * @param movedAt         when the registry moved it (epoch milliseconds): two moves to one version are two events
 */
public record ChannelMoved(Release release, String channel, @OptionalField String previousVersion, long movedAt) implements KilnEvent {
    public ChannelMoved {
        Require.present(release, "release");
        Require.imageName(channel, "channel"); // channels share image names' alphabet
        Require.positive(movedAt, "movedAt");
    }

    /** Whether {@code name} may name a channel (the registry refuses others before any move). */
    public static boolean isChannelName(String name) {
        return Require.isName(name);
    }

    /** One channel's moves stay in order on one partition. */
    @Override
    public String key() {
        return release.image() + "/channels/" + channel;
    }
}
