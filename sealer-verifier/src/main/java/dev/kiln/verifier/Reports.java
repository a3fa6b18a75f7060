package dev.kiln.verifier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The report store, where configuration says. */
@ApplicationScoped
class Reports {
    @Produces
    @ApplicationScoped
    ReportStore store(VerifierConfig config) {
        return new ReportStore(config.reports());
    }
}
