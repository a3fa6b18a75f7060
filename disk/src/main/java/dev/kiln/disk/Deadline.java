package dev.kiln.disk;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for a whole piece of work (a build, a verification): when it passes, the thread doing the work is
 * interrupted, which stops whatever tool it is waiting for ({@link ToolProcess} stops its process tree).
 * {@link #close} (when the work ends) cancels it and clears an interrupt that came late, so the thread goes on to its
 * next record unharmed.
 */
public final class Deadline implements AutoCloseable {
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kiln-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration limit;
    private final String setting;
    private final Thread worker;
    private final ScheduledFuture<?> alarm;
    private volatile boolean passed;
    private boolean closed;

    private Deadline(Duration limit, String setting) {
        this.limit = limit;
        this.setting = setting;
        this.worker = Thread.currentThread();
        this.alarm = TIMER.schedule(this::expire, limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @param setting the configuration key that sets {@code limit}, named in the reason */
    public static Deadline start(Duration limit, String setting) {
        return new Deadline(limit, setting);
    }

    private synchronized void expire() {
        if (!closed) {
            passed = true;
            worker.interrupt();
        }
    }

    public boolean passed() {
        return passed;
    }

    /** "passed its deadline of 3h (kiln.builder.deadline) and was stopped", for "the build ..." and the like. */
    public String reason() {
        return "passed its deadline of " + limit.toString().substring(2).toLowerCase() + " (" + setting + ") and was stopped";
    }

    @Override
    public synchronized void close() {
        closed = true;
        alarm.cancel(false);
        if (passed) {
            // Ours, not a shutdown's: the thread must not carry it into the next build.
            Thread.interrupted();
        }
    }
}
