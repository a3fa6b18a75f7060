package dev.kiln.disk;

import java.util.Locale;

/**
 * How QEMU runs a guest here: {@code kvm} where KVM runs ordinary guests, {@code tcg} (software emulation, slower but
 * works everywhere) otherwise. {@code ./kiln} probes which (scripts/qemu-accelerator) and sets KILN_QEMU_ACCELERATOR;
 * every service, test and benchmark that starts QEMU reads it here.
 */
public enum QemuAccelerator {
    kvm, tcg;

    /** The environment variable {@code ./kiln} sets after probing. */
    public static final String VARIABLE = "KILN_QEMU_ACCELERATOR";

    /** KILN_QEMU_ACCELERATOR; tcg when it is unset (a /dev/kvm that cannot boot guests makes QEMU abort). */
    public static QemuAccelerator fromEnvironment() {
        String value = System.getenv(VARIABLE);
        return value == null || value.isBlank() ? tcg : parse(value);
    }

    public static QemuAccelerator parse(String value) {
        try {
            return valueOf(value.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("QEMU accelerator '" + value + "' is not one of kvm, tcg");
        }
    }
}
