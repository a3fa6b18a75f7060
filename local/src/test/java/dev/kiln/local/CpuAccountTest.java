package dev.kiln.local;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuAccountTest {
    @Test
    void aFinishedChildsCpuIsCountedToItsParentsGroup() throws Exception {
        long self = ProcessHandle.current().pid();
        CpuAccount.Sample before = CpuAccount.sample();
        // A fixed amount of work in a child this JVM waits for, as the builder waits for Packer; the shell reports
        // its own CPU time last (`times`), which the account must find again under this process's children.
        Process busy = new ProcessBuilder(List.of("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; times")).start();
        String times = new String(busy.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(busy.waitFor(60, TimeUnit.SECONDS));
        String account = CpuAccount.between(before, CpuAccount.sample(), pid -> pid == self ? "bench" : null);

        Matcher own = Pattern.compile("^([0-9]+)m([0-9.]+)s ([0-9]+)m([0-9.]+)s").matcher(times.strip());
        assertTrue(own.find(), times);
        double used = Integer.parseInt(own.group(1)) * 60 + Double.parseDouble(own.group(2)) + Integer.parseInt(own.group(3)) * 60
                + Double.parseDouble(own.group(4));
        assertTrue(used > 0.1, "the child did some work: " + times);
        Matcher children = Pattern.compile("bench [0-9.]+ \\(children ([0-9.]+)\\)").matcher(account);
        assertTrue(children.find(), account);
        double seconds = Double.parseDouble(children.group(1));
        assertTrue(Math.abs(seconds - used) <= 0.15, "the child says it used " + used + " s of CPU, the account " + seconds + " s: " + account);
        Matcher machine = Pattern.compile("machine busy ([0-9.]+), idle ([0-9.]+), stolen ([0-9.]+)").matcher(account);
        assertTrue(machine.find(), account);
        assertTrue(Double.parseDouble(machine.group(1)) >= seconds - 0.2, "the machine was busy at least as long as the child: " + account);
    }

    @Test
    void aRunningGrandchildsCpuIsCountedToItsAncestorsGroup() throws Exception {
        long self = ProcessHandle.current().pid();
        CpuAccount.Sample before = CpuAccount.sample();
        // As QEMU runs below the build sandbox below the builder: a shell's child does the work and is still alive.
        Process sandbox = new ProcessBuilder(List.of("sh", "-c",
                "sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo worked; exec sleep 60' & wait")).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(sandbox.getInputStream()));
            assertTrue("worked".equals(out.readLine()));
            String account = CpuAccount.between(before, CpuAccount.sample(), pid -> pid == self ? "bench" : null);
            Matcher children = Pattern.compile("bench [0-9.]+ \\(children ([0-9.]+)\\)").matcher(account);
            assertTrue(children.find() && Double.parseDouble(children.group(1)) >= 0.1, "the grandchild's work is the bench's: " + account);
        } finally {
            sandbox.descendants().forEach(ProcessHandle::destroyForcibly);
            sandbox.destroyForcibly();
        }
    }

    @Test
    void aSandboxLeftAsAZombieOfInitIsStillItsBuildersByTheParentItHadWhileItRan() {
        // As /proc showed a build's end on this machine: the outer bubblewrap (201) exited first, and the inner one (202),
        // holding Packer's and QEMU's time as its children's, was for a moment a zombie whose parent is PID 1.
        java.time.Instant t = java.time.Instant.parse("2026-12-04T02:00:00Z");
        CpuAccount.Sample start = new CpuAccount.Sample(t, 0, 0, 0, java.util.Map.of(100L, new CpuAccount.Proc(100, 1, "java", 10, 0)));
        CpuAccount.Sample running = new CpuAccount.Sample(t.plusSeconds(2), 200, 0, 0, java.util.Map.of(
                100L, new CpuAccount.Proc(100, 1, "java", 20, 0),
                201L, new CpuAccount.Proc(201, 100, "bwrap", 0, 0),
                202L, new CpuAccount.Proc(202, 201, "bwrap", 0, 0),
                203L, new CpuAccount.Proc(203, 202, "packer", 100, 0)));
        CpuAccount.Sample end = new CpuAccount.Sample(t.plusSeconds(4), 6400, 0, 0, java.util.Map.of(
                100L, new CpuAccount.Proc(100, 1, "java", 30, 0),
                202L, new CpuAccount.Proc(202, 1, "bwrap", 0, 6000)));
        String account = CpuAccount.between(List.of(start, running, end), pid -> pid == 100 ? "builder" : null);
        assertTrue(account.contains("builder 0.2 (children 60.0)") && account.endsWith("other processes none"), account);
        // From the two ends alone the zombie's ancestry is lost: that is what the bench printed before ("bwrap 69.9").
        assertTrue(CpuAccount.between(start, end, pid -> pid == 100 ? "builder" : null).contains("other processes bwrap 60.0"));
    }
}
