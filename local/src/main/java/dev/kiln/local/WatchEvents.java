package dev.kiln.local;

import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaCredentials;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./kiln watch [--from-start]}: every release's events as they come, one row each, until Ctrl-C; with
 * {@code --from-start}, everything the broker still keeps first. Reads as the subscribers' account (kiln-observer,
 * which may read every kiln topic and write none) of the broker {@code ./kiln up} started (KILN_STATE,
 * KILN_KAFKA_PORT). Exit 2 when there is no such broker or the usage is wrong.
 */
public final class WatchEvents {
    private WatchEvents() {
    }

    public static void main(String[] args) throws Exception {
        boolean fromStart = args.length == 1 && args[0].equals("--from-start");
        if (args.length > 1 || (args.length == 1 && !fromStart)) {
            System.err.println("usage: ./kiln watch [--from-start]");
            System.exit(2);
        }
        String state = System.getenv().getOrDefault("KILN_STATE", "/var/tmp/kiln/state");
        String port = System.getenv().getOrDefault("KILN_KAFKA_PORT", "19092");
        Path password = Path.of(state, "kafka", "accounts", ServiceAccount.OBSERVER.user() + ".password");
        if (!Files.isReadable(password)) {
            System.err.println("kiln: no broker of ./kiln up in " + state + " (" + password + " is missing): start ./kiln up, or set KILN_STATE");
            System.exit(2);
        }
        KafkaCredentials observer = new KafkaCredentials("127.0.0.1:" + port, ServiceAccount.OBSERVER.user(), Files.readString(password).strip());
        PipelineProgress.followEveryRelease(observer, fromStart, System.out).join();
    }
}
