package dev.kiln.tagwatcher;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/** One repository as configured under {@code kiln.watcher.repositories.<name>}, checked at startup. */
public record WatchedRepository(String name, String url, TagPattern pattern, Duration pollInterval,
                                Optional<String> username, Optional<String> password, Optional<Path> sshKey,
                                Optional<String> webhookSecret) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public WatchedRepository {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("kiln.watcher.repositories." + name
                    + ": the name must be 1-63 characters of a-z, 0-9, '.', '_', '-' (it is used in URLs and Kafka ids)");
        }
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("kiln.watcher.repositories." + name + ".poll-interval must be positive");
        }
    }

    static WatchedRepository of(String name, WatcherConfig.Repository config) {
        return new WatchedRepository(name, config.url(), TagPattern.parse(config.tagPattern()), config.pollInterval(),
                config.username(), config.password(), config.sshKey(), config.webhookSecret());
    }

    static WatchedRepository local(String name, Path path) {
        return new WatchedRepository(name, path.toString(), TagPattern.parse("release-*"), Duration.ofSeconds(30),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** The URL as events and the API show it: without any user or password embedded in it. */
    public String publicUrl() {
        if (!url.contains("://")) {
            return url;
        }
        try {
            URI uri = URI.create(url);
            if (uri.getUserInfo() == null) {
                return url;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), uri.getQuery(), null).toString();
        } catch (Exception e) {
            return url.replaceAll("//[^/@]*@", "//");
        }
    }
}
