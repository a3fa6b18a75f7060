package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.DemoRepository;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.PostgresCluster;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The fault drill: releases pushed one after another, each struck by faults at a random moment of the stage each
 * one targets — a service killed with SIGKILL (the supervisor restarts it), the broker crashed and started again,
 * PostgreSQL stopped and started again. After each release it checks what a platform engineer would: the release
 * completed, every format has exactly one ImagePublished on the topic and one row in the registry, which serves it;
 * no process of the stack outlived the service that started it; no working file is left that nobody will remove.
 */
public final class FaultDrill implements AutoCloseable {
    /**
     * A fault and the stage it strikes: from the event that opens it (none: the push) until every format has the event
     * that closes it. It strikes at a random moment of the stage's expected length, which is how long the stage took
     * at its quickest so far in this drill (at first, a guess), or as the stage begins to close if that comes first.
     */
    public enum Fault {
        KILL_TAG_WATCHER("tag-watcher", null, EventType.RELEASE_TAGGED, Duration.ofSeconds(8)),
        KILL_BUILDER("builder", EventType.RELEASE_TAGGED, EventType.IMAGE_BUILT, Duration.ofMinutes(3)),
        KILL_SEALER_VERIFIER("sealer-verifier", EventType.IMAGE_BUILT, EventType.IMAGE_VERIFIED, Duration.ofSeconds(40)),
        KILL_REGISTRY("registry", EventType.IMAGE_VERIFIED, EventType.IMAGE_PUBLISHED, Duration.ofSeconds(30)),
        RESTART_BROKER(null, EventType.RELEASE_TAGGED, EventType.IMAGE_PUBLISHED, Duration.ofMinutes(5)),
        RESTART_POSTGRES(null, EventType.IMAGE_VERIFIED, EventType.IMAGE_PUBLISHED, Duration.ofSeconds(30));

        private final String service;
        private final EventType opensAt;
        private final EventType closesAt;
        private final Duration guess;

        Fault(String service, EventType opensAt, EventType closesAt, Duration guess) {
            this.service = service;
            this.opensAt = opensAt;
            this.closesAt = closesAt;
            this.guess = guess;
        }

        /** As the command line names it: kill-builder, restart-broker. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Fault of(String id) {
            for (Fault fault : values()) {
                if (fault.id().equals(id)) {
                    return fault;
                }
            }
            throw new IllegalArgumentException("no fault '" + id + "'; the drill knows "
                    + java.util.Arrays.stream(values()).map(Fault::id).toList());
        }
    }

    /** The running stack the drill strikes. */
    public record Stack(Path state, KafkaBroker kafka, PostgresCluster postgres, KilnServices services, DemoRepository repository) {
    }

    /** One release's end: what struck it, whether it completed exactly once, what was left behind. */
    public record Outcome(String version, List<String> strikes, Optional<String> failure, List<String> orphans, List<String> leftovers,
                          Duration took) {
        public boolean completedExactlyOnce() {
            return failure.isEmpty();
        }

        public boolean clean() {
            return completedExactlyOnce() && orphans.isEmpty() && leftovers.isEmpty();
        }

        public String line() {
            return String.format("%-8s %s -> %s in %ds, %d orphans, %d leftovers", version, String.join("; ", strikes),
                    failure.map(f -> "NOT completed exactly once (" + f + ")").orElse("completed exactly once"), took.toSeconds(),
                    orphans.size(), leftovers.size());
        }
    }

    private static final Duration RELEASE_TIMEOUT = Duration.ofMinutes(40);
    /** How long a duplicate has to show up after the last format was published before a release counts as once. */
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private final Stack stack;
    private final String image;
    private final List<String> formats;
    private final Random random;
    private final PrintStream out;
    private final ReleaseEvents events;
    private final HttpClient http = HttpClient.newHttpClient();
    /** Each stage's quickest length seen in this drill: where the next strike on it may land. */
    private final java.util.Map<Fault, Duration> stageLength = new java.util.EnumMap<>(Fault.class);

    public FaultDrill(Stack stack, String image, List<String> formats, Random random, PrintStream out) {
        this.stack = stack;
        this.image = image;
        this.formats = List.copyOf(formats);
        this.random = random;
        this.out = out;
        this.events = new ReleaseEvents(ServiceAccounts.provision(stack.kafka(), ServiceAccount.OBSERVER), image);
    }

    /** Pushes {@code release-<version>}, strikes it with each fault in turn, waits for its end and checks it. */
    public Outcome release(String version, List<Fault> faults) throws Exception {
        Instant pushed = Instant.now();
        Instant deadline = pushed.plus(RELEASE_TIMEOUT);
        stack.repository().pushTag("release-" + version, "fault drill release " + version);
        List<String> strikes = new ArrayList<>();
        for (Fault fault : faults) {
            Optional<Instant> opened = fault.opensAt == null ? Optional.of(pushed) : awaitEvent(fault.opensAt, version, deadline);
            if (opened.isEmpty()) {
                strikes.add(fault.id() + ": its stage never came");
                break;
            }
            Duration planned = Duration.ofMillis((long) (random.nextDouble() * stageLength.getOrDefault(fault, fault.guess).toMillis()));
            boolean closing = awaitStrike(opened.get().plus(planned),
                    () -> events.first(fault.closesAt, version).isPresent() || ended(version));
            Duration delay = Duration.between(opened.get(), Instant.now());
            String stage = fault.opensAt == null ? "the push" : eventName(fault.opensAt);
            strikes.add(strike(fault, version) + " " + delay.toSeconds() + " s after " + stage
                    + (closing ? " (as its first " + eventName(fault.closesAt) + " came)" : "")
                    + (ended(version) ? " (release already ended)" : ""));
        }
        while (!ended(version) && Instant.now().isBefore(deadline)) {
            Thread.sleep(1000);
        }
        Optional<String> failure = failure(version);
        learnStageLengths(version, pushed);
        if (failure.isEmpty()) {
            Thread.sleep(SETTLE.toMillis());
        }
        // A restarted service sweeps at start: the aftermath is judged once every service serves again.
        stack.services().awaitServing(Duration.ofMinutes(5));
        if (failure.isEmpty()) {
            failure = exactlyOnce(version);
        }
        Outcome outcome = new Outcome(version, strikes, failure, Aftermath.orphans(stack.state()), Aftermath.leftovers(stack.state()),
                Duration.between(pushed, Instant.now()));
        out.println("  " + outcome.line());
        outcome.orphans().forEach(o -> out.println("      orphan: " + o));
        outcome.leftovers().forEach(l -> out.println("      leftover: " + l));
        return outcome;
    }

    private void learnStageLengths(String version, Instant pushed) {
        for (Fault fault : Fault.values()) {
            Optional<Instant> opened = fault.opensAt == null ? Optional.of(pushed) : events.first(fault.opensAt, version);
            List<Instant> closed = formats.stream().map(f -> events.of(version).stream()
                    .filter(e -> e.type() == fault.closesAt && (e.format().equals(f) || e.format().isEmpty())).map(ReleaseEvents.Seen::at).findFirst())
                    .flatMap(Optional::stream).toList();
            if (opened.isPresent() && closed.size() == formats.size()) {
                Duration length = Duration.between(opened.get(), closed.stream().max(Instant::compareTo).orElseThrow());
                stageLength.merge(fault, length, (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
    }

    private String strike(Fault fault, String version) throws InterruptedException {
        switch (fault) {
            case RESTART_BROKER -> {
                return outage("broker crashed", stack.kafka()::crash, stack.kafka()::restart, 3, 15);
            }
            case RESTART_POSTGRES -> {
                return outage("PostgreSQL stopped", stack.postgres()::suspend, stack.postgres()::resume, 5, 20);
            }
            default -> {
                KilnServices.Service target = target(fault.service, version);
                long pid = target.process().pid();
                target.process().destroyForcibly();
                target.process().waitFor();
                return "kill -9 " + target.name() + " (pid " + pid + ")";
            }
        }
    }

    /** A server away for a random 'from' to 'to' seconds. */
    private String outage(String what, Runnable stop, Runnable start, int from, int to) throws InterruptedException {
        stop.run();
        Duration down = Duration.ofSeconds(from + random.nextInt(to - from + 1));
        Thread.sleep(down.toMillis());
        start.run();
        return what + " (down " + down.toSeconds() + " s)";
    }

    /** The instance of the service working on the version (several builders share releases), else its first. */
    private KilnServices.Service target(String service, String version) {
        List<KilnServices.Service> instances = stack.services().services().stream()
                .filter(s -> s.name().equals(service) || s.name().startsWith(service + "-")).toList();
        for (KilnServices.Service instance : instances) {
            try {
                if (Files.readString(instance.log()).contains("building " + image + " " + version + " ")) {
                    return instance;
                }
            } catch (java.io.IOException unreadable) {
                // try the next
            }
        }
        return instances.get(0);
    }

    private Optional<Instant> awaitEvent(EventType type, String version, Instant deadline) throws InterruptedException {
        while (Instant.now().isBefore(deadline)) {
            Optional<Instant> first = events.first(type, version);
            if (first.isPresent() || ended(version)) {
                return first;
            }
            Thread.sleep(500);
        }
        return Optional.empty();
    }

    /** Every format published, or one of them failed or was rejected. */
    private boolean ended(String version) {
        return formats.stream().allMatch(f -> events.count(EventType.IMAGE_PUBLISHED, version, f) > 0) || failedFormat(version).isPresent();
    }

    /** The first BuildFailed or ImageRejected of the version: it ends the release without that format. */
    private Optional<ReleaseEvents.Seen> failedFormat(String version) {
        return events.of(version).stream().filter(e -> e.type() == EventType.BUILD_FAILED || e.type() == EventType.IMAGE_REJECTED).findFirst();
    }

    private Optional<String> failure(String version) {
        Optional<ReleaseEvents.Seen> failed = failedFormat(version);
        if (failed.isPresent()) {
            return Optional.of(eventName(failed.get().type()) + " " + failed.get().format() + ": " + failed.get().detail());
        }
        if (!ended(version)) {
            return Optional.of("not every format was published within " + RELEASE_TIMEOUT.toMinutes() + " min; published: "
                    + formats.stream().filter(f -> events.count(EventType.IMAGE_PUBLISHED, version, f) > 0).toList());
        }
        return Optional.empty();
    }

    /** One ImagePublished and one registry row per format, and the registry serves each. */
    private Optional<String> exactlyOnce(String version) throws Exception {
        List<String> problems = new ArrayList<>();
        for (String format : formats) {
            long published = events.count(EventType.IMAGE_PUBLISHED, version, format);
            if (published != 1) {
                problems.add(published + " ImagePublished for " + format);
            }
            HttpResponse<String> lookup = http.send(HttpRequest.newBuilder(URI.create(stack.services().service("registry").url()
                    + "/api/v1/images/" + image + "/lookup?version=" + version + "&format=" + format)).build(), HttpResponse.BodyHandlers.ofString());
            if (lookup.statusCode() != 200) {
                problems.add("lookup of " + format + ": " + lookup.statusCode() + " " + lookup.body());
            }
        }
        // The schema's unique constraints should make these empty; the drill checks what is there, not what should be.
        List<String> duplicated = stack.postgres().query("select r.image, r.version, f.format, count(*) from release r "
                + "join release_format f on f.release_id = r.id group by 1, 2, 3 having count(*) > 1");
        if (!duplicated.isEmpty()) {
            problems.add("registry rows twice: " + duplicated);
        }
        List<String> releases = stack.postgres().query("select image, version, count(*) from release group by 1, 2 having count(*) > 1");
        if (!releases.isEmpty()) {
            problems.add("releases twice: " + releases);
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
    }

    /**
     * {@code ./kiln fault-drill}: a stack of its own in a new directory below DRILLS_DIR (kept when anything failed,
     * removed otherwise), then the releases, faults taken in turn from the list.
     *
     * <p>Usage: {@code FaultDrill KILN_ROOT DRILLS_DIR [--releases N] [--seed S] [--formats F,F] [--faults FAULT,FAULT]}
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage("KILN_ROOT and DRILLS_DIR are needed");
        }
        Path root = Path.of(args[0]).toAbsolutePath();
        Path drills = Path.of(args[1]).toAbsolutePath();
        int releases = 20;
        long seed = new Random().nextLong();
        List<String> formats = null;
        List<Fault> faults = List.of(Fault.values());
        for (int i = 2; i < args.length; i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                usage(option + " needs a value");
            }
            String value = args[++i];
            try {
                switch (option) {
                    case "--releases" -> releases = Integer.parseInt(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--formats" -> formats = List.of(value.split(","));
                    case "--faults" -> faults = java.util.Arrays.stream(value.split(",")).map(Fault::of).toList();
                    default -> usage("unknown option " + option);
                }
            } catch (IllegalArgumentException e) {
                usage(option + " " + value + ": " + e.getMessage());
            }
        }
        if (releases < 1) {
            usage("--releases must be at least 1");
        }
        Files.createDirectories(drills);
        Path state = Files.createTempDirectory(drills, "drill-", java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")));
        System.out.println("kiln: fault drill in " + state + ", seed " + seed + " (--seed " + seed + " strikes at the same moments again)");
        List<Outcome> outcomes = new ArrayList<>();
        try (KafkaBroker kafka = KafkaBroker.start(state.resolve("kafka"), dev.kiln.stack.LoopbackPorts.free());
             PostgresCluster postgres = PostgresCluster.start(state.resolve("postgres"), dev.kiln.stack.LoopbackPorts.free())) {
            DemoRepository repo = DemoRepository.prepare(root.resolve("examples"), state.resolve("demo"),
                    dev.kiln.stack.UpstreamImage.buildOrReuse(root));
            String kilnYaml = repo.read("kiln.yaml");
            dev.kiln.events.KilnFile kilnFile = dev.kiln.events.KilnFile.parse(kilnYaml);
            String image = kilnFile.image();
            if (formats == null) {
                formats = kilnFile.formats();
            } else {
                repo.write("kiln.yaml", kilnYaml.replaceAll("(?m)^formats: .*$", "formats: [" + String.join(", ", formats) + "]"));
                repo.commitAll("The fault drill's formats");
            }
            String token = dev.kiln.stack.SecretFile.readOrCreate(state.resolve("registry-token"));
            try (KilnServices services = KilnServices.start(root, state, kafka, postgres, java.util.Map.of("demo", repo.origin().toString()), 1, token)) {
                // Ctrl-C or SIGTERM: the services first (a builder mid-build waits for its build: 30 s, then SIGKILL), then the servers.
                services.stopAtExitBefore(postgres, kafka, () -> { });
                services.supervise(line -> System.out.println("kiln: supervisor: " + line.lines().findFirst().orElse("")));
                services.awaitWatching("demo");
                System.out.printf("kiln: %d releases of %s %s, faults in turn: %s%n", releases, image, formats, faults.stream().map(Fault::id).toList());
                try (FaultDrill drill = new FaultDrill(new Stack(state, kafka, postgres, services, repo), image, formats, new Random(seed), System.out)) {
                    for (int i = 1; i <= releases; i++) {
                        outcomes.add(drill.release("1.0." + i, List.of(faults.get((i - 1) % faults.size()))));
                    }
                }
            }
        }
        String summary = summary(outcomes);
        System.out.println("kiln: " + summary);
        Files.writeString(state.resolve("drill-summary.txt"), String.join("\n", outcomes.stream().map(Outcome::line).toList()) + "\n" + summary + "\n");
        if (outcomes.stream().allMatch(Outcome::clean)) {
            dev.kiln.stack.TempDirs.delete(state);
        } else {
            System.out.println("kiln: kept " + state + " (services' logs in logs/, the drill's lines in drill-summary.txt)");
            System.exit(1);
        }
    }

    private static void usage(String problem) {
        System.err.println("kiln fault-drill: " + problem);
        System.err.println("usage: ./kiln fault-drill [--releases N (20)] [--seed S] [--formats qcow2,raw (the example's)] [--faults "
                + java.util.Arrays.stream(Fault.values()).map(Fault::id).reduce((a, b) -> a + "," + b).orElse("") + " (all, in turn)]");
        System.exit(2);
    }

    /** The line the drill ends with. */
    public static String summary(List<Outcome> outcomes) {
        long once = outcomes.stream().filter(Outcome::completedExactlyOnce).count();
        int orphans = outcomes.stream().mapToInt(o -> o.orphans().size()).sum();
        int leftovers = outcomes.stream().mapToInt(o -> o.leftovers().size()).sum();
        return once + "/" + outcomes.size() + " releases completed exactly once, " + orphans + " orphans, " + leftovers + " leftovers";
    }

    private static String eventName(EventType type) {
        return type.payload().getSimpleName();
    }

    /**
     * Waits for the planned moment of a strike, but no longer than until its stage begins to close. Until a stage has
     * been seen in this drill its length is a guess, and a strike planned past its end would hit nothing (the builder's
     * guess is 3 min; in the CI run of 1ec9f7b a kill drawn at 173 s came after the whole release had ended). Returns
     * whether the stage had begun closing.
     */
    static boolean awaitStrike(Instant planned, java.util.function.BooleanSupplier closing) throws InterruptedException {
        while (Instant.now().isBefore(planned)) {
            if (closing.getAsBoolean()) {
                return true;
            }
            Thread.sleep(Math.max(1, Math.min(200, Duration.between(Instant.now(), planned).toMillis())));
        }
        return false;
    }

    @Override
    public void close() {
        events.close();
    }
}
