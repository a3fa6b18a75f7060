package dev.kiln.events;

import java.util.Arrays;
import java.util.List;

/**
 * The catalogue of formats kiln vends, in the order it lists them, and how qemu-img writes and reads each: the one
 * place that says which formats exist (kiln.yaml, the builder, the verifier and the registry read it here). All are
 * converted from the one sealed raw disk; the OVA packs the streamOptimized VMDK with an OVF descriptor and a manifest.
 */
public enum DiskFormat {
    RAW("raw", "raw", "raw", List.of(), false),
    QCOW2("qcow2", "qcow2", "qcow2", List.of(), true),
    // Azure takes fixed VHDs whose virtual size is a whole number of MiB; force_size keeps the size exact.
    VHD("vhd", "vpc", "vhd", List.of("-o", "subformat=fixed,force_size=on"), false),
    VHDX("vhdx", "vhdx", "vhdx", List.of("-o", "subformat=dynamic"), true),
    VMDK("vmdk", "vmdk", "vmdk", List.of("-o", "subformat=streamOptimized"), true),
    OVA("ova", "vmdk", "ova", List.of("-o", "subformat=streamOptimized"), true);

    private final String id;
    private final String qemuFormat;
    private final String extension;
    private final List<String> createOptions;
    private final boolean checkable;

    DiskFormat(String id, String qemuFormat, String extension, List<String> createOptions, boolean checkable) {
        this.id = id;
        this.qemuFormat = qemuFormat;
        this.extension = extension;
        this.createOptions = createOptions;
        this.checkable = checkable;
    }

    /** The name in kiln.yaml and events. */
    public String id() {
        return id;
    }

    /** qemu-img's name for the disk inside (for OVA: the VMDK it carries). */
    public String qemuFormat() {
        return qemuFormat;
    }

    public String extension() {
        return extension;
    }

    public List<String> createOptions() {
        return createOptions;
    }

    /**
     * The format whose file this one is made of: itself, or for the OVA the VMDK it packs. Formats that share one are
     * converted once: the OVA carries, byte for byte, the file the VMDK format is.
     */
    public DiskFormat container() {
        return this == OVA ? VMDK : this;
    }

    /** Whether writing it compresses (streamOptimized VMDK): the slow conversions, started first. */
    public boolean compressed() {
        return createOptions.stream().anyMatch(option -> option.contains("streamOptimized"));
    }

    /** Whether {@code qemu-img check} can check it. */
    public boolean checkable() {
        return checkable;
    }

    public static DiskFormat of(String id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("unknown format '" + id + "'; kiln builds " + String.join(", ", ids())));
    }

    public static java.util.Optional<DiskFormat> find(String id) {
        return Arrays.stream(values()).filter(f -> f.id.equals(id)).findFirst();
    }

    /** Every format's id, in catalogue order: raw, qcow2, vhd, vhdx, vmdk, ova. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(DiskFormat::id).toList();
    }
}
