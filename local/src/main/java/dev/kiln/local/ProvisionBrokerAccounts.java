package dev.kiln.local;

import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaAccount;
import dev.kiln.stack.KafkaAcls;
import dev.kiln.stack.KafkaBroker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Provisions every {@link ServiceAccount} on a broker that kiln did not start (docker-compose's, an operator's):
 * SCRAM users, topics and ACLs, as the administrator. Everything comes from the environment, never the command line:
 * {@code KAFKA_BOOTSTRAP_SERVERS}, {@code KILN_KAFKA_ADMIN_PASSWORD}, and one {@code KILN_KAFKA_PASSWORD_<ACCOUNT>}
 * per account ({@code KILN_KAFKA_PASSWORD_TAG_WATCHER}, ..._BUILDER, ..._SEALER_VERIFIER, ..._REGISTRY, ..._OBSERVER).
 * Rotating a password is running it again with the new one, then restarting the service that uses it.
 * Exit 0 when all are in place, 1 on failure, 2 when a setting is missing.
 */
public final class ProvisionBrokerAccounts {
    private static final Duration BROKER_WAIT = Duration.ofMinutes(3);

    private ProvisionBrokerAccounts() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(System.getenv(), BROKER_WAIT));
    }

    /** The exit status: 0 all provisioned, 1 the broker refused or never answered within {@code wait}, 2 a setting is missing. */
    static int run(Map<String, String> env, Duration wait) throws InterruptedException {
        List<String> names = new ArrayList<>(List.of("KAFKA_BOOTSTRAP_SERVERS", "KILN_KAFKA_ADMIN_PASSWORD"));
        Arrays.stream(ServiceAccount.values()).map(ProvisionBrokerAccounts::passwordVariable).forEach(names::add);
        List<String> missing = names.stream().filter(n -> env.get(n) == null || env.get(n).isBlank()).toList();
        if (!missing.isEmpty()) {
            System.err.println("kiln: set " + String.join(", ", missing) + " (each a generated secret, e.g. openssl rand -hex 24)");
            return 2;
        }
        Map<String, Object> admin = KafkaBroker.adminClientConfig(env.get("KAFKA_BOOTSTRAP_SERVERS").strip(),
                env.get("KILN_KAFKA_ADMIN_PASSWORD").strip());
        for (ServiceAccount service : ServiceAccount.values()) {
            String password = env.get(passwordVariable(service)).strip();
            KafkaAccount account = ServiceAccounts.of(service);
            Instant deadline = Instant.now().plus(wait);
            while (true) {
                try {
                    KafkaAcls.apply(admin, account, password);
                    System.out.println("kiln: Kafka account " + account.user() + " in place");
                    break;
                } catch (IllegalStateException e) {
                    // The broker may still be starting (compose starts both at once): retry until the deadline.
                    if (Instant.now().isAfter(deadline)) {
                        System.err.println("kiln: " + e.getMessage());
                        return 1;
                    }
                    Thread.sleep(2000);
                }
            }
        }
        return 0;
    }

    static String passwordVariable(ServiceAccount service) {
        return "KILN_KAFKA_PASSWORD_" + service.name().toUpperCase(Locale.ROOT);
    }
}
