package dev.kiln.tagwatcher;

import io.smallrye.health.api.Wellness;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * Whether every watched repository could be scanned last time. A wellness check, shown in
 * {@code /q/health} and {@code /q/health/well}, deliberately not in readiness: one unreachable repository must not
 * take the webhooks and the API of the others out of service.
 */
@ApplicationScoped
@Wellness
public class RepositoriesHealthCheck implements HealthCheck {
    private final TagWatcher watcher;

    RepositoriesHealthCheck(TagWatcher watcher) {
        this.watcher = watcher;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("git repositories").up();
        for (RepositoryView repo : watcher.repositories()) {
            response.withData(repo.name(), repo.state() + (repo.lastError() == null ? "" : ": " + repo.lastError()));
            if ("FAILING".equals(repo.state())) {
                response.down();
            }
        }
        return response.build();
    }
}
