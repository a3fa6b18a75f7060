package dev.kiln.tagwatcher;

import dev.kiln.events.ServiceAccount;
import dev.kiln.local.ServiceAccounts;

import dev.kiln.events.ReleaseTagViolation;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.stack.KafkaBroker;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Scans of real Git repositories against the real broker: what is emitted, and that it is emitted once. */
class RepositoryScanTest {
    /** The tag-watcher's own broker account: the scan runs under the ACLs it has in production. */
    private static Map<String, Object> kafka;
    private static TagLedger ledger;

    @TempDir
    Path temp;

    @BeforeAll
    static void broker() throws Exception {
        kafka = ServiceAccounts.provision(KafkaBroker.shared(), ServiceAccount.TAG_WATCHER).clientConfig();
        ledger = new TagLedger("kiln.tag-watcher.ledger.test", kafka);
        ledger.ensureTopic();
    }

    /** An image name of this test alone: names are owned ledger-wide, by the repository that releases them first. */
    private static String image(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A watcher instance: its own mirrors, as a separate process would have. */
    private RepositoryScan instance(boolean emitExisting) {
        return new RepositoryScan(ledger, kafka, temp.resolve("mirrors-" + UUID.randomUUID()),
                emitExisting, URI.create("/kiln/tag-watcher"), Clock.systemUTC());
    }

    private static WatchedRepository repo(GitFixture git) {
        return WatchedRepository.local("r" + UUID.randomUUID().toString().substring(0, 8), git.dir());
    }

    private static List<ReleaseTagged> tagged(WatchedRepository repo) {
        return EmittedEvents.read(ReleaseTagged.class, e -> e.release().repository().equals(repo.publicUrl()));
    }

    private static List<ReleaseTagViolation> violations(WatchedRepository repo) {
        return EmittedEvents.read(ReleaseTagViolation.class, e -> e.release().repository().equals(repo.publicUrl()));
    }

    @Test
    void aNewAnnotatedTagGivesOneEventWithTheReleaseFields() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            String image = image("debian-web");
            git.commitKilnFile(image);
            WatchedRepository repo = repo(git);
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            RevCommit commit = git.commit("README.md", "hello");
            git.annotatedTag("release-0.1.0");

            RepositoryScan.Result result = watcher.scan(repo);

            assertEquals(1, result.events());
            List<ReleaseTagged> events = tagged(repo);
            assertEquals(1, events.size());
            ReleaseTagged event = events.get(0);
            assertEquals(image, event.release().image());
            assertEquals("0.1.0", event.release().version());
            assertEquals("release-0.1.0", event.release().tag());
            assertEquals(commit.name(), event.release().commit());
            assertNotNull(event.tagObject());
            assertTrue(!event.tagObject().equals(commit.name()), "the tag object is not the commit");
            assertEquals("Rel Easer <releaser@example.org>", event.tagger());
            assertEquals(commit.getCommitTime(), event.sourceDateEpoch());
            assertEquals(LedgerEntry.Status.RELEASED, result.ledger().get("release-0.1.0").status());
        }
    }

    @Test
    void aLightweightTagHasNoTagObjectAndTheCommitterAsTagger() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            git.commitKilnFile(image("debian-db"));
            WatchedRepository repo = repo(git);
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            RevCommit commit = git.commit("README.md", "light");
            git.lightweightTag("release-2.0.0-rc.1");
            git.lightweightTag("v9.9.9"); // does not match release-*: ignored

            watcher.scan(repo);

            List<ReleaseTagged> events = tagged(repo);
            assertEquals(1, events.size());
            assertEquals("2.0.0-rc.1", events.get(0).release().version());
            assertNull(events.get(0).tagObject());
            assertEquals("Com Mitter <committer@example.org>", events.get(0).tagger());
            assertEquals(commit.name(), events.get(0).release().commit());
        }
    }

    @Test
    void aRestartedWatcherDoesNotEmitAgain() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            git.commitKilnFile(image("debian-web"));
            WatchedRepository repo = repo(git);
            instance(false).scan(repo);
            git.annotatedTag("release-1.0.0");
            instance(false).scan(repo);

            RepositoryScan.Result afterRestart = instance(false).scan(repo);
            instance(false).scan(repo);

            assertEquals(0, afterRestart.events());
            assertEquals(1, tagged(repo).size());
        }
    }

    @Test
    void twoInstancesScanningAtOnceEmitOnce() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            git.commitKilnFile(image("debian-web"));
            WatchedRepository repo = repo(git);
            instance(false).scan(repo);
            git.annotatedTag("release-1.1.0");
            git.commit("b", "b");
            git.lightweightTag("release-1.2.0");

            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 3; round++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<RepositoryScan.Result>> scans = new ArrayList<>();
                    for (RepositoryScan watcher : List.of(instance(false), instance(false))) {
                        Callable<RepositoryScan.Result> scan = () -> {
                            go.await();
                            return watcher.scan(repo);
                        };
                        scans.add(pool.submit(scan));
                    }
                    go.countDown();
                    for (Future<RepositoryScan.Result> scan : scans) {
                        scan.get();
                    }
                }
            } finally {
                pool.shutdownNow();
            }

            List<ReleaseTagged> events = tagged(repo);
            assertEquals(List.of("release-1.1.0", "release-1.2.0"), events.stream().map(e -> e.release().tag()).sorted().toList());
        }
    }

    @Test
    void aMovedOrDeletedReleaseTagIsAViolationAndNeverRebuilt() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            RevCommit released = git.commitKilnFile(image("debian-web"));
            WatchedRepository repo = repo(git);
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            git.annotatedTag("release-3.0.0");
            git.lightweightTag("release-3.1.0");
            watcher.scan(repo);
            RevCommit other = git.commit("sneaky", "change after release");

            git.moveTag("release-3.0.0", other);
            git.deleteTag("release-3.1.0");
            RepositoryScan.Result result = watcher.scan(repo);
            watcher.scan(repo); // seen again: nothing new to say

            assertEquals(2, tagged(repo).size(), "no rebuild: only the two original ReleaseTagged");
            List<ReleaseTagViolation> violations = violations(repo);
            assertEquals(2, violations.size());
            ReleaseTagViolation moved = violations.stream().filter(v -> v.kind().equals("moved")).findFirst().orElseThrow();
            assertEquals("release-3.0.0", moved.release().tag());
            assertEquals(released.name(), moved.release().commit());
            assertEquals(other.name(), moved.currentCommit());
            ReleaseTagViolation deleted = violations.stream().filter(v -> v.kind().equals("deleted")).findFirst().orElseThrow();
            assertEquals("release-3.1.0", deleted.release().tag());
            assertNull(deleted.currentCommit());
            assertEquals(LedgerEntry.Status.MOVED, result.ledger().get("release-3.0.0").status());
            assertEquals(LedgerEntry.Status.DELETED, result.ledger().get("release-3.1.0").status());
        }
    }

    @Test
    void unsafeTagNamesAndTagsWithoutAValidKilnFileAreRefused() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            git.commit("README.md", "no kiln.yaml yet");
            WatchedRepository repo = repo(git);
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            git.lightweightTag("release-0.0.1");
            git.commitKilnFile("Not A Valid Name");
            git.lightweightTag("release-0.0.2");
            git.commitKilnFile(image("debian-web"));
            git.lightweightTag("release-1.0;reboot");
            git.lightweightTag("release-$(id)");
            git.lightweightTag("release-" + "9".repeat(200));

            RepositoryScan.Result result = watcher.scan(repo);

            assertEquals(0, result.events());
            assertTrue(tagged(repo).isEmpty());
            Map<String, LedgerEntry> ledger = result.ledger();
            assertEquals(LedgerEntry.Status.REFUSED, ledger.get("release-0.0.1").status());
            assertTrue(ledger.get("release-0.0.1").reason().contains("no kiln.yaml"), ledger.get("release-0.0.1").reason());
            assertTrue(ledger.get("release-0.0.2").reason().contains("'image' must be"), ledger.get("release-0.0.2").reason());
            assertTrue(ledger.get("release-1.0;reboot").reason().contains("shell metacharacter"));
            assertTrue(ledger.get("release-$(id)").reason().contains("shell metacharacter"));
            assertTrue(ledger.get("release-" + "9".repeat(200)).reason().contains("longer than"));
        }
    }

    @Test
    void tagsFromBeforeTheWatchAreRecordedNotBuiltUnlessAskedFor() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("repo"))) {
            git.commitKilnFile(image("debian-web"));
            git.lightweightTag("release-0.9.0");
            WatchedRepository quiet = repo(git);
            WatchedRepository eager = repo(git);

            RepositoryScan.Result first = instance(false).scan(quiet);
            instance(true).scan(eager);

            assertEquals(LedgerEntry.Status.EXISTING, first.ledger().get("release-0.9.0").status());
            assertEquals(0, first.events());
            assertEquals(List.of("release-0.9.0"), tagged(eager).stream().map(e -> e.release().tag()).toList());
        }
    }

    @Test
    void aRemoteIsMirroredAndItsDeletedTagsSeen() throws Exception {
        try (GitFixture git = GitFixture.create(temp.resolve("remote"))) {
            git.commitKilnFile(image("debian-web"));
            WatchedRepository repo = new WatchedRepository("remote" + UUID.randomUUID().toString().substring(0, 8),
                    git.dir().toUri().toString(), TagPattern.parse("images/release-*"), java.time.Duration.ofSeconds(30),
                    java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty());
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            git.annotatedTag("images/release-5.0.0");
            watcher.scan(repo);
            git.deleteTag("images/release-5.0.0");
            watcher.scan(repo);

            assertEquals(List.of("5.0.0"), tagged(repo).stream().map(e -> e.release().version()).toList());
            assertEquals(List.of("deleted"), violations(repo).stream().map(ReleaseTagViolation::kind).toList());
        }
    }

    @Test
    void anImageNameBelongsToTheRepositoryThatReleasedItFirst() throws Exception {
        String image = "debian-owned-" + UUID.randomUUID().toString().substring(0, 8);
        try (GitFixture first = GitFixture.create(temp.resolve("first")); GitFixture second = GitFixture.create(temp.resolve("second"))) {
            first.commitKilnFile(image);
            second.commitKilnFile(image);
            WatchedRepository owner = repo(first);
            WatchedRepository other = repo(second);
            RepositoryScan watcher = instance(false);
            watcher.scan(owner);
            watcher.scan(other);
            first.annotatedTag("release-1.0.0");
            watcher.scan(owner);

            second.annotatedTag("release-1.0.1");
            RepositoryScan.Result refused = watcher.scan(other);

            assertEquals(List.of(), tagged(other), "nothing is built for the image from another repository");
            assertEquals(LedgerEntry.Status.REFUSED, refused.ledger().get("release-1.0.1").status());
            List<ReleaseTagViolation> violations = violations(other);
            assertEquals(1, violations.size());
            assertEquals(ReleaseTagViolation.FOREIGN_IMAGE, violations.get(0).kind());
            assertTrue(violations.get(0).reason().contains("belongs to repository " + owner.name()), violations.get(0).reason());
            // The owner goes on releasing; a rescan of the other repository refuses nothing again and builds nothing.
            first.commit("README.md", "more");
            first.annotatedTag("release-1.1.0");
            watcher.scan(owner);
            watcher.scan(other);
            assertEquals(2, tagged(owner).size());
            assertEquals(1, violations(other).size());
        }
    }

    @Test
    void theOperatorCanAssignAnImageNameToARepository() throws Exception {
        String image = "debian-assigned-" + UUID.randomUUID().toString().substring(0, 8);
        try (GitFixture early = GitFixture.create(temp.resolve("early")); GitFixture chosen = GitFixture.create(temp.resolve("chosen"))) {
            early.commitKilnFile(image);
            chosen.commitKilnFile(image);
            WatchedRepository first = repo(early);
            WatchedRepository owner = repo(chosen);
            RepositoryScan watcher = new RepositoryScan(ledger, kafka, temp.resolve("mirrors-" + UUID.randomUUID()), false,
                    URI.create("/kiln/tag-watcher"), Clock.systemUTC(), Map.of(image, owner.name()));
            watcher.scan(first);
            watcher.scan(owner);

            // The first repository to tag it does not get it: the operator gave the name to the other one.
            early.annotatedTag("release-1.0.0");
            RepositoryScan.Result refused = watcher.scan(first);
            assertEquals(List.of(), tagged(first));
            assertEquals(LedgerEntry.Status.REFUSED, refused.ledger().get("release-1.0.0").status());
            ReleaseTagViolation violation = violations(first).get(0);
            assertEquals(ReleaseTagViolation.FOREIGN_IMAGE, violation.kind());
            assertTrue(violation.reason().contains("assigned to repository " + owner.name() + " by the operator"), violation.reason());

            chosen.annotatedTag("release-1.0.0");
            watcher.scan(owner);
            assertEquals(List.of("1.0.0"), tagged(owner).stream().map(e -> e.release().version()).toList());
        }
    }

    @Test
    void twoRepositoriesReleasingOneNewNameAtOnceGetOneOwner() throws Exception {
        String image = "debian-raced-" + UUID.randomUUID().toString().substring(0, 8);
        try (GitFixture a = GitFixture.create(temp.resolve("a")); GitFixture b = GitFixture.create(temp.resolve("b"))) {
            a.commitKilnFile(image);
            b.commitKilnFile(image);
            WatchedRepository left = repo(a);
            WatchedRepository right = repo(b);
            RepositoryScan watcher = instance(false);
            watcher.scan(left);
            watcher.scan(right);
            a.annotatedTag("release-1.0.0");
            b.annotatedTag("release-1.0.0");
            var both = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                var one = both.submit(() -> watcher.scan(left));
                var two = both.submit(() -> watcher.scan(right));
                one.get();
                two.get();
            } finally {
                both.shutdown();
            }
            assertEquals(1, tagged(left).size() + tagged(right).size(), "one repository gets the name");
            assertEquals(1, violations(left).size() + violations(right).size(), "the other is refused");
        }
    }

    @Test
    void anOversizedKilnFileRefusesItsTagAloneAndTheOthersGoOn() throws Exception {
        String image = image("debian-big");
        try (GitFixture git = GitFixture.create(temp.resolve("big"))) {
            git.commitKilnFile(image);
            WatchedRepository repo = repo(git);
            RepositoryScan watcher = instance(false);
            watcher.scan(repo);
            git.commit("kiln.yaml", "# padding\n".repeat(200_000) + "image: " + image + "\n");
            git.annotatedTag("release-1.0.0");
            git.commitKilnFile(image);
            git.annotatedTag("release-1.0.1");

            RepositoryScan.Result result = watcher.scan(repo);

            assertEquals(List.of("1.0.1"), tagged(repo).stream().map(e -> e.release().version()).toList());
            LedgerEntry refused = result.ledger().get("release-1.0.0");
            assertEquals(LedgerEntry.Status.REFUSED, refused.status());
            assertTrue(refused.reason().contains("bytes; at most"), refused.reason());
        }
    }
}
