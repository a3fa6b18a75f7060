package dev.kiln.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private PostgreSQL cluster ({@code initdb} + {@code pg_ctl}) in its own directory on a port of its own,
 * with one database and a login for the registry. Every connection, local or TCP, authenticates with scram-sha-256
 * and a password generated for this cluster, kept in {@code <home>/kiln-password} (mode 0600); there is no trust entry. {@link #start} initialises (once), starts and waits;
 * {@link #close} stops it. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * {@code postgres} system user that Debian's package creates.
 */
public final class PostgresCluster implements AutoCloseable {
    private ExitStop exitStop;

    /**
     * The caller stops this server itself, after the services that use it (./kiln up, the fault drill): its own stop
     * at exit is withdrawn, since shutdown hooks run all at once and it would pull the server from under them.
     */
    public void stoppedByCaller() {
        exitStop.withdraw();
    }

    public static final String DATABASE = "kiln";
    public static final String USER = "kiln";
    private static final String SERVICE_USER = "postgres";
    private static PostgresCluster shared;

    private final Path home;
    private final int port;
    private final Path binDir;
    private String password;
    private volatile boolean running = true;

    private PostgresCluster(Path home, int port, Path binDir) {
        this.home = home;
        this.port = port;
        this.binDir = binDir;
    }

    /** Starts a cluster keeping everything under {@code home}; an existing cluster there is reused. */
    public static PostgresCluster start(Path home, int port) {
        LoopbackPorts.requireFree(port, "PostgreSQL", "KILN_POSTGRES_PORT");
        Path bin = binDir();
        try {
            Files.createDirectories(home.resolve("socket"));
            if (asRoot()) {
                handOver(home);
            }
            Path data = home.resolve("data");
            Path log = home.resolve("postgres.log");
            PostgresCluster cluster = new PostgresCluster(home, port, bin);
            boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
            Path passwordFile = home.resolve("kiln-password");
            if (fresh) {
                Files.deleteIfExists(passwordFile);
                SecretFile.readOrCreate(passwordFile);
                if (asRoot()) {
                    handOver(home);
                }
                // initdb reads the password from the file (never a command line); every entry of pg_hba.conf is scram.
                cluster.run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                        "--auth=scram-sha-256", "--pwfile=" + passwordFile, "--encoding=UTF8", "--no-locale", "--no-sync"), log);
                // Settings live in their own file, so nothing reaches pg_ctl's command line (a shell there).
                Files.writeString(data.resolve("postgresql.conf"), "\ninclude_if_exists = 'kiln.conf'\n",
                        java.nio.file.StandardOpenOption.APPEND);
            }
            Files.writeString(data.resolve("kiln.conf"), String.join("\n",
                    "listen_addresses = '127.0.0.1'",
                    "port = " + port,
                    "unix_socket_directories = '" + home.resolve("socket") + "'",
                    "fsync = " + (home.startsWith(System.getProperty("java.io.tmpdir")) ? "off" : "on"),
                    "max_connections = 100",
                    ""));
            if (!Files.isRegularFile(passwordFile)) {
                throw new IllegalStateException("the PostgreSQL cluster in " + data + " was made by an older kiln, with trust "
                        + "authentication and no password: remove " + home + " (or point KILN_STATE elsewhere) to make a new one");
            }
            cluster.password = Files.readString(passwordFile).strip();
            if (asRoot()) {
                handOver(home);
            }
            cluster.run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
                    "-w", "-t", "60", "start"), home.resolve("pg_ctl.log"));
            cluster.exitStop = new ExitStop(cluster::close, "postgres-stop");
            if (fresh) {
                cluster.createDatabase();
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare PostgreSQL in " + home, e);
        }
    }

    /** One cluster per JVM for tests, on a free port in a temporary directory, stopped and removed at exit. */
    public static synchronized PostgresCluster shared() {
        if (shared == null || !shared.running) {
            try {
                Path home = Files.createTempDirectory("kiln-postgres-");
                shared = start(home, LoopbackPorts.free());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    shared.close();
                    TempDirs.delete(home);
                }, "postgres-clean"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a temporary directory for PostgreSQL", e);
            }
        }
        return shared;
    }

    public int port() {
        return port;
    }

    /** The registry login's password; hand it to clients through their environment or a 0600 file, never a command line. */
    public String password() {
        return password;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** The URL form Quarkus' reactive PostgreSQL client takes. */
    public String reactiveUrl() {
        return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /**
     * Runs one statement written in code (no parameters, never user input) as kiln's database user with psql; returns its
     * rows, columns separated by '|'. For checks from outside the registry, such as the fault drill's.
     */
    public List<String> query(String sql) {
        ProcessBuilder psql = new ProcessBuilder(binDir.resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", USER, "-d", DATABASE, "-AtX", "-v", "ON_ERROR_STOP=1", "-c", sql).redirectErrorStream(true);
        // The password travels in the environment, never on psql's command line.
        psql.environment().put("PGPASSWORD", password);
        try {
            Process process = psql.start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(1, java.util.concurrent.TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("psql failed: " + out.strip());
            }
            return out.lines().filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run psql", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while querying PostgreSQL", e);
        }
    }

    /** Stops the server as an outage would (tests of what waits for it); {@link #resume} brings it back as it was. */
    public synchronized void suspend() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-m", "immediate",
                "-w", "-t", "60", "stop"), home.resolve("pg_ctl.log"));
    }

    public synchronized void resume() {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-l", home.resolve("postgres.log").toString(),
                "-w", "-t", "60", "start"), home.resolve("pg_ctl.log"));
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", home.resolve("data").toString(), "-m", "fast",
                "-w", "-t", "60", "stop"), home.resolve("pg_ctl.log"));
    }

    private void createDatabase() {
        run(List.of(binDir.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port), "-U", USER,
                DATABASE), java.util.Map.of("PGPASSWORD", password), home.resolve("pg_ctl.log"));
    }

    private void run(List<String> command, Path log) {
        run(command, java.util.Map.of(), log);
    }

    private void run(List<String> command, java.util.Map<String, String> environment, Path log) {
        List<String> full = new ArrayList<>();
        if (asRoot()) {
            // runuser keeps the environment (PGPASSWORD) for the command it runs.
            full.addAll(List.of("runuser", "-u", SERVICE_USER, "--"));
        }
        full.addAll(command);
        ChildProcess.run(full, environment, log, Duration.ofMinutes(2));
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** As root: the whole cluster directory belongs to the postgres user, who runs the server. */
    private static void handOver(Path home) throws IOException {
        UserPrincipalLookupService lookup = home.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user;
        GroupPrincipal group;
        try {
            user = lookup.lookupPrincipalByName(SERVICE_USER);
            group = lookup.lookupPrincipalByGroupName(SERVICE_USER);
        } catch (IOException e) {
            throw new IllegalStateException("running as root, PostgreSQL needs the '" + SERVICE_USER
                    + "' system user: install Debian's postgresql package (./kiln setup does)", e);
        }
        for (Path dir = home.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
            if (!mode.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new IllegalStateException("PostgreSQL runs as the '" + SERVICE_USER + "' user, which cannot enter " + dir
                        + " (mode " + java.nio.file.attribute.PosixFilePermissions.toString(mode) + "): allow it with chmod o+x "
                        + dir + ", or keep kiln's state elsewhere (KILN_STATE)");
            }
        }
        try (Stream<Path> tree = Files.walk(home)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    private static Path binDir() {
        for (Path candidate : candidates()) {
            if (Files.isExecutable(candidate.resolve("pg_ctl")) && Files.isExecutable(candidate.resolve("initdb"))
                    && Files.isExecutable(candidate.resolve("createdb"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found in "
                + candidates() + ": install Debian's postgresql package (./kiln setup does) or set KILN_PG_BIN");
    }

    private static List<Path> candidates() {
        List<Path> dirs = new ArrayList<>();
        String configured = System.getenv("KILN_PG_BIN");
        if (configured != null && !configured.isBlank()) {
            dirs.add(Path.of(configured));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.sorted(java.util.Comparator.reverseOrder()).forEach(v -> dirs.add(v.resolve("bin")));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dirs;
    }
}
