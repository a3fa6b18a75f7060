package dev.kiln.builder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A guest's serial console as a failed build's log shows it: its end, as plain text, and only a file the build wrote. */
class GuestConsoleTest {
    @TempDir
    Path workspace;

    @Test
    void itsLastLinesComeAsPlainText() throws Exception {
        // As a Debian guest writes it: CRLF line ends, systemd's coloured status, a blank line, the login prompt.
        Files.writeString(workspace.resolve("guest-console.log"), "[    0.000000] Linux version 6.1.0-28-amd64\r\n"
                + "[\u001B[0;32m  OK  \u001B[0m] Started \u001B[0;1;39mssh.service\u001B[0m - OpenBSD Secure Shell server.\r\n"
                + "\r\n"
                + "Debian GNU/Linux 12 debian ttyS0\r\n\r\ndebian login: \u0007");
        assertEquals(List.of("[  OK  ] Started ssh.service - OpenBSD Secure Shell server.", "Debian GNU/Linux 12 debian ttyS0", "debian login:"),
                GuestConsole.tail(workspace, workspace.resolve("guest-console.log"), 3));
        assertEquals(4, GuestConsole.tail(workspace, workspace.resolve("guest-console.log"), 40).size());
    }

    @Test
    void aLongConsoleIsReadFromItsEndWithoutAHalfLine() throws Exception {
        StringBuilder boot = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            boot.append("[").append(i).append("] a line of the boot\n");
        }
        Files.writeString(workspace.resolve("guest-console.log"), boot, StandardCharsets.UTF_8);
        List<String> tail = GuestConsole.tail(workspace, workspace.resolve("guest-console.log"), 100_000);
        assertEquals("[19999] a line of the boot", tail.get(tail.size() - 1));
        assertTrue(tail.size() > 100 && tail.size() < 20_000, tail.size() + " lines");
        assertTrue(tail.stream().allMatch(line -> line.matches("\\[\\d+\\] a line of the boot")), "whole lines only: " + tail.get(0));
    }

    @Test
    void noConsoleIsNoLines() throws Exception {
        assertEquals(List.of(), GuestConsole.tail(workspace, workspace.resolve("guest-console.log"), 40));
    }

    @Test
    void aConsoleThatIsALinkIsNotFollowed() throws Exception {
        Path secret = Files.writeString(Files.createTempFile("builder-secret", ".txt"), "token=not-for-the-log\n");
        try {
            Files.createSymbolicLink(workspace.resolve("guest-console.log"), secret);
            BuildFailure refused = assertThrows(BuildFailure.class, () -> GuestConsole.tail(workspace, workspace.resolve("guest-console.log"), 40));
            assertTrue(refused.getMessage().contains("guest-console.log") && !refused.getMessage().contains("token="), refused.getMessage());
        } finally {
            Files.delete(secret);
        }
    }
}
