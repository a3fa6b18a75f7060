package dev.kiln.local;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's reading of what it measures (the bench itself is a command, not a test: its figures are published). */
class BenchmarkTest {
    /** wrk 4.1's report with --latency, as Debian's wrk prints it. */
    private static final String WRK = """
            Running 10s test @ http://127.0.0.1:8084/api/v1/images/debian-chrony/lookup?version=0.1.1&format=qcow2
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   412.33us    1.21ms  31.02ms   97.81%
                Req/Sec    23.71k     2.10k   27.93k    71.00%
              Latency Distribution
                 50%  256.00us
                 75%  331.00us
                 90%  455.00us
                 99%    6.84ms
              471839 requests in 10.00s, 312.55MB read
            Requests/sec:  47183.22
            Transfer/sec:     31.25MB
            """;

    @Test
    void durationsAreRoundedBeforeTheyAreSplitIntoMinutesAndSeconds() {
        // 119.8 s once read "1 min 00 s" in the table (minutes cut, seconds rounded).
        assertEquals("2 min 00 s", Benchmark.seconds(119.8));
        assertEquals("1 min 00 s", Benchmark.seconds(59.96));
        assertEquals("1 min 46 s", Benchmark.seconds(105.6));
        assertEquals("49.4 s", Benchmark.seconds(49.4));
    }

    @Test
    void aStoresSizeCountsASparseDisksDataAndAHardLinkedFileOnce(@org.junit.jupiter.api.io.TempDir java.nio.file.Path store) throws Exception {
        java.nio.file.Path blob = java.nio.file.Files.createDirectories(store.resolve("sha256")).resolve("disk");
        try (java.io.RandomAccessFile disk = new java.io.RandomAccessFile(blob.toFile(), "rw")) {
            disk.setLength(1L << 30); // a 1 GiB disk, all hole but 1 MiB of data
            disk.write(new byte[1 << 20]);
        }
        java.nio.file.Files.createLink(java.nio.file.Files.createDirectories(store.resolve("images")).resolve("disk.raw"), blob);
        long stored = Benchmark.stored(store);
        assertTrue(stored >= 1 << 20 && stored < 2 << 20, "stored " + stored + " bytes");
        assertEquals(0, Benchmark.stored(store.resolve("absent")));
    }

    @Test
    void wrksRateAndPercentilesAreReadInMilliseconds() throws IOException {
        Benchmark.Wrk wrk = Benchmark.Wrk.parse(WRK);
        assertEquals(47183.22, wrk.requestsPerSecond(), 0.001);
        assertEquals(0.256, wrk.p50Millis(), 1e-9);
        assertEquals(6.84, wrk.p99Millis(), 1e-9);
        assertTrue(Double.isNaN(Benchmark.Wrk.parse(WRK.replace("     99%    6.84ms\n", "")).p99Millis()), "a missing percentile is no figure");
    }

    @Test
    void aRunWithRefusedAnswersIsNoFigure() {
        IOException refused = assertThrows(IOException.class, () -> Benchmark.Wrk.parse(WRK.replace("Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec")));
        assertTrue(refused.getMessage().contains("not 2xx"), refused.getMessage());
        assertThrows(IOException.class, () -> Benchmark.Wrk.parse("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void theP99OfFewSamplesIsTheirWorst() {
        assertEquals(1246, Benchmark.percentile(List.of(64L, 1246L, 23L, 100L, 5L, 7L), 0.99));
        assertEquals(50, Benchmark.percentile(List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L), 0.5));
        assertEquals(0, Benchmark.percentile(List.of(), 0.99));
    }
}
