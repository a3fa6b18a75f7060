package dev.kiln.tagwatcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** {@code kiln.watcher.*}: which repositories to watch and how. */
@ConfigMapping(prefix = "kiln.watcher")
public interface WatcherConfig {

    /** Watched repositories by name; the name appears in the REST API, webhooks URLs and logs. */
    Map<String, Repository> repositories();

    /**
     * On the first scan of a repository, emit its existing matching tags too. By default they are only
     * recorded, and only tags that appear afterwards are built.
     */
    @WithDefault("false")
    boolean emitExistingTags();

    /** Where remote repositories are mirrored (bare clones, fetched on each scan). */
    @WithDefault("/var/tmp/kiln/state/tag-watcher/mirrors")
    Path mirrors();

    /** Compacted topic holding every tag seen per repository: the durable memory that makes emission exactly-once. */
    @WithDefault("kiln.tag-watcher.ledger.v1")
    String ledgerTopic();

    /** CloudEvent source of this service's events. */
    @WithDefault("/kiln/tag-watcher")
    String eventSource();

    /** Longest wait between retries of an unreachable repository. */
    @WithDefault("10m")
    Duration maxBackoff();

    interface Repository {
        /** A local path (bare or with a work tree), or a {@code file://}, {@code http(s)://} or {@code ssh://} URL. */
        String url();

        /** Glob with one {@code *}, which is the version: {@code release-*} makes {@code release-0.1.0} version {@code 0.1.0}. */
        @WithDefault("release-*")
        String tagPattern();

        @WithDefault("30s")
        Duration pollInterval();

        /**
         * Image names this repository alone may release, as the operator decides (no other repository may, even one
         * that released the name first). Unset: a name belongs to the repository that releases it first.
         */
        Optional<java.util.List<String>> images();

        /** For http(s) remotes. */
        Optional<String> username();

        Optional<String> password();

        /** For ssh remotes: the private key to log in with. */
        Optional<Path> sshKey();

        /** Secret for webhook signatures (GitHub, Gitea) or tokens (GitLab); without it webhooks are refused. */
        Optional<String> webhookSecret();
    }
}
