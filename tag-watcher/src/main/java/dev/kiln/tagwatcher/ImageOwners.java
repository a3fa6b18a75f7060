package dev.kiln.tagwatcher;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which repository may release each image name: the one the operator assigned it to
 * ({@code kiln.watcher.repositories.<name>.images}), else the one that released it first (the ledger).
 */
final class ImageOwners {
    private final Map<String, String> assigned;
    private final Map<String, String> firstReleased;

    private ImageOwners(Map<String, String> assigned, Map<String, String> firstReleased) {
        this.assigned = Map.copyOf(assigned);
        this.firstReleased = new HashMap<>(firstReleased);
    }

    /** @param assigned image name → repository, from the operator; @param firstReleased the same, from the ledger */
    static ImageOwners of(Map<String, String> assigned, Map<String, String> firstReleased) {
        return new ImageOwners(assigned, firstReleased);
    }

    /** Image name → repository, from every watched repository's {@code images}; a name given to two is refused. */
    static Map<String, String> assigned(Map<String, WatcherConfig.Repository> repositories) {
        Map<String, String> assigned = new java.util.TreeMap<>();
        repositories.forEach((name, repo) -> repo.images().orElse(java.util.List.of()).forEach(image -> {
            String other = assigned.putIfAbsent(image, name);
            if (other != null && !other.equals(name)) {
                throw new IllegalArgumentException("kiln.watcher: image " + image + " is assigned to both repositories " + other
                        + " and " + name + " (kiln.watcher.repositories.<name>.images); give it to one");
            }
        }));
        return assigned;
    }

    static ImageOwners firstReleaseOnly(Map<String, String> firstReleased) {
        return of(Map.of(), firstReleased);
    }

    /** Why {@code repository} may not release {@code image}, or empty when it may. */
    Optional<String> refusal(String image, String repository) {
        String operator = assigned.get(image);
        if (operator != null) {
            return operator.equals(repository) ? Optional.empty() : Optional.of("image " + image + " is assigned to repository " + operator
                    + " by the operator (kiln.watcher.repositories." + operator + ".images); a repository may release only its own images");
        }
        String first = firstReleased.get(image);
        if (first != null && !first.equals(repository)) {
            return Optional.of("image " + image + " belongs to repository " + first + ", which released it first; a repository "
                    + "may release only its own images (rename the image in kiln.yaml, or release it from " + first + ")");
        }
        return Optional.empty();
    }

    void released(String image, String repository) {
        firstReleased.putIfAbsent(image, repository);
    }
}
