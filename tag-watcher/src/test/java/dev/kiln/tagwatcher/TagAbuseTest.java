package dev.kiln.tagwatcher;

import dev.kiln.events.ReleaseTagged;
import dev.kiln.events.ServiceAccount;
import dev.kiln.local.ServiceAccounts;
import dev.kiln.stack.KafkaBroker;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tag-watcher's part of the abuse table (docs/security.md): hostile tag names and kiln.yaml files pushed to one
 * real repository. Each tag is refused alone with its reason in the ledger (which the API shows), nothing is emitted
 * for it, and the good tag pushed after them all is still released.
 */
class TagAbuseTest {
    @TempDir
    Path temp;

    private static String good(String image) {
        return GitFixture.kilnFile(image);
    }

    /** Tag names, each on a commit with a good kiln.yaml, and what the refusal must say. */
    private static Map<String, String> badTagNames() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("release-1.0;reboot", "shell metacharacter");
        tags.put("release-$(id)", "shell metacharacter");
        tags.put("release-1.0`id`", "shell metacharacter");
        tags.put("release-1.0|tee", "shell metacharacter");
        tags.put("release-1.0%00", "shell metacharacter");
        tags.put("release-" + "9".repeat(200), "longer than 128");
        tags.put("release-.hidden", "version '.hidden' must be");
        tags.put("release-1.0-\u00fc", "version '1.0-\u00fc' must be");
        tags.put("release-1.0\u202egpj", "must be");
        tags.put("release-1.0/../../etc", "not a valid git tag name");
        tags.put("release-x/y", "contains '/'");
        tags.put("release-1.0 beta", "not a valid git tag name");
        return tags;
    }

    /** kiln.yaml contents, each on its own commit and tag, and what the refusal must say. */
    private static Map<String, String> badKilnFiles(String image) {
        String good = good(image);
        Map<String, String> files = new LinkedHashMap<>();
        files.put("image: a: b\n", "not valid YAML");
        files.put("", "kiln.yaml is empty");
        files.put("- just\n- a list\n", "must be a mapping of keys");
        files.put(good.replace("image:", "imagee:"), "'image' is missing");
        files.put(good + "upstream_url: https://elsewhere.example.org/x.qcow2\n", "unknown key 'upstream_url'");
        files.put(good.replace("image: " + image, "image: Not A Name"), "'image' must be");
        files.put(good + "formats: [qcow2, iso]\n", "lists 'iso'");
        files.put(good + "formats: []\n", "'formats' is empty");
        files.put(good.replace("https://cloud.example.org", "ftp://cloud.example.org"), "'upstream.url' must be an https://");
        files.put(good.replace("b".repeat(64), "B".repeat(64)), "'upstream.sha256' must be");
        files.put(good.replace("packer/image.pkr.hcl", "../../etc/passwd"), "'build.template' must be a relative path");
        files.put(good.replace("ansible/playbook.yml", "/etc/shadow"), "'build.playbook' must be a relative path");
        files.put(good.replace("build:\n", "build:\n  timeout: forever\n"), "'build.timeout' must be a duration");
        files.put(good.replace("build:\n", "build:\n  timeout: 0s\n"), "'build.timeout' must be longer than zero");
        files.put(good + "verify:\n  relax:\n    - rule: ssh-hostkeys\n", "'verify.relax.reason' is missing");
        // The billion laughs: nine levels of ten aliases each would expand to 10^9 strings.
        StringBuilder laughs = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int level = 1; level < 9; level++) {
            laughs.append("a").append(level).append(": &a").append(level).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(10, "*a" + (level - 1)))).append("]\n");
        }
        files.put(laughs + good, "unknown key 'a0'");
        files.put("# padding\n".repeat(120_000) + good, "bytes; at most");
        return files;
    }

    @Test
    void everyHostileTagIsRefusedAloneWithItsReasonAndTheNextGoodTagIsReleased() throws Exception {
        String image = "debian-abuse-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> kafka = ServiceAccounts.provision(KafkaBroker.shared(), ServiceAccount.TAG_WATCHER).clientConfig();
        TagLedger ledger = new TagLedger("kiln.tag-watcher.ledger.abuse-" + UUID.randomUUID(), kafka);
        ledger.ensureTopic();
        RepositoryScan watcher = new RepositoryScan(ledger, kafka, temp.resolve("mirrors"), false, URI.create("/kiln/tag-watcher"), Clock.systemUTC());
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            RevCommit goodCommit = git.commit("kiln.yaml", good(image));
            WatchedRepository repo = WatchedRepository.local("abuse", git.dir());
            watcher.scan(repo);

            Map<String, String> expected = new LinkedHashMap<>();
            for (Map.Entry<String, String> tag : badTagNames().entrySet()) {
                // Written as a ref file, as a push from any Git would store it: JGit's own API refuses some of these names.
                Path ref = git.dir().resolve(".git/refs/tags").resolve(tag.getKey());
                if (ref.normalize().startsWith(git.dir().resolve(".git/refs/tags")) && !tag.getKey().contains("\u0000")) {
                    Files.createDirectories(ref.getParent());
                    Files.writeString(ref, goodCommit.name() + "\n", StandardCharsets.UTF_8);
                    expected.put(tag.getKey(), tag.getValue());
                }
            }
            int n = 0;
            for (Map.Entry<String, String> file : badKilnFiles(image).entrySet()) {
                git.commit("kiln.yaml", file.getKey());
                String tag = "release-2.0." + n++;
                git.lightweightTag(tag);
                expected.put(tag, file.getValue());
            }
            git.remove("kiln.yaml");
            git.lightweightTag("release-2.1.0");
            expected.put("release-2.1.0", "no kiln.yaml");
            git.commitSymlink("kiln.yaml", Path.of("/etc/passwd"));
            git.lightweightTag("release-2.2.0");
            expected.put("release-2.2.0", "is not a regular file");
            git.remove("kiln.yaml");
            git.commit("kiln.yaml/image", image);
            git.lightweightTag("release-2.3.0");
            expected.put("release-2.3.0", "is not a regular file");
            git.remove("kiln.yaml/image");
            git.commit("kiln.yaml", good(image));
            git.annotatedTag("release-3.0.0");

            RepositoryScan.Result result = watcher.scan(repo);

            List<String> wrong = new ArrayList<>();
            for (Map.Entry<String, String> tag : expected.entrySet()) {
                LedgerEntry entry = result.ledger().get(tag.getKey());
                if (entry == null || entry.status() != LedgerEntry.Status.REFUSED || entry.reason() == null || !entry.reason().contains(tag.getValue())) {
                    wrong.add(tag.getKey() + " -> " + (entry == null ? "not in the ledger" : entry.status() + ": " + entry.reason()));
                }
            }
            assertTrue(wrong.isEmpty(), "not refused as expected:\n" + String.join("\n", wrong));
            assertTrue(expected.size() >= 30, "the table: " + expected.size() + " hostile tags");
            List<ReleaseTagged> released = EmittedEvents.read(ReleaseTagged.class, e -> e.release().repository().equals(repo.publicUrl()));
            assertEquals(List.of("3.0.0"), released.stream().map(e -> e.release().version()).toList(), "only the good tag is released");
        }
    }
}
