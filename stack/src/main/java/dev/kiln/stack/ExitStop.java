package dev.kiln.stack;

/**
 * A server's stop when the JVM exits (so a test run never leaves one behind), which a caller that stops the server
 * itself, after what uses it, takes back: shutdown hooks run all at once, in no order, and the server's would stop it
 * under the services still shutting down.
 */
final class ExitStop {
    private final Thread hook;

    ExitStop(Runnable stop, String name) {
        hook = new Thread(stop, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    void withdraw() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyExiting) {
            // the JVM is exiting: the hook runs, as it would have
        }
    }
}
