package dev.kiln.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for the servers this project starts. */
public final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A port that was free a moment ago: good enough for a server started right after. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1", e);
        }
    }

    /** Fails with a message that says which server and which setting, when a fixed port is taken. */
    public static void requireFree(int port, String server, String setting) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is in use, so " + server
                    + " cannot start there: stop what holds it (ss -ltnp 'sport = :" + port + "') or set " + setting
                    + " to another port");
        }
    }
}
