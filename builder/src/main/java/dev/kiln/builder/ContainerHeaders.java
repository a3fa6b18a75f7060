package dev.kiln.builder;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * qemu-img writes the time of the conversion and fresh random identifiers into the headers of VHD, VHDX and VMDK
 * files. Those fields are rewritten here with values derived from the release (image, version, commit) and
 * SOURCE_DATE_EPOCH, checksums recomputed, so converting the same disk twice gives the same file. Identifiers stay
 * unique per release and format. qcow2 and raw carry no such fields.
 */
final class ContainerHeaders {
    /** 2000-01-01T00:00:00Z, where VHD time starts. */
    private static final long VHD_EPOCH = 946_684_800L;
    private static final int KIB = 1024;
    private static final byte[] VHDX_METADATA_REGION = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    private static final byte[] VHDX_PAGE83_DATA = guid("BECA12AB-B2E6-4523-93EF-C309E000C746");

    private final ReleaseIds ids;
    private final long sourceDateEpoch;

    ContainerHeaders(ReleaseIds ids, long sourceDateEpoch) {
        this.ids = ids;
        this.sourceDateEpoch = sourceDateEpoch;
    }

    /** Pins the header fields of a file qemu-img wrote in the given qemu format (vpc, vhdx, vmdk; others as they are). */
    void pin(String qemuFormat, Path file) throws IOException {
        switch (qemuFormat) {
            case "vpc" -> pinVhd(file);
            case "vhdx" -> pinVhdx(file);
            case "vmdk" -> pinVmdk(file);
            default -> { }
        }
    }

    private void pinVhd(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long footerAt = f.length() - 512;
            byte[] footer = read(f, footerAt, 512);
            if (!new String(footer, 0, 8, StandardCharsets.US_ASCII).equals("conectix")) {
                throw new IOException(file.getFileName() + " has no VHD footer");
            }
            ByteBuffer b = ByteBuffer.wrap(footer).order(ByteOrder.BIG_ENDIAN);
            b.putInt(24, (int) Math.max(0, sourceDateEpoch - VHD_EPOCH));
            b.put(68, ids.bytes("vhd unique id"));
            b.putInt(64, 0);
            int sum = 0;
            for (byte x : footer) {
                sum += x & 0xff;
            }
            b.putInt(64, ~sum);
            write(f, footerAt, footer);
            int diskType = b.getInt(60);
            if (diskType == 3 || diskType == 4) {
                write(f, 0, footer); // dynamic and differencing disks keep a copy of the footer at the start
            }
        }
    }

    private void pinVhdx(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long[] headers = {64 * KIB, 128 * KIB};
            // qemu-img starts the sequence at a random number; the current header is the one with the higher number.
            long first = ByteBuffer.wrap(read(f, headers[0] + 8, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long second = ByteBuffer.wrap(read(f, headers[1] + 8, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long[] sequence = Long.compareUnsigned(first, second) >= 0 ? new long[] {2, 1} : new long[] {1, 2};
            for (int h = 0; h < 2; h++) {
                long at = headers[h];
                byte[] header = read(f, at, 4 * KIB);
                ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
                if (!new String(header, 0, 4, StandardCharsets.US_ASCII).equals("head")) {
                    throw new IOException(file.getFileName() + " has no VHDX header at " + at);
                }
                byte[] logGuid = new byte[16];
                b.get(48, logGuid);
                if (!java.util.Arrays.equals(logGuid, new byte[16])) {
                    throw new IOException(file.getFileName() + " has an active VHDX log; qemu-img left it unfinished");
                }
                b.putLong(8, sequence[h]);
                b.put(16, ids.bytes("vhdx file write guid"));
                b.put(32, ids.bytes("vhdx data write guid"));
                b.putInt(4, 0);
                b.putInt(4, crc32c(header));
                write(f, at, header);
                // With no active log its region is never read; qemu-img leaves entries with random ids there.
                long logOffset = b.getLong(72);
                int logLength = b.getInt(68);
                if (logOffset > 0 && logLength > 0 && logOffset + logLength <= f.length()) {
                    write(f, logOffset, new byte[logLength]);
                }
            }
            byte[] regions = read(f, 192 * KIB, 64 * KIB);
            ByteBuffer r = ByteBuffer.wrap(regions).order(ByteOrder.LITTLE_ENDIAN);
            int entries = r.getInt(8);
            for (int i = 0; i < entries && i < 2047; i++) {
                int e = 16 + i * 32;
                if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(regions, e, e + 16), VHDX_METADATA_REGION)) {
                    pinVhdxDiskId(f, r.getLong(e + 16));
                }
            }
        }
    }

    private void pinVhdxDiskId(RandomAccessFile f, long metadataAt) throws IOException {
        byte[] table = read(f, metadataAt, 64 * KIB);
        ByteBuffer t = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
        int count = t.getShort(10) & 0xffff;
        for (int i = 0; i < count && i < 2047; i++) {
            int e = 32 + i * 32;
            if (java.util.Arrays.equals(java.util.Arrays.copyOfRange(table, e, e + 16), VHDX_PAGE83_DATA)) {
                write(f, metadataAt + Integer.toUnsignedLong(t.getInt(e + 16)), ids.bytes("vhdx virtual disk id"));
            }
        }
    }

    private void pinVmdk(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] header = read(f, 0, 512);
            if (!new String(header, 0, 4, StandardCharsets.US_ASCII).equals("KDMV")) {
                throw new IOException(file.getFileName() + " is not a sparse VMDK");
            }
            ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            long at = b.getLong(28) * 512;
            int size = (int) (b.getLong(36) * 512);
            byte[] area = read(f, at, size);
            int end = 0;
            while (end < area.length && area[end] != 0) {
                end++;
            }
            String descriptor = new String(area, 0, end, StandardCharsets.US_ASCII);
            int cid = ByteBuffer.wrap(ids.bytes("vmdk content id")).getInt() ;
            // A CID of ffffffff means "no parent"; never derive that one.
            String pinned = descriptor.replaceFirst("(?m)^CID=[0-9a-fA-F]+$", String.format("CID=%08x", cid == -1 ? 1 : cid));
            byte[] text = pinned.getBytes(StandardCharsets.US_ASCII);
            if (text.length > area.length) {
                throw new IOException(file.getFileName() + ": the VMDK descriptor does not fit its area");
            }
            byte[] out = new byte[area.length];
            System.arraycopy(text, 0, out, 0, text.length);
            write(f, at, out);
        }
    }

    /**
     * The header fields of a file in a qemu format, by name, as a person would compare them (hex or decimal): what
     * the rebuild report lists when two files that carry the same disk differ.
     */
    static java.util.Map<String, String> fields(String qemuFormat, Path file) throws IOException {
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            switch (qemuFormat) {
                case "vpc" -> {
                    ByteBuffer b = ByteBuffer.wrap(read(f, f.length() - 512, 512)).order(ByteOrder.BIG_ENDIAN);
                    fields.put("footer.timestamp", Integer.toUnsignedString(b.getInt(24)) + " (seconds since 2000)");
                    fields.put("footer.creator", new String(b.array(), 28, 4, StandardCharsets.US_ASCII) + " " + Integer.toHexString(b.getInt(32)));
                    fields.put("footer.creator-host-os", Integer.toHexString(b.getInt(36)));
                    fields.put("footer.current-size", Long.toString(b.getLong(48)));
                    fields.put("footer.disk-type", Integer.toString(b.getInt(60)));
                    fields.put("footer.checksum", Integer.toHexString(b.getInt(64)));
                    fields.put("footer.unique-id", hex(b.array(), 68, 16));
                }
                case "vhdx" -> {
                    for (int h = 1; h <= 2; h++) {
                        ByteBuffer b = ByteBuffer.wrap(read(f, h * 64L * KIB, 4 * KIB)).order(ByteOrder.LITTLE_ENDIAN);
                        fields.put("header" + h + ".checksum", Integer.toHexString(b.getInt(4)));
                        fields.put("header" + h + ".sequence-number", Long.toUnsignedString(b.getLong(8)));
                        fields.put("header" + h + ".file-write-guid", hex(b.array(), 16, 16));
                        fields.put("header" + h + ".data-write-guid", hex(b.array(), 32, 16));
                        fields.put("header" + h + ".log-guid", hex(b.array(), 48, 16));
                    }
                    fields.put("file-identifier.creator", new String(read(f, 8, 512), StandardCharsets.UTF_16LE).replace("\0", ""));
                }
                case "vmdk" -> {
                    ByteBuffer b = ByteBuffer.wrap(read(f, 0, 512)).order(ByteOrder.LITTLE_ENDIAN);
                    byte[] area = read(f, b.getLong(28) * 512, (int) Math.min(b.getLong(36) * 512, 64 * KIB));
                    int end = 0;
                    while (end < area.length && area[end] != 0) {
                        end++;
                    }
                    for (String line : new String(area, 0, end, StandardCharsets.US_ASCII).split("\n")) {
                        int eq = line.indexOf('=');
                        if (!line.startsWith("#") && eq > 0) {
                            fields.put("descriptor." + line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                        } else if (line.startsWith("RW ") || line.startsWith("RDONLY ")) {
                            fields.put("descriptor.extent", line);
                        }
                    }
                }
                case "qcow2" -> {
                    ByteBuffer b = ByteBuffer.wrap(read(f, 0, 104)).order(ByteOrder.BIG_ENDIAN);
                    fields.put("header.version", Integer.toString(b.getInt(4)));
                    fields.put("header.backing-file-offset", Long.toString(b.getLong(8)));
                    fields.put("header.cluster-bits", Integer.toString(b.getInt(20)));
                    fields.put("header.size", Long.toString(b.getLong(24)));
                    fields.put("header.l1-size", Integer.toString(b.getInt(36)));
                    fields.put("header.l1-table-offset", Long.toString(b.getLong(40)));
                    fields.put("header.refcount-table-offset", Long.toString(b.getLong(48)));
                    fields.put("header.nb-snapshots", Integer.toString(b.getInt(60)));
                    fields.put("header.incompatible-features", Long.toHexString(b.getLong(72)));
                    fields.put("header.compatible-features", Long.toHexString(b.getLong(80)));
                }
                default -> { }
            }
        }
        return fields;
    }

    private static String hex(byte[] bytes, int from, int length) {
        return java.util.HexFormat.of().formatHex(bytes, from, from + length);
    }

    static byte[] guid(String text) {
        String hex = text.replace("-", "");
        byte[] b = new byte[16];
        for (int i = 0; i < 16; i++) {
            b[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        // Microsoft GUIDs store their first three fields little-endian.
        return new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]};
    }

    private static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    private static byte[] read(RandomAccessFile f, long at, int length) throws IOException {
        byte[] b = new byte[length];
        f.seek(at);
        f.readFully(b);
        return b;
    }

    private static void write(RandomAccessFile f, long at, byte[] b) throws IOException {
        f.seek(at);
        f.write(b);
    }
}
