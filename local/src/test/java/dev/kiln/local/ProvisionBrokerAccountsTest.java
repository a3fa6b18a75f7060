package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaCredentials;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The compose path: accounts provisioned on a broker kiln did not start, from the environment alone. */
class ProvisionBrokerAccountsTest {
    private final KafkaBroker broker = KafkaBroker.shared();

    @Test
    void provisionsEveryAccountWithTheOperatorsPasswords() throws Exception {
        Map<String, String> env = environment(Files.readString(broker.home().resolve("admin-password")).strip());
        assertEquals(0, ProvisionBrokerAccounts.run(env, Duration.ofSeconds(30)));

        KafkaCredentials builder = new KafkaCredentials(broker.bootstrapServers(), ServiceAccount.BUILDER.user(),
                env.get("KILN_KAFKA_PASSWORD_BUILDER"));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(builder.clientConfig(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(EventType.IMAGE_BUILT.topic(), "provisioned/raw", "{}")).get(30, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(ExecutionException.class, () -> producer.send(
                    new ProducerRecord<>(EventType.IMAGE_PUBLISHED.topic(), "provisioned/raw", "{}")).get(30, TimeUnit.SECONDS));
            assertEquals("TopicAuthorizationException", refused.getCause().getClass().getSimpleName());
        } finally {
            // Back to the passwords the other tests in this JVM read from the broker's account files.
            for (ServiceAccount account : ServiceAccount.values()) {
                ServiceAccounts.provision(broker, account);
            }
        }
    }

    @Test
    void aMissingSettingIsNamedAndNothingIsTried() throws Exception {
        Map<String, String> env = environment("unused");
        env.remove("KILN_KAFKA_PASSWORD_REGISTRY");
        assertEquals(2, ProvisionBrokerAccounts.run(env, Duration.ofSeconds(1)));
    }

    @Test
    void aWrongAdministratorPasswordFails() throws Exception {
        assertEquals(1, ProvisionBrokerAccounts.run(environment("f".repeat(48)), Duration.ofSeconds(3)));
    }

    private Map<String, String> environment(String adminPassword) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        env.put("KILN_KAFKA_ADMIN_PASSWORD", adminPassword);
        for (ServiceAccount account : ServiceAccount.values()) {
            env.put(ProvisionBrokerAccounts.passwordVariable(account), "operator-chosen-" + account.name().toLowerCase());
        }
        return env;
    }
}
