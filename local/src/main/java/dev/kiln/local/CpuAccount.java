package dev.kiln.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Where the machine's CPU went between two moments, from /proc: the machine's busy, idle and stolen time, and each
 * process group's own time plus what its descendants used, running or finished (a build's Packer, QEMU and Ansible
 * run below the builder, in its sandbox). Linux only; the bench's way of telling a slower stage from a busier machine.
 */
final class CpuAccount {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ, 100 on every Linux architecture kiln runs on

    /** The machine's counters and every process's at one moment. */
    record Sample(java.time.Instant at, long busy, long idle, long steal, Map<Long, Proc> processes) {
    }

    /** One process's parent and CPU ticks: its own, and its waited-for children's. */
    record Proc(long pid, long parent, String comm, long own, long children) {
    }

    static Sample sample() throws IOException {
        java.time.Instant at = java.time.Instant.now();
        String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = cpu.trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]);
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
        Map<Long, Proc> processes = new LinkedHashMap<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : dirs.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
                    // comm may hold spaces and parentheses: the fields after it start at the last ')'.
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(stat.indexOf('(') + 1, close);
                    String[] rest = stat.substring(close + 2).split(" ");
                    // rest[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17
                    long own = Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
                    long children = Long.parseLong(rest[13]) + Long.parseLong(rest[14]);
                    long pid = Long.parseLong(dir.getFileName().toString());
                    processes.put(pid, new Proc(pid, Long.parseLong(rest[1]), comm, own, children));
                } catch (IOException | RuntimeException e) {
                    // the process ended while being read
                }
            }
        }
        return new Sample(at, busy, idle, steal, processes);
    }

    /**
     * What happened between two samples, in core-seconds: the machine's busy, idle and stolen time, then each group
     * {@code label} names, its processes' own time and (in brackets) their descendants' (running ones', and what the
     * finished ones used); processes with no named ancestor fall under "other", by command name.
     */
    static String between(Sample start, Sample end, LongFunction<String> label) {
        return between(List.of(start, end), label);
    }

    /**
     * As {@link #between(Sample, Sample, LongFunction)} from the window's first sample to its last, with each
     * process's parent as the samples in between saw it. A sandbox's inner bubblewrap outlives its outer one for a
     * moment, so at the end it may be a zombie whose parent is now PID 1; its ancestry is the one it had while it ran.
     * Once PID 1 has reaped it, its time is PID 1's children's and is counted there (measured on this machine: three
     * sandboxed builds' time under PID 1, "process_api 80.9").
     */
    static String between(List<Sample> window, LongFunction<String> label) {
        Sample start = window.get(0);
        Sample end = window.get(window.size() - 1);
        Map<Long, Long> parents = new java.util.HashMap<>();
        for (Sample sample : window) {
            for (Proc proc : sample.processes().values()) {
                // The first parent seen that is not PID 1: adoption by init comes only after the real parent is gone.
                if (proc.parent() > 1) {
                    parents.putIfAbsent(proc.pid(), proc.parent());
                }
            }
        }
        Map<String, long[]> groups = new TreeMap<>();
        Map<String, Long> others = new TreeMap<>();
        for (Proc now : end.processes().values()) {
            Proc then = start.processes().get(now.pid());
            boolean same = then != null && then.comm().equals(now.comm());
            long own = now.own() - (same ? then.own() : 0);
            long children = now.children() - (same ? then.children() : 0);
            if (own + children <= 0) {
                continue;
            }
            String group = label.apply(now.pid());
            if (group != null) {
                long[] sum = groups.computeIfAbsent(group, g -> new long[2]);
                sum[0] += own;
                sum[1] += children;
                continue;
            }
            // A descendant of a named process (the sandbox below the builder, QEMU below it) is that group's.
            String ancestor = null;
            Long up = parents.get(now.pid());
            for (int hops = 0; up != null && ancestor == null && hops < 64; hops++) {
                ancestor = label.apply(up);
                up = parents.get(up);
            }
            if (ancestor == null) {
                others.merge(now.comm(), own + children, Long::sum);
            } else {
                groups.computeIfAbsent(ancestor, g -> new long[2])[1] += own + children;
            }
        }
        String top = others.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .map(e -> e.getKey() + " " + seconds(e.getValue())).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "over %.1f s: machine busy %s, idle %s, stolen %s; %s; other processes %s",
                java.time.Duration.between(start.at(), end.at()).toMillis() / 1000.0, seconds(end.busy() - start.busy()), seconds(end.idle() - start.idle()), seconds(end.steal() - start.steal()),
                groups.entrySet().stream().map(e -> e.getKey() + " " + seconds(e.getValue()[0])
                        + (e.getValue()[1] > 0 ? " (children " + seconds(e.getValue()[1]) + ")" : "")).collect(Collectors.joining(", ")),
                top.isEmpty() ? "none" : top);
    }

    /** The command line of a process, its arguments joined by spaces ("" once it has ended). */
    static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static String seconds(long ticks) {
        return String.format(Locale.ROOT, "%.1f", ticks / TICKS_PER_SECOND);
    }

    private CpuAccount() {
    }
}
