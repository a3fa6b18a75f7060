package dev.kiln.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real S3-compatible server (s3proxy from Maven Central, filesystem backend, AWS v2/v4 signatures), in a JVM of
 * its own like {@link KafkaBroker}. One call starts it on a port and waits until it answers; {@link #close} stops it.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "kiln";
    public static final String SECRET_KEY = "kiln-local-secret";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static S3Server shared;

    private final Process process;
    private final int port;

    private S3Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a server keeping its buckets under {@code home}. */
    public static S3Server start(Path home, int port) {
        LoopbackPorts.requireFree(port, "the S3 server", "KILN_S3_PORT");
        try {
            Path data = Files.createDirectories(home.resolve("data"));
            Path properties = home.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data,
                    ""));
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-DLOG_LEVEL=warn", "-cp", classpath(),
                    "org.gaul.s3proxy.Main", "--properties", properties.toString());
            Path log = home.resolve("s3proxy.out");
            S3Server server = new S3Server(ChildProcess.start(command, log), port);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "s3-server-stop"));
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the S3 server in " + home, e);
        }
    }

    /** One server per JVM for tests, on a free port with its data in a temporary directory. */
    public static synchronized S3Server shared() {
        if (shared == null || !shared.process.isAlive()) {
            try {
                Path home = Files.createTempDirectory("kiln-s3-");
                shared = start(home, LoopbackPorts.free());
                Runtime.getRuntime().addShutdownHook(new Thread(() -> TempDirs.delete(home), "s3-server-clean"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            ChildProcess.stop(process, Duration.ofSeconds(20));
        }
    }

    private void awaitReady(Path log) {
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the S3 server exited with " + process.exitValue() + " while starting:\n" + ChildProcess.tail(log, 20));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(2000);
                connection.getResponseCode(); // any answer (403 without a signature) means it is serving
                connection.disconnect();
                return;
            } catch (IOException notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("the S3 server did not answer within " + READY_TIMEOUT + ":\n" + ChildProcess.tail(log, 20));
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String classpath() {
        try (InputStream in = S3Server.class.getResourceAsStream("s3-server.classpath")) {
            if (in == null) {
                throw new IllegalStateException("s3-server.classpath is missing from kiln-stack: build it with Maven");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
