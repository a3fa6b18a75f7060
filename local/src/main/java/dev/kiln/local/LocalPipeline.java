package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.DemoRepository;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaCredentials;
import dev.kiln.stack.PostgresCluster;
import dev.kiln.stack.SecretFile;
import dev.kiln.stack.TopicRecords;
import dev.kiln.stack.UpstreamImage;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./kiln up}: the whole pipeline on this machine. Kafka, PostgreSQL, the file artifact store and the four
 * services as separate processes; a demo image repository made from examples/; the tag release-0.1.0 pushed;
 * progress per stage and format; then the registry's lookup of every format and the ImagePublished events as a
 * subscriber sees them. Everything keeps running until Ctrl-C, which stops all of it.
 *
 * <p>Usage: {@code LocalPipeline KILN_ROOT STATE_DIR KAFKA_PORT POSTGRES_PORT}
 */
public final class LocalPipeline {
    static final String DEMO_TAG = "release-0.1.0";

    private LocalPipeline() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: LocalPipeline KILN_ROOT STATE_DIR KAFKA_PORT POSTGRES_PORT");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath();
        Path state = Path.of(args[1]).toAbsolutePath();
        int kafkaPort = Integer.parseInt(args[2]);
        int postgresPort = Integer.parseInt(args[3]);
        try {
            run(root, state, kafkaPort, postgresPort);
        } catch (IllegalStateException | IOException e) {
            System.err.println("kiln: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(Path root, Path state, int kafkaPort, int postgresPort) throws Exception {
        UpstreamImage upstream = UpstreamImage.buildOrReuse(root);
        say("starting Kafka on 127.0.0.1:" + kafkaPort + " and PostgreSQL on 127.0.0.1:" + postgresPort + " (state in " + state + ")");
        try (KafkaBroker kafka = KafkaBroker.start(state.resolve("kafka"), kafkaPort);
             PostgresCluster postgres = PostgresCluster.start(state.resolve("postgres"), postgresPort)) {
            DemoRepository demo = DemoRepository.prepare(root.resolve("examples"), state.resolve("demo"), upstream);
            String token = SecretFile.readOrCreate(state.resolve("registry-token"));
            dev.kiln.events.KilnFile kilnFile = dev.kiln.events.KilnFile.parse(demo.read("kiln.yaml"));
            boolean demoDeployment = DemoDeployment.declare(state, kilnFile.image());
            Instant started = Instant.now();
            say("starting tag-watcher, builder, sealer-verifier, registry and deploy (logs in " + state.resolve("logs") + ")");
            try (KilnServices services = KilnServices.start(root, state, kafka, postgres, Map.of("demo", demo.origin().toString()), 1, token)) {
                // The JVM does not wait for this thread once Ctrl-C starts its shutdown: stopping is the hook's job,
                // services first, then the servers they use.
                services.stopAtExitBefore(postgres, kafka, () -> say("stopping the services, PostgreSQL and Kafka"));
                services.supervise(LocalPipeline::say);
                // ./kiln rebuild finds the registry here.
                Files.writeString(state.resolve("registry-url"), services.service("registry").url() + "\n");
                for (KilnServices.Service service : services.services()) {
                    say(String.format("  %-16s %s   (health %s/q/health, metrics %s/q/metrics)", service.name(), service.url(), service.url(), service.url()));
                }
                say("the console (every release's journey, live; promote and revoke with the write token in " + state.resolve("registry-token")
                        + "): " + services.service("registry").url() + "/console/");
                String deployUrl = services.service("deploy").url();
                if (!demoDeployment) {
                    DemoDeployment.withdraw(deployUrl, state);
                }
                // The example's kiln.yaml, read as the services read it.
                String image = kilnFile.image();
                List<String> formats = kilnFile.formats();
                if (demo.hasTag(DEMO_TAG)) {
                    say(DEMO_TAG + " was pushed by an earlier run: releases are immutable, so it is not built again; showing its state");
                } else {
                    // The watcher records existing tags on its first scan; push after it, so this tag is new to it.
                    Thread.sleep(Duration.ofSeconds(5).toMillis());
                    say("pushing " + DEMO_TAG + " to " + demo.origin() + " (the image repository's origin)");
                    demo.pushTag(DEMO_TAG, "kiln demo release");
                }
                say("following " + image + " 0.1.0 through the pipeline (a build takes a few minutes under TCG):");
                KafkaCredentials observer = ServiceAccounts.provision(kafka, ServiceAccount.OBSERVER);
                Map<String, String> ended = PipelineProgress.follow(observer, image, "0.1.0", formats, Duration.ofMinutes(45), System.out);
                printLookups(services.service("registry").url(), image, ended);
                printPublished(observer, image);
                if (demoDeployment) {
                    say("deploying it: the demo deployment runs " + image + "'s newest version on local QEMU (" + deployUrl
                            + "/api/v1/deployments/" + DemoDeployment.NAME + "; KILN_DEMO_DEPLOYMENT=off leaves it out):");
                    System.out.println(PipelineProgress.HEADER);
                    if (PipelineProgress.followRollout(observer, DemoDeployment.NAME, started, Duration.ofMinutes(15), System.out).isEmpty()) {
                        say("  ... the demo rollout has not ended after 15 minutes; see " + state.resolve("logs/deploy.log"));
                    }
                    say("its instance's serial console: " + state.resolve("deploy/instances") + "/<instance>/console.log; a new tag replaces it"
                            + " turn-and-burn (write token for " + deployUrl + "/api/v1/deployments in " + state.resolve("deploy-token") + ")");
                }
                say("from now on, every release's events as they come (push more release-* tags):");
                PipelineProgress.followEveryRelease(observer, System.out);
                say("the pipeline keeps running: push more release-* tags from " + demo.workTree() + ", query "
                        + services.service("registry").url() + "/api/v1/images (write token in " + state.resolve("registry-token") + ")");
                say("prove the release reproducible: ./kiln rebuild " + image + " 0.1.0 (rebuilds the tag from scratch, compares every format)");
                say("Ctrl-C stops everything this started");
                new CountDownLatch(1).await();
            }
        }
    }

    private static void printLookups(String registry, String image, Map<String, String> ended) throws Exception {
        say("registry lookups (GET " + registry + "/api/v1/images/" + image + "/lookup?version=0.1.0&format=...):");
        HttpClient http = HttpClient.newHttpClient();
        for (Map.Entry<String, String> format : ended.entrySet()) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/images/" + image
                    + "/lookup?version=0.1.0&format=" + format.getKey())).build(), HttpResponse.BodyHandlers.ofString());
            System.out.printf("  %-6s %d %s%n", format.getKey(), response.statusCode(), response.body());
        }
    }

    private static void printPublished(KafkaCredentials observer, String image) {
        String topic = EventType.IMAGE_PUBLISHED.topic();
        say("ImagePublished events on " + topic + ", as a subscriber sees them (account " + observer.user() + "):");
        for (ConsumerRecord<String, String> record : TopicRecords.readAll(observer.clientConfig(), topic)) {
            if (record.key() != null && record.key().startsWith(image + "/")) {
                System.out.printf("  key=%s ce_id=%s ce_type=%s ce_source=%s%n    %s%n", record.key(), PipelineProgress.header(record, "ce_id"),
                        PipelineProgress.header(record, "ce_type"), PipelineProgress.header(record, "ce_source"), record.value());
            }
        }
    }

    private static void say(String line) {
        System.out.println("kiln: " + line);
    }
}
