package dev.kiln.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The infrastructure half of the local pipeline: a Kafka broker and a PostgreSQL cluster with persistent
 * state, started together and stopped together when this process is stopped (Ctrl-C, SIGTERM).
 * Writes {@code stack.env} with the addresses for the services.
 *
 * <p>Usage: {@code LocalStack STATE_DIR KAFKA_PORT POSTGRES_PORT}
 */
public final class LocalStack {
    private LocalStack() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: LocalStack STATE_DIR KAFKA_PORT POSTGRES_PORT");
            System.exit(2);
        }
        Path state = Path.of(args[0]).toAbsolutePath();
        int kafkaPort = Integer.parseInt(args[1]);
        int postgresPort = Integer.parseInt(args[2]);
        try (KafkaBroker kafka = KafkaBroker.start(state.resolve("kafka"), kafkaPort);
             PostgresCluster postgres = PostgresCluster.start(state.resolve("postgres"), postgresPort)) {
            Path env = state.resolve("stack.env");
            Files.writeString(env, String.join("\n",
                    "KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers(),
                    "QUARKUS_DATASOURCE_REACTIVE_URL=" + postgres.reactiveUrl(),
                    "QUARKUS_DATASOURCE_JDBC_URL=" + postgres.jdbcUrl(),
                    "QUARKUS_DATASOURCE_USERNAME=" + PostgresCluster.USER,
                    ""));
            System.out.println("kiln stack up: Kafka " + kafka.bootstrapServers() + ", PostgreSQL " + postgres.jdbcUrl()
                    + " (state in " + state + ")");
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        } catch (IllegalStateException e) {
            System.err.println("kiln stack: " + e.getMessage());
            System.exit(1);
        }
    }
}
