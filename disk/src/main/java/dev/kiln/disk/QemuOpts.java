package dev.kiln.disk;

/**
 * A value inside a QEMU option list ({@code -drive file=…,if=virtio}, {@code -qmp unix:…,server=on}). QEMU splits such a
 * list at each comma and reads a doubled comma as one comma of the value, so a path with a comma (a state directory
 * named so) would otherwise end the value there and pass the rest as options.
 */
public final class QemuOpts {
    private QemuOpts() {
    }

    public static String value(Object value) {
        return value.toString().replace(",", ",,");
    }
}
