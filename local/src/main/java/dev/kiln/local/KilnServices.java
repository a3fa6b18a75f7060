package dev.kiln.local;

import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.ChildProcess;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.LoopbackPorts;
import dev.kiln.stack.PostgresCluster;
import dev.kiln.stack.SecretFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kiln's five services as separate processes, from their built Quarkus applications (module/target/quarkus-app),
 * each on its own port with its log in {@code <state>/logs}: what {@code ./kiln up} and the end-to-end scenario run.
 * Configuration goes in as system properties, never through a shell.
 */
public final class KilnServices implements AutoCloseable {
    /** One service: its current process (the supervisor replaces one that died), port and log. */
    public static final class Service {
        private final String name;
        private final int port;
        private final Path log;
        private final ProcessBuilder launch;
        private volatile Process process;
        private int restarts;
        /** How long a stop waits after SIGTERM before SIGKILL. */
        private final Duration stopWithin;

        private Service(String name, int port, Path log, ProcessBuilder launch, Process process, Duration stopWithin) {
            this.stopWithin = stopWithin;
            this.name = name;
            this.port = port;
            this.log = log;
            this.launch = launch;
            this.process = process;
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public Process process() {
            return process;
        }

        public Path log() {
            return log;
        }

        /** How often the supervisor has restarted it. */
        public synchronized int restarts() {
            return restarts;
        }

        public String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private final List<Service> services = new ArrayList<>();
    private volatile boolean closing;
    private Thread supervisor;

    private KilnServices() {
    }

    /**
     * @param root            the kiln checkout (where the modules were built)
     * @param state           persistent state: artifacts, reports, workspaces, logs
     * @param watched         repositories for the tag-watcher, name to URL or path
     * @param builders        how many builder instances (one consumer group)
     * @param registryToken   the registry's write token
     */
    public static KilnServices start(Path root, Path state, KafkaBroker kafka, PostgresCluster postgres, Map<String, String> watched,
                                     int builders, String registryToken) {
        return start(root, state, kafka, postgres, watched, builders, registryToken, Map.of(), Map.of());
    }

    /**
     * @param watcherSettings more of the tag-watcher's settings (they win over the defaults here), never a secret
     * @param watcherSecrets  environment variables of the tag-watcher that its settings refer to as ${NAME}
     */
    public static KilnServices start(Path root, Path state, KafkaBroker kafka, PostgresCluster postgres, Map<String, String> watched,
                                     int builders, String registryToken, Map<String, String> watcherSettings, Map<String, String> watcherSecrets) {
        KilnServices running = new KilnServices();
        try {
            Files.createDirectories(state.resolve("logs"));
            Map<String, String> common = new LinkedHashMap<>();
            common.put("kafka.bootstrap.servers", kafka.bootstrapServers());

            Map<String, String> watcher = new LinkedHashMap<>(common);
            watched.forEach((name, url) -> {
                watcher.put("kiln.watcher.repositories." + name + ".url", url);
                watcher.put("kiln.watcher.repositories." + name + ".poll-interval", "3s");
            });
            watcher.put("kiln.watcher.mirrors", state.resolve("tag-watcher/mirrors").toString());
            watcher.putAll(watcherSettings);
            Map<String, String> watcherEnvironment = new LinkedHashMap<>(kafkaLogin(kafka, ServiceAccount.TAG_WATCHER));
            watcherEnvironment.putAll(watcherSecrets);
            running.launch(root, state, "tag-watcher", "tag-watcher", watcher, watcherEnvironment, 0);

            for (int i = 1; i <= builders; i++) {
                Map<String, String> builder = new LinkedHashMap<>(common);
                builder.put("kiln.builder.ansible-roles", root.resolve("builder/ansible/roles").toString());
                builder.put("kiln.builder.workspaces", state.resolve("builder/work").toString());
                builder.put("kiln.builder.store.directory", state.resolve("artifacts").toString());
                running.launch(root, state, "builder", builders == 1 ? "builder" : "builder-" + i, builder,
                        kafkaLogin(kafka, ServiceAccount.BUILDER), batchNiceness());
            }

            Map<String, String> verifier = new LinkedHashMap<>(common);
            verifier.put("kiln.verifier.workspaces", state.resolve("verifier/work").toString());
            verifier.put("kiln.verifier.reports", state.resolve("verifier/reports").toString());
            running.launch(root, state, "sealer-verifier", "sealer-verifier", verifier, kafkaLogin(kafka, ServiceAccount.SEALER_VERIFIER),
                    batchNiceness());

            Map<String, String> registry = new LinkedHashMap<>(common);
            registry.put("quarkus.datasource.reactive.url", postgres.reactiveUrl());
            registry.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
            registry.put("quarkus.datasource.username", PostgresCluster.USER);
            // Secrets travel in the environment, never on a command line where ps shows them.
            Map<String, String> registrySecrets = new LinkedHashMap<>(kafkaLogin(kafka, ServiceAccount.REGISTRY));
            registrySecrets.put("KILN_REGISTRY_WRITE_TOKEN", registryToken);
            registrySecrets.put("KILN_DB_PASSWORD", postgres.password());
            running.launch(root, state, "registry", "registry", registry, registrySecrets, 0);

            // The deploy service declares what <state>/deploy/deployments.yaml declares, when it is there (./kiln up's demo).
            Map<String, String> deploy = new LinkedHashMap<>(common);
            deploy.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl());
            deploy.put("quarkus.datasource.username", PostgresCluster.USER);
            Path declarations = state.resolve("deploy/deployments.yaml");
            if (Files.isRegularFile(declarations)) {
                deploy.put("kiln.deploy.declarations", declarations.toString());
            }
            // Stopped with the pipeline (Ctrl-C, a test's end); a deploy service that is killed leaves its fleet running.
            deploy.put("kiln.deploy.stop-instances-on-exit", "true");
            Map<String, String> deploySecrets = new LinkedHashMap<>(kafkaLogin(kafka, ServiceAccount.DEPLOY));
            deploySecrets.put("KILN_DEPLOY_WRITE_TOKEN", SecretFile.readOrCreate(state.resolve("deploy-token")));
            deploySecrets.put("KILN_DB_PASSWORD", postgres.password());
            running.launch(root, state, "deploy", "deploy", deploy, deploySecrets, 0);

            for (Service service : running.services) {
                running.awaitReady(service);
            }
            return running;
        } catch (IOException | RuntimeException e) {
            running.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * At exit (Ctrl-C, SIGTERM), these services stop first and then the servers they use, in that order: the servers'
     * own stop-at-exit hooks, which would run at the same moment, are withdrawn.
     */
    public void stopAtExitBefore(PostgresCluster postgres, KafkaBroker kafka, Runnable announce) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            announce.run();
            try {
                close();
            } finally {
                postgres.close();
                kafka.close();
            }
        }, "kiln-stack-stop"));
        kafka.stoppedByCaller();
        postgres.stoppedByCaller();
    }

    /** The service's own broker account, provisioned, as the environment its configuration reads. */
    private static Map<String, String> kafkaLogin(KafkaBroker kafka, ServiceAccount account) {
        var credentials = ServiceAccounts.provision(kafka, account);
        return Map.of("KILN_KAFKA_USER", credentials.user(), "KILN_KAFKA_PASSWORD", credentials.password());
    }

    /** Once the tag-watcher has scanned {@code repository} for the first time: a tag pushed after it is a new one. */
    public void awaitWatching(String repository) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create(service("tag-watcher").url() + "/api/v1/repositories/"
                    + repository)).build(), HttpResponse.BodyHandlers.ofString());
            if (state.body().contains("\"WATCHING\"")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the tag-watcher did not scan the repository " + repository + " within 2 minutes");
    }

    public List<Service> services() {
        return List.copyOf(services);
    }

    public Service service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service " + name));
    }

    /**
     * How far below the other services the batch services (builder, sealer-verifier) are scheduled on this one machine,
     * as {@code nice -n} counts ({@code KILN_BATCH_NICENESS}, 0 to 19; their tools go lower still, {@link
     * dev.kiln.disk.ToolProcess#NICENESS} below them). A build or a verification takes every core for minutes and
     * nobody waits on its next millisecond; the registry's publication, its lookups and the webhooks are waited on.
     * On two cores the registry's first publications waited in the run queue behind the verifier's compiler threads and
     * digests (docs/benchmarks.md, 9711e39), which niceness on the tools alone does not reach: it is the service's own
     * threads. Where the services run on one host under systemd, {@code Nice=} on the two batch units does the same.
     */
    public static int batchNiceness() {
        return batchNiceness(System.getenv("KILN_BATCH_NICENESS"));
    }

    /** {@link #batchNiceness()} of the variable's value (null when it is not set). */
    static int batchNiceness(String set) {
        if (set == null || set.isBlank()) {
            return DEFAULT_BATCH_NICENESS;
        }
        try {
            int niceness = Integer.parseInt(set.strip());
            if (niceness >= 0 && niceness <= 19) {
                return niceness;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("KILN_BATCH_NICENESS is '" + set + "': give a whole number from 0 (the batch services at the others' priority) to 19");
    }

    static final int DEFAULT_BATCH_NICENESS = 5;

    private void launch(Path root, Path state, String module, String name, Map<String, String> config, Map<String, String> secrets,
                        int niceness) {
        Path app = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(app)) {
            throw new IllegalStateException(app + " is missing: build kiln first (./kiln setup, or mvn install -DskipTests)");
        }
        int port = LoopbackPorts.free();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        Map<String, String> properties = new LinkedHashMap<>(config);
        properties.put("quarkus.http.port", Integer.toString(port));
        // The local stack is for this machine: nothing listens beyond its loopback.
        properties.put("quarkus.http.host", "127.0.0.1");
        if (name.equals("sealer-verifier")) {
            properties.put("kiln.verifier.public-url", "http://127.0.0.1:" + port);
        }
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", app.toString()));
        List<String> launched = niceness > 0 ? dev.kiln.disk.ToolProcess.niced(niceness, command) : command;
        Path log = state.resolve("logs").resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(launched).directory(root.resolve(module).toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // The services' own defaults put everything else under KILN_STATE.
        builder.environment().put("KILN_STATE", state.toString());
        builder.environment().putAll(secrets);
        try {
            // A service that powers its machines off as it stops (stop-instances-on-exit) needs its rollout worker's end
            // (up to 30 s) and the guests' grace (20 s) before it may be killed: killed sooner, it leaves machines running.
            Duration stopWithin = Duration.ofSeconds("true".equals(config.get("kiln.deploy.stop-instances-on-exit")) ? 60 : 30);
            services.add(new Service(name, port, log, builder, builder.start(), stopWithin));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void awaitReady(Service service) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (true) {
            if (!service.process().isAlive()) {
                throw new IllegalStateException(service.name() + " exited with " + service.process().exitValue() + " while starting; see "
                        + service.log() + ":\n" + ChildProcess.tail(service.log(), 25));
            }
            if (ready(service)) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(service.name() + " was not ready within " + READY_TIMEOUT + "; see " + service.log()
                        + ":\n" + ChildProcess.tail(service.log(), 25));
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static boolean ready(Service service) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(service.url() + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            return connection.getResponseCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Waits until every service answers ready, those the supervisor is starting again included. */
    public void awaitServing(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        for (Service service : services) {
            while (!(service.process().isAlive() && ready(service))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(service.name() + " was not serving within " + timeout + "; see " + service.log()
                            + ":\n" + ChildProcess.tail(service.log(), 25));
                }
                pause(Duration.ofMillis(500));
            }
        }
    }

    /**
     * Watches the services from now on: one that dies is reported with the end of its log and started again, after a
     * wait that doubles with each death in a row (1 s up to 30 s); a service that stayed up a few minutes starts over.
     */
    public synchronized void supervise(java.util.function.Consumer<String> report) {
        if (supervisor != null) {
            return;
        }
        supervisor = new Thread(() -> {
            Map<String, Duration> backoff = new java.util.HashMap<>();
            Map<String, Instant> since = new java.util.HashMap<>();
            while (!closing) {
                for (Service service : services) {
                    Process current = service.process;
                    if (current.isAlive()) {
                        if (Duration.between(since.getOrDefault(service.name, Instant.now()), Instant.now()).toMinutes() >= 3) {
                            backoff.remove(service.name);
                        }
                        continue;
                    }
                    if (closing) {
                        return;
                    }
                    Duration wait = backoff.getOrDefault(service.name, FIRST_BACKOFF);
                    report.accept(service.name + " exited with " + current.exitValue() + "; restarting it in " + wait.toSeconds()
                            + " s. The end of " + service.log + ":\n" + ChildProcess.tail(service.log, 15));
                    pause(wait);
                    try {
                        // Under the lock close() takes: a service is never started again once stopping has begun.
                        synchronized (KilnServices.this) {
                            if (closing) {
                                return;
                            }
                            service.process = service.launch.start();
                        }
                        synchronized (service) {
                            service.restarts++;
                        }
                        since.put(service.name, Instant.now());
                        backoff.put(service.name, wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2));
                        report.accept(service.name + " restarted (" + service.restarts() + " so far)");
                    } catch (IOException e) {
                        report.accept(service.name + " could not be restarted: " + e.getMessage());
                    }
                }
                pause(Duration.ofSeconds(1));
            }
        }, "kiln-supervisor");
        supervisor.setDaemon(true);
        supervisor.start();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closing = true;
        }
        if (supervisor != null) {
            supervisor.interrupt();
        }
        // Last started first: the registry and verifier stop before the builder and watcher that feed them.
        for (int i = services.size() - 1; i >= 0; i--) {
            Service service = services.get(i);
            ChildProcess.stop(service.process(), service.stopWithin);
        }
    }
}
