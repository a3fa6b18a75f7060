package dev.kiln.deploy;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which version a deployment's fleet should run, from what the registry has said about its image: a version, nothing
 * yet (and why), or stop (and why). A pure function, so each policy is tested without a fleet.
 */
final class DesiredVersion {
    private DesiredVersion() {
    }

    /**
     * What the registry said about one image, for one format.
     *
     * @param good     versions published in the format and not revoked
     * @param revoked  revoked versions and why
     * @param channel  the versions the deployment's channel pointed at, newest move first (empty when pinned or latest)
     */
    record ImageHistory(List<String> good, Map<String, String> revoked, List<String> channel) {
    }

    record Decision(String version, String stopReason, String waitReason) {
        static Decision run(String version) {
            return new Decision(version, null, null);
        }

        static Decision stop(String reason) {
            return new Decision(null, reason, null);
        }

        static Decision waitFor(String reason) {
            return new Decision(null, null, reason);
        }
    }

    static Decision of(DeploymentSpec spec, ImageHistory history) {
        Optional<String> newest = history.good().stream().max(VersionOrder.INSTANCE);
        String wanted = spec.pinned() ? spec.version()
                : spec.channel().equals(DeploymentSpec.LATEST) ? newest.orElse(null)
                : history.channel().isEmpty() ? null : history.channel().get(0);
        if (wanted == null) {
            return Decision.waitFor(spec.pinned() || spec.channel().equals(DeploymentSpec.LATEST)
                    ? spec.image() + " has no published version in " + spec.format() + " yet"
                    : "channel " + spec.channel() + " of " + spec.image() + " does not point at a version yet");
        }
        String revocation = history.revoked().get(wanted);
        if (revocation == null) {
            return history.good().contains(wanted) ? Decision.run(wanted)
                    : Decision.waitFor(spec.image() + " " + wanted + " is not published in " + spec.format() + " (yet)");
        }
        String why = wanted + " was revoked (" + revocation + ")";
        if (spec.onRevoked().equals("stop")) {
            return Decision.stop(why + "; onRevoked: stop");
        }
        // replace: a channel goes back to the newest version it pointed at that is still good; a pinned fleet to the
        // image's newest good version.
        Optional<String> replacement = spec.pinned() ? newest : history.channel().stream().filter(history.good()::contains).findFirst();
        return replacement.map(Decision::run).orElse(Decision.stop(why + " and there is no good version to replace it with"));
    }
}
