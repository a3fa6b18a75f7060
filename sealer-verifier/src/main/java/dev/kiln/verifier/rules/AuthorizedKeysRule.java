package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * authorized-keys: no account may have authorized SSH keys in the image, at any place the image's sshd reads them from
 * (AuthorizedKeysFile, with %h, %u, %U), for any account in /etc/passwd, through whatever links lie on the way.
 */
final class AuthorizedKeysRule implements SealingRule {
    @Override
    public String id() {
        return "authorized-keys";
    }

    @Override
    public String why() {
        return "A key in authorized_keys opens every clone to whoever holds its private half, for as long as the clones run. "
                + "Keys for real users arrive when a machine starts (cloud-init, instance metadata), never in the image.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<String> patterns = SshdConfig.of(image).authorizedKeysFiles();
        Set<String> seen = new LinkedHashSet<>();
        List<Finding> findings = new ArrayList<>();
        List<ImageTree.Account> accounts = new ArrayList<>(image.accounts());
        if (accounts.stream().noneMatch(a -> a.name().equals("root"))) {
            accounts.add(new ImageTree.Account("root", 0, "/root"));
        }
        for (ImageTree.Account account : accounts) {
            for (String pattern : patterns) {
                String path = SshdConfig.expand(pattern, account);
                if (path != null && seen.add(path) && image.isFile(path) && hasKey(image.read(path).orElse(""))) {
                    findings.add(finding(path, "authorized SSH keys for '" + account.name() + "' shipped in the image"));
                }
            }
        }
        return findings;
    }

    /** A line that is not blank or a comment. */
    private static boolean hasKey(String text) {
        return text.lines().map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("#"));
    }
}
