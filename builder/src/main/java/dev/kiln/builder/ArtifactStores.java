package dev.kiln.builder;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The configured store: {@code kiln.builder.store.kind} = file (default) or s3. */
@ApplicationScoped
class ArtifactStores {
    @Produces
    @ApplicationScoped
    ArtifactStore store(BuilderConfig config) {
        return switch (config.store().kind()) {
            case "file" -> new FileArtifactStore(config.store().directory());
            case "s3" -> S3ArtifactStore.of(config.store().s3());
            default -> throw new IllegalArgumentException("kiln.builder.store.kind must be 'file' or 's3', not '" + config.store().kind() + "'");
        };
    }
}
