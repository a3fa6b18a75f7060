package dev.kiln.deploy;

import dev.kiln.events.TransientRetry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.UUID;

/**
 * The declarations file, read at every start before any rollout: a deployment it declares is created or changed (an
 * unchanged one is left alone), so the file and the API agree with what runs. A file that does not parse stops the
 * service with the reason, before anything is changed.
 */
@ApplicationScoped
public class DeclaredDeployments {
    private static final Logger LOG = Logger.getLogger(DeclaredDeployments.class);

    void onStart(@Observes StartupEvent start, DeployConfig config, DeployLedger ledger, Rollouts rollouts) throws IOException, InterruptedException {
        if (config.declarations().isPresent()) {
            var file = config.declarations().get();
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("kiln.deploy.declarations names " + file + ", which is not a file");
            }
            for (DeploymentSpec spec : DeploymentSpec.parseFile(Files.readString(file))) {
                String id = declarationId(spec);
                boolean changed = TransientRetry.untilDone("declaring " + spec.name(), () -> ledger.declare(spec, id));
                LOG.infof("deployment %s %s from %s", spec.name(), changed ? "declared" : "unchanged", file);
            }
        }
        rollouts.start();
    }

    /** The same declaration always has the same id: the cause its rollouts name. */
    static String declarationId(DeploymentSpec spec) {
        return UUID.nameUUIDFromBytes(("declared\n" + spec.json()).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
