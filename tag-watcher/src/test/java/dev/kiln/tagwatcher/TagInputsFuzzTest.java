package dev.kiln.tagwatcher;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a repository and a forge send the tag-watcher: tag names (against any pattern an operator may configure) and
 * webhook signatures. Any input is decided, never thrown on; what is accepted is safe to pass on. Inputs:
 * TagInputsFuzzTestInputs/.
 */
class TagInputsFuzzTest {
    private static final Pattern SAFE_VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._+-]*");

    @FuzzTest(maxDuration = "5m")
    void aTagIsAcceptedWithASafeVersionOrRefusedWithAReason(FuzzedDataProvider data) {
        TagPattern pattern;
        try {
            pattern = TagPattern.parse(data.consumeString(40));
        } catch (IllegalArgumentException refused) {
            assertFalse(refused.getMessage().isBlank());
            return;
        }
        String tag = data.consumeRemainingAsString();
        Optional<String> refusal = TagNamePolicy.refusal(tag, pattern);
        if (refusal.isPresent()) {
            assertFalse(refusal.get().isBlank());
            return;
        }
        String version = pattern.versionOf(tag).orElseThrow();
        assertTrue(SAFE_VERSION.matcher(version).matches() && !version.contains(".."), version);
        assertTrue(tag.length() <= TagNamePolicy.MAX_LENGTH);
        // What the watcher accepts, every consumer's event decoder accepts too (one rule, in events).
        new dev.kiln.events.Release("image", version, tag, "repository", "a".repeat(40));
    }

    @FuzzTest(maxDuration = "5m")
    void aWebhookIsAuthenticOnlyWithTheRightSignature(FuzzedDataProvider data) {
        String secret = data.consumeString(32);
        String github = data.consumeBoolean() ? data.consumeString(80) : null;
        String gitea = data.consumeBoolean() ? data.consumeString(80) : null;
        String gitlab = data.consumeBoolean() ? data.consumeString(40) : null;
        byte[] body = data.consumeRemainingAsBytes();
        Optional<String> problem = WebhookSignature.problem(secret, body, github, gitea, gitlab);
        if (secret.isEmpty()) {
            assertTrue(problem.isPresent(), "nothing is authentic without a secret");
            return;
        }
        String right = WebhookSignature.hmac(secret, body);
        boolean authentic = github != null ? github.equalsIgnoreCase("sha256=" + right) && github.startsWith("sha256=")
                : gitea != null ? gitea.equalsIgnoreCase(right) : gitlab != null && gitlab.equals(secret);
        assertEquals(authentic, problem.isEmpty(), problem.orElse("accepted"));
        assertEquals(Optional.empty(), WebhookSignature.problem(secret, body, "sha256=" + right, null, null));
    }
}
