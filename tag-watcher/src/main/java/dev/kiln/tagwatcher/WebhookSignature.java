package dev.kiln.tagwatcher;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Proof that a push notification came from the forge that knows the repository's webhook secret: GitHub's
 * {@code X-Hub-Signature-256} and Gitea's {@code X-Gitea-Signature} (HMAC-SHA256 of the body), or GitLab's
 * {@code X-Gitlab-Token} (the secret itself). Compared in constant time.
 */
final class WebhookSignature {
    private WebhookSignature() {
    }

    /** Empty when the request is authentic; otherwise why not. */
    static Optional<String> problem(String secret, byte[] body, String githubSignature, String giteaSignature, String gitlabToken) {
        if (secret == null || secret.isEmpty()) {
            // Found by fuzzing: the HMAC throws on an empty key. Configuration counts an empty value as unset, but this
            // check should not rely on it: no secret authenticates nothing.
            return Optional.of("the repository's webhook secret is empty: set kiln.watcher.repositories.<name>.webhook-secret");
        }
        if (githubSignature != null) {
            if (!githubSignature.startsWith("sha256=")) {
                return Optional.of("X-Hub-Signature-256 must be 'sha256=' followed by the HMAC in hex");
            }
            return matches(hmac(secret, body), githubSignature.substring("sha256=".length()), "X-Hub-Signature-256");
        }
        if (giteaSignature != null) {
            return matches(hmac(secret, body), giteaSignature, "X-Gitea-Signature");
        }
        if (gitlabToken != null) {
            return MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8), gitlabToken.getBytes(StandardCharsets.UTF_8))
                    ? Optional.empty() : Optional.of("X-Gitlab-Token does not match the repository's webhook secret");
        }
        return Optional.of("no X-Hub-Signature-256 (GitHub), X-Gitea-Signature (Gitea) or X-Gitlab-Token (GitLab) header");
    }

    static String hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<String> matches(String expected, String given, String header) {
        boolean equal = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        return equal ? Optional.empty() : Optional.of(header + " does not match the body signed with the repository's webhook secret");
    }
}
