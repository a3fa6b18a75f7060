package dev.kiln.local;

import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaCredentials;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/**
 * Points a service's Quarkus test at the JVM's shared real broker, signed in as the service's own account, so the
 * test runs under the same ACLs as production: {@code @QuarkusTestResource(value = ServiceKafkaResource.class,
 * initArgs = @ResourceArg(name = "account", value = "BUILDER"))}. Tests that play other parties (a forged
 * or malformed event) use {@link KafkaBroker#adminClientConfig()}.
 */
public class ServiceKafkaResource implements QuarkusTestResourceLifecycleManager {
    private ServiceAccount account;

    @Override
    public void init(Map<String, String> initArgs) {
        String name = initArgs.get("account");
        if (name == null) {
            throw new IllegalArgumentException("ServiceKafkaResource needs initArgs account=<ServiceAccount constant>");
        }
        account = ServiceAccount.valueOf(name);
    }

    @Override
    public Map<String, String> start() {
        KafkaBroker broker = KafkaBroker.shared();
        KafkaCredentials credentials = ServiceAccounts.provision(broker, account);
        // The same keys the service reads in production (KILN_KAFKA_USER, KILN_KAFKA_PASSWORD); never a command line.
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(),
                "kiln.kafka.user", credentials.user(),
                "kiln.kafka.password", credentials.password());
    }

    @Override
    public void stop() {
        // The broker outlives one application start: other test classes in this JVM use it too.
    }
}
