package dev.kiln.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, no ZooKeeper), run from the
 * Maven Central jars in a JVM of its own so its Scala and logging stack never meets a service's classpath.
 * {@link #start} is the one call that formats (once), starts and waits until the broker answers and has committed a
 * transaction;
 * {@link #close} stops it.
 *
 * <p>Nobody talks to it without a password. Clients authenticate with SASL/SCRAM-SHA-512 as accounts that
 * {@link #provision} makes, and the standard authorizer lets each do only what its {@link KafkaAccount} lists.
 * One administrator, {@value #ADMIN}, authenticates with SASL/PLAIN against a password generated per
 * installation ({@code <home>/admin-password}, 0600); it is the only superuser, used to provision accounts and
 * by tests that play other parties. Its password is in {@code server.properties} (0600) and never on a command line.
 */
public final class KafkaBroker implements AutoCloseable {
    private ExitStop exitStop;

    /**
     * The caller stops this server itself, after the services that use it (./kiln up, the fault drill): its own stop
     * at exit is withdrawn, since shutdown hooks run all at once and it would pull the server from under them.
     */
    public void stoppedByCaller() {
        exitStop.withdraw();
    }

    public static final String ADMIN = "kiln-admin";
    /** Where each start commits its readiness transaction: one small record per start, the time it was ready. */
    public static final String READY_TOPIC = "kiln.stack.ready";
    private static final String READY_TRANSACTION = "kiln-stack-ready";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static KafkaBroker shared;

    private volatile Process process;
    private final int port;
    private final Path home;
    private final String adminPassword;

    private KafkaBroker(Process process, int port, Path home, String adminPassword) {
        this.process = process;
        this.port = port;
        this.home = home;
        this.adminPassword = adminPassword;
    }

    /**
     * Starts a broker keeping its data in {@code home}: a fresh directory gives a new cluster, an existing one
     * is reused as it is (the local stack's persistent state).
     */
    public static KafkaBroker start(Path home, int port) {
        LoopbackPorts.requireFree(port, "Kafka", "KILN_KAFKA_PORT");
        try {
            Files.createDirectories(home);
            String adminPassword = SecretFile.readOrCreate(home.resolve("admin-password"));
            Path config = writeConfig(home, port, LoopbackPorts.free(), adminPassword);
            Path log = home.resolve("broker.out");
            List<String> java = javaCommand(home);
            if (!Files.exists(home.resolve("data/meta.properties"))) {
                List<String> format = new ArrayList<>(java);
                // "=": a base64 id may start with "-", which the tool would take for an option.
                format.addAll(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + newClusterId(),
                        "--config", config.toString(), "--ignore-formatted"));
                ChildProcess.run(format, log, Duration.ofMinutes(2));
            }
            KafkaBroker broker = new KafkaBroker(serve(home), port, home, adminPassword);
            broker.exitStop = new ExitStop(broker::close, "kafka-broker-stop");
            broker.awaitReady();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka in " + home, e);
        }
    }

    /** One broker per JVM for tests, on a free port with its data in a temporary directory, stopped at exit. */
    public static synchronized KafkaBroker shared() {
        if (shared == null || !shared.process.isAlive()) {
            try {
                Path home = Files.createTempDirectory("kiln-kafka-");
                shared = start(home, LoopbackPorts.free());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> TempDirs.delete(home), "kafka-broker-clean"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a temporary directory for Kafka", e);
            }
        }
        return shared;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Client configuration of the administrator: every right, for provisioning and for tests playing other parties. */
    public Map<String, Object> adminClientConfig() {
        return adminClientConfig(bootstrapServers(), adminPassword);
    }

    /** The administrator's client configuration for any broker set up as this one is (compose's, too). */
    public static Map<String, Object> adminClientConfig(String bootstrapServers, String adminPassword) {
        return Map.of("bootstrap.servers", bootstrapServers, "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", KafkaCredentials.jaas("org.apache.kafka.common.security.plain.PlainLoginModule", ADMIN, adminPassword));
    }

    /**
     * Makes {@code account} real: its SCRAM user (password generated once, kept in {@code <home>/accounts}, 0600),
     * the topics it reads and writes (so it needs no right to create them), and exactly the ACLs it lists.
     * Safe to repeat on every start: existing users keep their password, topics and ACLs are not duplicated.
     */
    public KafkaCredentials provision(KafkaAccount account) {
        String password = SecretFile.readOrCreate(home.resolve("accounts").resolve(account.user() + ".password"));
        KafkaAcls.apply(adminClientConfig(), account, password);
        return new KafkaCredentials(bootstrapServers(), account.user(), password);
    }

    public int port() {
        return port;
    }

    /** Where its data, logs and generated passwords live. */
    public Path home() {
        return home;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Kills the broker as a crash would (SIGKILL, no clean shutdown): for tests and the fault drill. */
    public synchronized void crash() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while crashing Kafka", e);
        }
    }

    /** Starts the broker again after {@link #crash}, on the same port with the same data and configuration. */
    public synchronized void restart() {
        if (process.isAlive()) {
            throw new IllegalStateException("Kafka is still running");
        }
        process = serve(home);
        awaitReady();
    }

    /** The broker process on the configuration written in {@code home}, its output in broker.out. */
    private static Process serve(Path home) {
        List<String> serve = new ArrayList<>(javaCommand(home));
        serve.addAll(List.of("kafka.Kafka", home.resolve("server.properties").toString()));
        return ChildProcess.start(serve, home.resolve("broker.out"));
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            ChildProcess.stop(process, Duration.ofSeconds(30));
        }
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        Map<String, Object> config = new java.util.HashMap<>(adminClientConfig());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + " while starting; see "
                        + home.resolve("broker.log") + "\n" + ChildProcess.tail(home.resolve("broker.out"), 20));
            }
            if (!listening()) {
                // Not even the port yet: asking the admin client now would only fill the log with retries.
                sleep(300);
                continue;
            }
            try (Admin admin = Admin.create(config)) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                commitReadinessTransaction(admin, config);
                return;
            } catch (Exception notYet) {
                if (Instant.now().isAfter(deadline)) {
                    close();
                    throw new IllegalStateException("Kafka did not answer on " + bootstrapServers() + ", or commit a transaction, within "
                            + READY_TIMEOUT + " (last: " + notYet + "); see " + home.resolve("broker.log"));
                }
                sleep(500);
            }
        }
    }

    /**
     * Commits one transaction, as every kiln service's events are sent. A broker sets up part of what transactions need
     * at the first commit after it starts (its log shows the coordinator's marker channel created then): by hand, a
     * first transaction took 59-81 ms to commit and 89-204 ms to reach a consumer, the next ones 6-15 and 10-21 ms
     * (docs/benchmarks.md). Paying it here keeps it off the first release pushed to a just-started stack.
     */
    private void commitReadinessTransaction(Admin admin, Map<String, Object> config) throws Exception {
        KafkaAcls.createMissingTopics(admin, java.util.Set.of(READY_TOPIC));
        Map<String, Object> producer = new java.util.HashMap<>(config);
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, READY_TRANSACTION);
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> ready = new KafkaProducer<>(producer, new StringSerializer(), new StringSerializer())) {
            ready.initTransactions();
            ready.beginTransaction();
            ready.send(new ProducerRecord<>(READY_TOPIC, "ready", Instant.now().toString()));
            ready.commitTransaction();
        }
    }

    private boolean listening() {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path writeConfig(Path home, int port, int controllerPort, String adminPassword) throws IOException {
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + ADMIN + "\" password=\""
                + adminPassword + "\" user_" + ADMIN + "=\"" + adminPassword + "\";";
        String config = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=CLIENT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=CLIENT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=CLIENT",
                // Both listeners authenticate: clients with SCRAM (or the administrator with PLAIN), the broker and its
                // controller with the administrator's PLAIN login.
                "listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN",
                "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
                "sasl.mechanism.inter.broker.protocol=PLAIN",
                "sasl.mechanism.controller.protocol=PLAIN",
                "listener.name.client.plain.sasl.jaas.config=" + plain,
                "listener.name.controller.plain.sasl.jaas.config=" + plain,
                "listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
                // Deny by default: an account does what its ACLs allow, the administrator everything.
                "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users=User:" + ADMIN,
                "allow.everyone.if.no.acl.found=false",
                "log.dirs=" + home.resolve("data"),
                "num.partitions=3",
                "auto.create.topics.enable=true",
                // A single broker: every internal topic has one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
        Path file = home.resolve("server.properties");
        // It holds the administrator's password: only the owner reads it.
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, config);
        String logging = String.join("\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + home.resolve("broker.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "");
        Files.writeString(home.resolve("log4j2.properties"), logging);
        return file;
    }

    private static List<String> javaCommand(Path home) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseG1GC",
                "-Dlog4j2.configurationFile=" + home.resolve("log4j2.properties"),
                "-cp", brokerClasspath());
    }

    /** The broker's classpath, as Maven resolved it when kiln-stack was built (./kiln's runner puts it on its own too). */
    public static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream("kafka-broker.classpath")) {
            if (in == null) {
                throw new IllegalStateException("kafka-broker.classpath is missing from kiln-stack: build it with Maven");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String newClusterId() {
        UUID uuid = UUID.randomUUID();
        byte[] bytes = java.nio.ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
    }
}
