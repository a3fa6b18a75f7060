package dev.kiln.stack;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PostgresClusterTest {
    private Path home;

    @AfterEach
    void removeHome() {
        TempDirs.delete(home);
    }

    @Test
    void startsStopsAndKeepsItsDataAcrossRestarts() throws Exception {
        // Not @TempDir: as root the directory is handed to the postgres user, who must reach it from /tmp.
        home = Files.createTempDirectory("kiln-pg-test-");
        int port = LoopbackPorts.free();
        try (PostgresCluster cluster = PostgresCluster.start(home, port)) {
            try (Connection db = connect(cluster); Statement sql = db.createStatement()) {
                sql.execute("CREATE TABLE release (version text primary key)");
                sql.execute("INSERT INTO release VALUES ('0.1.0')");
                ResultSet rs = sql.executeQuery("SELECT current_database(), current_user");
                assertTrue(rs.next());
                assertEquals(PostgresCluster.DATABASE, rs.getString(1));
                assertEquals(PostgresCluster.USER, rs.getString(2));
            }
        }
        assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + PostgresCluster.DATABASE, PostgresCluster.USER, ""));
        // Abuse: with the server up, neither no password nor a wrong one gets in; there is no trust entry left.
        try (PostgresCluster running = PostgresCluster.start(home, port)) {
            SQLException none = assertThrows(SQLException.class, () -> DriverManager.getConnection(running.jdbcUrl(), PostgresCluster.USER, ""));
            assertTrue(none.getMessage().contains("password"), none.getMessage());
            assertThrows(SQLException.class, () -> DriverManager.getConnection(running.jdbcUrl(), PostgresCluster.USER, "guess"));
            assertThrows(SQLException.class, () -> DriverManager.getConnection(running.jdbcUrl(), "postgres", ""));
            String hba = Files.readString(home.resolve("data/pg_hba.conf"));
            assertTrue(hba.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).noneMatch(l -> l.contains("trust")), hba);
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(home.resolve("kiln-password"))));
        }

        try (PostgresCluster again = PostgresCluster.start(home, port);
             Connection db = connect(again); Statement sql = db.createStatement()) {
            ResultSet rs = sql.executeQuery("SELECT version FROM release");
            assertTrue(rs.next());
            assertEquals("0.1.0", rs.getString(1));
        }
    }

    private static Connection connect(PostgresCluster cluster) throws SQLException {
        return DriverManager.getConnection(cluster.jdbcUrl(), PostgresCluster.USER, cluster.password());
    }
}
