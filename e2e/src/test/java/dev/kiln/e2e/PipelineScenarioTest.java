package dev.kiln.e2e;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.DeploymentCompleted;
import dev.kiln.events.DeploymentStarted;
import dev.kiln.events.DiskFormat;
import dev.kiln.events.EventMessages;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImagePublished;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Sha256;
import dev.kiln.stack.DemoRepository;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.local.DemoDeployment;
import dev.kiln.local.FaultDrill;
import dev.kiln.local.KilnServices;
import dev.kiln.stack.LoopbackPorts;
import dev.kiln.stack.PostgresCluster;
import dev.kiln.stack.TempDirs;
import dev.kiln.stack.TopicRecords;
import dev.kiln.stack.UpstreamImage;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a new user does first, as a test: Kafka, PostgreSQL and the four services as separate processes (two
 * builders in one consumer group), the example image repository, tags pushed with git.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineScenarioTest {
    private static final Path ROOT = Path.of(System.getProperty("kiln.repo.root", "..")).toAbsolutePath().normalize();
    private static final String IMAGE = "debian-chrony";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path state;
    private static KafkaBroker kafka;
    private static PostgresCluster postgres;
    private static final List<String> supervisorReports = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static KilnServices services;
    private static DemoRepository repo;
    private static Thread deployKiller;
    private static volatile boolean deployKilled;

    @BeforeAll
    static void pipeline() throws Exception {
        // Traversable by others: PostgreSQL runs as its own user when the tests run as root.
        state = Files.createTempDirectory("kiln-e2e", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        kafka = KafkaBroker.start(state.resolve("kafka"), LoopbackPorts.free());
        postgres = PostgresCluster.start(state.resolve("postgres"), LoopbackPorts.free());
        // One partition per builder instance, so the group can split two releases between them.
        try (Admin admin = Admin.create(kafka.adminClientConfig())) {
            admin.createTopics(List.of(new NewTopic(EventType.RELEASE_TAGGED.topic(), 2, (short) 1))).all().get();
        }
        repo = DemoRepository.prepare(ROOT.resolve("examples"), state.resolve("demo"), UpstreamImage.buildOrReuse(ROOT));
        // ./kiln up's demo deployment: the example image's newest version, one instance on local QEMU.
        DemoDeployment.declare(state, IMAGE);
        services = KilnServices.start(ROOT, state, kafka, postgres, Map.of("demo", repo.origin().toString()), 2, "e2e-token");
        services.supervise(supervisorReports::add);
        await().atMost(Duration.ofMinutes(1)).until(() -> get(services.service("tag-watcher").url() + "/api/v1/repositories/demo").contains("\"WATCHING\""));
    }

    @AfterAll
    static void stop() throws Exception {
        if (services != null) {
            services.close();
            // Kept for whoever reads a failed run: each service's whole log, beside the surefire reports.
            Path kept = Files.createDirectories(Path.of("target/e2e-logs"));
            for (KilnServices.Service service : services.services()) {
                Files.copy(service.log(), kept.resolve(service.name() + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (postgres != null) {
            postgres.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        TempDirs.delete(state);
    }

    /**
     * The first release, which also carries the fault drill's CI sample (./kiln fault-drill runs the full one): its
     * builder is killed with SIGKILL at a random moment of the build, and the release still ends once in every format,
     * with nothing of the killed build left running or on disk; step 4 rebuilds it bit for bit.
     */
    @Test
    @Order(1)
    void aPushedTagEndsAsOnePublishedImagePerFormatThatTheRegistryResolvesThoughItsBuilderIsKilled() throws Exception {
        long seed = Long.getLong("kiln.drill.seed", new java.util.Random().nextLong());
        System.out.println("fault drill sample, seed " + seed + " (-Dkiln.drill.seed=" + seed + " repeats it)");
        FaultDrill drill = new FaultDrill(new FaultDrill.Stack(state, kafka, postgres, services, repo), IMAGE, DiskFormat.ids(),
                new java.util.Random(seed), System.out);
        // The drill pushes release-0.1.0 and strikes; the console and the checks below follow the release meanwhile.
        CompletableFuture<FaultDrill.Outcome> drilled = CompletableFuture.supplyAsync(() -> {
            try {
                return drill.release("0.1.0", List.of(FaultDrill.Fault.KILL_BUILDER));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        String registry = services.service("registry").url();
        await().atMost(Duration.ofMinutes(2)).until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(registry + "/api/v1/images/" + IMAGE
                + "/versions/0.1.0")).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

        // The console, open on the release from its first moments, as someone following it would have it.
        try (ConsoleBrowser console = new ConsoleBrowser(registry + "/console/#/images/" + IMAGE + "/0.1.0")) {
            awaitPipeline("six ImagePublished for 0.1.0", Duration.ofMinutes(20), () -> {
                console.look();
                return published("0.1.0").size() == 6;
            });
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                console.look();
                return console.seen().size() == 6 && console.seen().values().stream().allMatch(states -> states.contains("published"));
            });
            console.screenshot("e2e-0.1.0-published");
            assertTrue(console.samePage(), "the page followed the release without being reloaded");
            List<String> states = console.versionStates();
            assertEquals("published", states.get(states.size() - 1), "the version's states as the page showed them: " + states);
            assertTrue(states.size() > 1, "the page showed the release before it was published: " + states);
            for (String format : DiskFormat.ids()) {
                WebElement row = console.row(format);
                for (String step : new String[] {"tagged", "built", "verified", "published"}) {
                    assertEquals(1, row.findElements(By.cssSelector("ol.timeline li[data-step='" + step + "']")).size(), step + " in " + row.getText());
                }
            }
        }

        FaultDrill.Outcome outcome;
        try {
            outcome = drilled.get(10, TimeUnit.MINUTES);
        } finally {
            drill.close();
        }
        assertTrue(outcome.clean(), outcome.line() + "\norphans: " + outcome.orphans() + "\nleftovers: " + outcome.leftovers());
        assertTrue(outcome.strikes().get(0).startsWith("kill -9 builder-") && !outcome.strikes().get(0).contains("already ended"),
                outcome.strikes().toString());
        assertEquals("1/1 releases completed exactly once, 0 orphans, 0 leftovers", FaultDrill.summary(List.of(outcome)));
        assertTrue(supervisorReports.stream().anyMatch(r -> r.matches("(?s)builder-\\d exited with 137.*")), String.join("\n", supervisorReports));

        List<ImagePublished> published = published("0.1.0");
        assertEquals(Set.copyOf(DiskFormat.ids()), published.stream().map(ImagePublished::format).collect(Collectors.toSet()));
        assertEquals(1, published.stream().map(e -> e.artifact().rawSha256()).distinct().count(), "every format carries the same disk");
        for (ImagePublished event : published) {
            String lookup = get(services.service("registry").url() + "/api/v1/images/" + IMAGE + "/lookup?version=0.1.0&format=" + event.format());
            assertTrue(lookup.contains("\"sha256\":\"" + event.artifact().sha256() + "\""), lookup);
            assertEquals(event.artifact().sha256(), Sha256.of(Path.of(URI.create(event.artifact().location()))), "stored " + event.format());
            assertTrue(event.verification().bootMillis() > 0, event.format() + " was booted");
        }

        // The demo deployment follows 'latest': the qcow2 publication rolls 0.1.0 out on local QEMU, and says so.
        awaitPipeline("the demo deployment running 0.1.0", Duration.ofMinutes(10), () -> events(DeploymentCompleted.class, "0.1.0").size() == 1);
        List<DeploymentStarted> started = events(DeploymentStarted.class, "0.1.0");
        assertEquals(1, started.size(), started.toString());
        ImagePublished qcow2 = published.stream().filter(e -> e.format().equals("qcow2")).findFirst().orElseThrow();
        assertEquals("image-published", started.get(0).trigger());
        assertEquals(EventMessages.idOf(qcow2), started.get(0).causeId(), "the rollout names the publication that caused it");
        DeploymentCompleted completed = events(DeploymentCompleted.class, "0.1.0").get(0);
        assertEquals(1, completed.instances().size());
        assertEquals(started.get(0).causeId(), completed.causeId());
        assertEquals(1, demoMachines().size(), "one machine runs the demo: " + demoMachines());
    }

    @Test
    @Order(2)
    void twoBuildersShareTwoReleasesEachBuiltOnceAndAFailingPlaybookPublishesNothing() throws Exception {
        deployKiller = killDeployWhenItRollsOut("0.1.1");
        repo.write("kiln.yaml", repo.read("kiln.yaml").replaceAll("(?m)^formats: .*$", "formats: [qcow2, raw]"));
        repo.commitAll("Two formats are enough for the patch release");
        repo.pushTag("release-0.1.1", "patch release");
        String broken = versionOnTheOtherPartition("0.1.1");
        // Its one play fails at once (the guest still boots, beside 0.1.1's): the example's own would only lengthen it.
        repo.write("ansible/playbook.yml", "- name: A playbook that fails\n  hosts: all\n  gather_facts: false\n"
                + "  tasks:\n    - name: A step that breaks the build\n      ansible.builtin.command: /bin/false\n");
        repo.commitAll("A playbook that fails");
        repo.pushTag("release-" + broken, "broken release");

        awaitPipeline("two ImagePublished for 0.1.1 and two BuildFailed for " + broken, Duration.ofMinutes(20),
                () -> published("0.1.1").size() == 2 && failed(broken).size() == 2);

        assertEquals(Set.of("qcow2", "raw"), published("0.1.1").stream().map(ImagePublished::format).collect(Collectors.toSet()));
        assertEquals(List.of(), published(broken));
        assertTrue(failed(broken).stream().allMatch(f -> f.reason().contains("fatal")), failed(broken).toString());
        assertEquals(2, events(ImageBuilt.class, "0.1.1").size(), "0.1.1 was built once");
        assertEquals(2, failed(broken).size(), broken + " was attempted once");
        String builder1 = Files.readString(services.service("builder-1").log());
        String builder2 = Files.readString(services.service("builder-2").log());
        String built011 = "building " + IMAGE + " 0.1.1 ";
        String builtBroken = "building " + IMAGE + " " + broken + " ";
        assertNotEquals(builder1.contains(built011), builder2.contains(built011), "exactly one builder built 0.1.1");
        assertNotEquals(builder1.contains(builtBroken), builder2.contains(builtBroken), "exactly one builder built " + broken);
        assertNotEquals(builder1.contains(built011), builder1.contains(builtBroken), "the two releases went to different builders");
        String failedVersion = get(services.service("registry").url() + "/api/v1/images/" + IMAGE + "/versions/" + broken);
        assertTrue(failedVersion.contains("\"state\":\"failed\""), failedVersion);
        String first = get(services.service("registry").url() + "/api/v1/images/" + IMAGE + "/lookup?version=0.1.0&format=ova");
        assertTrue(first.contains("\"version\":\"0.1.0\""), "the first release is still served: " + first);
    }

    /**
     * The deploy service is killed (SIGKILL) as soon as it starts rolling 0.1.1 out to the demo deployment: restarted
     * by the supervisor, it carries the rollout on where it was (the instance it launched outlived it), once, and the
     * 0.1.0 machine is retired only after the 0.1.1 one is healthy.
     */
    @Test
    @Order(3)
    void aDeployServiceKilledMidRolloutCarriesItOnOnceAndReplacesTheFleetTurnAndBurn() throws Exception {
        deployKiller.join(Duration.ofMinutes(5).toMillis());
        assertTrue(deployKilled, "the rollout of 0.1.1 started and the deploy service was killed in it");
        awaitPipeline("the demo deployment running 0.1.1", Duration.ofMinutes(10), () -> events(DeploymentCompleted.class, "0.1.1").size() == 1);
        KilnServices.Service deploy = services.service("deploy");
        assertEquals(1, deploy.restarts(), "the supervisor restarted the deploy service");
        assertTrue(Files.readString(deploy.log()).contains("carrying on with the rollout of 0.1.1"), "the restarted service resumed the rollout");
        assertEquals(1, events(DeploymentStarted.class, "0.1.1").size(), "one rollout of 0.1.1");

        com.fasterxml.jackson.databind.JsonNode demo = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(get(deploy.url() + "/api/v1/deployments/" + DemoDeployment.NAME));
        assertEquals("0.1.1", demo.path("runningVersion").asText(), demo.toString());
        List<com.fasterxml.jackson.databind.JsonNode> live = new java.util.ArrayList<>();
        java.time.Instant healthy = null;
        for (com.fasterxml.jackson.databind.JsonNode i : demo.path("instances")) {
            if (!i.path("state").asText().equals("retired")) {
                live.add(i);
                healthy = java.time.Instant.parse(i.path("startedAt").asText()).plusMillis(i.path("healthyMillis").asLong());
            }
        }
        assertEquals(1, live.size(), demo.toString());
        assertEquals("0.1.1", live.get(0).path("version").asText());
        for (com.fasterxml.jackson.databind.JsonNode i : demo.path("instances")) {
            if (i.path("version").asText().equals("0.1.0")) {
                assertTrue(i.path("retireReason").asText().contains("replaced by 0.1.1"), i.toString());
                assertTrue(java.time.Instant.parse(i.path("retiredAt").asText()).isAfter(healthy), "0.1.0 was retired before 0.1.1 was healthy");
            }
        }
        assertEquals(List.of("kiln-" + live.get(0).path("id").asText()), demoMachines(), "no machine of the fleet is left behind");
    }

    /** The QEMU processes of the demo deployment's instances, by their -name. */
    private static List<String> demoMachines() {
        return ProcessHandle.allProcesses().flatMap(p -> p.info().arguments().stream().flatMap(java.util.Arrays::stream))
                .filter(a -> a.startsWith("kiln-" + DemoDeployment.NAME + "-")).sorted().toList();
    }

    private static Thread killDeployWhenItRollsOut(String version) {
        Thread killer = new Thread(() -> {
            try {
                await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofSeconds(1)).until(() -> !events(DeploymentStarted.class, version).isEmpty());
                services.service("deploy").process().toHandle().destroyForcibly();
                deployKilled = true;
            } catch (RuntimeException e) {
                // deployKilled stays false; the test that joins this thread says so
            }
        }, "e2e-deploy-killer");
        killer.setDaemon(true);
        killer.start();
        return killer;
    }

    /**
     * The README's promise, measured: {@code ./kiln rebuild} rebuilds release-0.1.0 from its tag in a fresh workspace, at
     * another time, on whichever builder takes it, and every one of the six formats has the published sha256.
     */
    @Test
    @Order(4)
    void rebuildingTheFirstReleaseFromItsTagGivesTheSameBitsInEveryFormat() throws Exception {
        ProcessBuilder command = new ProcessBuilder(ROOT.resolve("kiln").toString(), "rebuild", IMAGE, "0.1.0", "--timeout-minutes", "30")
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(state.resolve("rebuild.out").toFile());
        // The token travels in the environment, never on the command line.
        command.environment().put("KILN_REGISTRY_URL", services.service("registry").url());
        command.environment().put("KILN_REGISTRY_WRITE_TOKEN", "e2e-token");
        Process rebuild = command.start();
        rebuild.getOutputStream().close();
        boolean finished = rebuild.waitFor(35, java.util.concurrent.TimeUnit.MINUTES);
        String out = Files.readString(state.resolve("rebuild.out"));
        assertTrue(finished, "kiln rebuild did not finish: " + out);
        assertEquals(0, rebuild.exitValue(), out);
        assertTrue(out.contains("bit-identical"), out);

        List<dev.kiln.events.ImageRebuilt> verdicts = events(dev.kiln.events.ImageRebuilt.class, "0.1.0");
        assertEquals(1, verdicts.size());
        dev.kiln.events.ImageRebuilt verdict = verdicts.get(0);
        assertEquals(dev.kiln.events.ImageRebuilt.BIT_IDENTICAL, verdict.verdict(), verdict.toString());
        Map<String, String> publishedDigests = published("0.1.0").stream().collect(Collectors.toMap(ImagePublished::format, e -> e.artifact().sha256()));
        Map<String, String> rebuiltDigests = verdict.formats().stream().collect(Collectors.toMap(
                dev.kiln.events.ImageRebuilt.FormatDigests::format, dev.kiln.events.ImageRebuilt.FormatDigests::rebuiltSha256));
        assertEquals(publishedDigests, rebuiltDigests, "the same sha256 for raw, qcow2, vhd, vhdx, vmdk and ova");
        assertEquals(6, rebuiltDigests.size());
        String lookup = get(services.service("registry").url() + "/api/v1/images/" + IMAGE + "/lookup?version=0.1.0&format=vhdx");
        assertTrue(lookup.contains("\"verdict\":\"bit-identical\""), lookup);
    }

    /**
     * After three releases and a rebuild, no secret (registry token, database password, broker passwords) is in a
     * service's log, a verification report, a build log, an event on any topic, or a process's command line.
     */
    @Test
    @Order(5)
    void noSecretIsInALogAReportAnEventOrACommandLine() throws Exception {
        List<String> secrets = new java.util.ArrayList<>(List.of("e2e-token", Files.readString(state.resolve("deploy-token")).strip(),
                postgres.password(), Files.readString(kafka.home().resolve("admin-password")).strip()));
        try (var accounts = Files.list(kafka.home().resolve("accounts"))) {
            for (Path file : accounts.toList()) {
                secrets.add(Files.readString(file).strip());
            }
        }
        // The registry's and deploy's write tokens, the database password, the administrator's, the five services' and the
        // observer's (step 1's fault drill follows the release with it) broker passwords.
        assertEquals(10, secrets.size(), "secrets found: " + secrets.size());
        List<Path> texts = new java.util.ArrayList<>();
        for (Path dir : List.of(state.resolve("logs"), state.resolve("verifier"), state.resolve("artifacts"), state.resolve("builder"),
                state.resolve("deploy"))) {
            if (Files.isDirectory(dir)) {
                try (var files = Files.walk(dir)) {
                    // Disk images are large and binary; every text kiln writes (logs, reports, manifests) is small.
                    files.filter(Files::isRegularFile).filter(f -> f.toFile().length() < (8 << 20)).forEach(texts::add);
                }
            }
        }
        assertTrue(texts.stream().anyMatch(f -> f.getFileName().toString().equals("registry.log")), "the services' logs were read");
        for (Path file : texts) {
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                assertTrue(!text.contains(secret), file + " contains a secret");
            }
        }
        for (EventType type : EventType.values()) {
            for (var record : TopicRecords.readAll(kafka.adminClientConfig(), type.topic())) {
                for (String secret : secrets) {
                    assertTrue(record.value() == null || !record.value().contains(secret), type + " carries a secret");
                }
            }
        }
        ProcessHandle.allProcesses().forEach(process -> process.info().commandLine().ifPresent(line -> {
            for (String secret : secrets) {
                assertTrue(!line.contains(secret), "a secret is on the command line of process " + process.pid());
            }
        }));
    }

    /** The local stack is for this machine: no service, nor the broker or the database, answers on another address of it. */
    @Test
    @Order(7)
    void nothingListensBeyondLoopback() throws Exception {
        List<java.net.InetAddress> addresses = java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> java.util.Collections.list(n.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress() && a instanceof java.net.Inet4Address).toList();
        org.junit.jupiter.api.Assumptions.assumeFalse(addresses.isEmpty(), "this machine has no address besides loopback");
        List<Integer> ports = new java.util.ArrayList<>(services.services().stream().map(KilnServices.Service::port).toList());
        ports.add(kafka.port());
        ports.add(postgres.port());
        for (java.net.InetAddress address : addresses) {
            for (int port : ports) {
                try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress(address, port), 2000);
                    throw new AssertionError("port " + port + " answers on " + address.getHostAddress());
                } catch (java.io.IOException refused) {
                    // not reachable there: as it should be
                }
            }
        }
    }

    /**
     * On one machine the batch services (builds, verification) run behind the ones people wait on (the registry's
     * publications and lookups, webhooks, rollouts): niced {@code KILN_BATCH_NICENESS} below them, 5 unless set.
     */
    @Test
    @Order(6)
    void theBatchServicesRunBehindTheOthers() throws Exception {
        int own = niceness(ProcessHandle.current().pid());
        for (KilnServices.Service service : services.services()) {
            boolean batch = service.name().startsWith("builder") || service.name().equals("sealer-verifier");
            assertEquals(batch ? Math.min(19, own + KilnServices.batchNiceness()) : own, niceness(service.process().pid()),
                    service.name() + "'s niceness");
        }
        if (System.getenv("KILN_BATCH_NICENESS") == null) {
            assertEquals(5, KilnServices.batchNiceness(), "the default the operators' guide states");
        }
    }

    /** A process's niceness, from the kernel's own record of it (/proc/PID/stat, its 19th field). */
    private static int niceness(long pid) throws java.io.IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[16]);
    }

    /** ./kiln up's supervision: a service killed with SIGKILL is reported with its log's end and serves again. */
    @Test
    @Order(8)
    void aServiceThatDiesIsReportedAndRestarted() throws Exception {
        KilnServices.Service verifier = services.service("sealer-verifier");
        Process killed = verifier.process();
        killed.toHandle().destroyForcibly();
        killed.waitFor();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> verifier.restarts() == 1
                && get(verifier.url() + "/q/health/ready").contains("\"UP\""));
        assertTrue(supervisorReports.stream().anyMatch(r -> r.startsWith("sealer-verifier exited with 137") && r.contains("The end of")),
                String.join("\n", supervisorReports));
        assertNotEquals(killed.pid(), verifier.process().pid());
        assertEquals(Math.min(19, niceness(ProcessHandle.current().pid()) + KilnServices.batchNiceness()), niceness(verifier.process().pid()),
                "the restarted verifier runs behind the other services as the first did");
    }

    /** Waits for the pipeline; when it does not get there, the failure carries the end of every service's log. */
    private static void awaitPipeline(String what, Duration atMost, java.util.concurrent.Callable<Boolean> done) throws Exception {
        try {
            await().atMost(atMost).pollInterval(Duration.ofSeconds(10)).until(done);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder logs = new StringBuilder("no " + what + " within " + atMost + "; the services' logs end with:");
            for (KilnServices.Service service : services.services()) {
                List<String> lines = Files.readAllLines(service.log());
                logs.append("\n== ").append(service.name()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            }
            throw new AssertionError(logs.toString(), e);
        }
    }

    /** A version whose ReleaseTagged key lands on the other partition of the two than {@code version}'s. */
    private static String versionOnTheOtherPartition(String version) {
        int taken = partition(IMAGE + "/" + version);
        for (int minor = 2; ; minor++) {
            String candidate = "0." + minor + ".0";
            if (partition(IMAGE + "/" + candidate) != taken) {
                return candidate;
            }
        }
    }

    private static int partition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % 2;
    }

    private static List<ImagePublished> published(String version) {
        return events(ImagePublished.class, version);
    }

    private static List<BuildFailed> failed(String version) {
        return events(BuildFailed.class, version);
    }

    private static <T extends KilnEvent> List<T> events(Class<T> type, String version) {
        return TopicRecords.readAll(kafka.adminClientConfig(), EventType.ofPayload(type).topic()).stream()
                .map(r -> EventCodec.decode(type, r.value()))
                .filter(e -> e.release().image().equals(IMAGE) && e.release().version().equals(version))
                .toList();
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
