package dev.kiln.verifier;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An image must carry its whole disk: one that names other files (a qcow2 backing file or external data file, a VMDK
 * whose extents are elsewhere, a differencing VHD) would make qemu-img read those files — the sealed image it is
 * layered on, or a file of this machine — as if they were the image. Read from the headers, before qemu-img opens
 * the file, so nothing it names is ever opened.
 */
final class SelfContainedImage {
    static final String RULE = "decode";
    private static final int QCOW2_MAGIC = 0x514649fb;
    /** qcow2 header extension naming an external data file ("DATA"). */
    private static final int QCOW2_EXT_DATA_FILE = 0x44415441;
    /** qcow2 incompatible feature bit 2: the guest data lives in an external data file. */
    private static final long QCOW2_INCOMPATIBLE_DATA_FILE = 1L << 2;
    private static final int VMDK_SPARSE_MAGIC = 0x564d444b;
    private static final int VHD_DIFFERENCING = 4;
    private static final Pattern VMDK_EXTENT = Pattern.compile("(?m)^\\s*(RW|RDONLY|NOACCESS)\\s+\\d+\\s+(\\S+)(.*)$");
    private static final Pattern VMDK_CREATE_TYPE = Pattern.compile("(?m)^\\s*createType\\s*=\\s*\"([^\"]*)\"");
    private static final int MAX_VMDK_DESCRIPTOR = 64 << 10;

    private SelfContainedImage() {
    }

    /** Refuses {@code file} (in qemu-img's {@code qemuFormat}) when it refers to anything outside itself. */
    static void require(Path file, String qemuFormat) throws Rejection, IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new Rejection(RULE, "", "the image is not a regular file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            switch (qemuFormat) {
                case "qcow2" -> qcow2(channel);
                case "vmdk" -> vmdk(channel);
                case "vpc" -> vhd(channel);
                default -> {
                    // raw has no header; QEMU's vhdx driver refuses differencing (parent) images itself
                }
            }
        }
    }

    private static void qcow2(FileChannel file) throws Rejection, IOException {
        ByteBuffer header = read(file, 0, 104);
        if (header.remaining() < 72 || header.getInt(0) != QCOW2_MAGIC) {
            // Not a qcow2 at all: qemu-img's own check says so, reading nothing else.
            return;
        }
        int version = header.getInt(4);
        long backingOffset = header.getLong(8);
        int backingSize = header.getInt(16);
        if (backingOffset != 0 || backingSize != 0) {
            String name = backingSize > 0 && backingSize <= 1023 ? printable(read(file, backingOffset, backingSize)) : "";
            throw new Rejection(RULE, "", "the qcow2 image has a backing file" + (name.isEmpty() ? "" : " ('" + name + "')")
                    + ": it is a layer over another image, not a whole disk. Publish a self-contained image (qemu-img convert "
                    + "without -B, or qemu-img rebase -b '')");
        }
        if (version < 3 || header.remaining() < 104) {
            return;
        }
        if ((header.getLong(72) & QCOW2_INCOMPATIBLE_DATA_FILE) != 0) {
            throw new Rejection(RULE, "", "the qcow2 image keeps its data in an external data file: not a whole disk. Publish "
                    + "a self-contained image (qemu-img convert to qcow2 without data_file)");
        }
        long offset = Integer.toUnsignedLong(header.getInt(100));
        // Header extensions end with type 0; they sit in the first cluster, so a few dozen is already absurd.
        for (int n = 0; n < 64 && offset > 0; n++) {
            ByteBuffer extension = read(file, offset, 8);
            if (extension.remaining() < 8 || extension.getInt(0) == 0) {
                return;
            }
            if (extension.getInt(0) == QCOW2_EXT_DATA_FILE) {
                throw new Rejection(RULE, "", "the qcow2 image names an external data file: not a whole disk. Publish a "
                        + "self-contained image (qemu-img convert to qcow2 without data_file)");
            }
            long length = Integer.toUnsignedLong(extension.getInt(4));
            offset += 8 + ((length + 7) & ~7L);
        }
    }

    private static void vmdk(FileChannel file) throws Rejection, IOException {
        ByteBuffer header = read(file, 0, 512).order(ByteOrder.LITTLE_ENDIAN);
        if (header.remaining() >= 4 && header.getInt(0) != VMDK_SPARSE_MAGIC) {
            String start = printable(read(file, 0, 64));
            if (start.toLowerCase(Locale.ROOT).contains("disk descriptorfile") || start.startsWith("#") || start.contains("version=")) {
                throw new Rejection(RULE, "", "the VMDK is a descriptor that keeps the disk in other files (extents): not a whole "
                        + "disk. Publish a monolithic or stream-optimized VMDK (qemu-img convert -O vmdk -o subformat=streamOptimized)");
            }
            // Anything else is not a VMDK: qemu-img's check says so.
            return;
        }
        if (header.remaining() < 44) {
            return;
        }
        long descriptorSector = header.getLong(28);
        long descriptorSectors = header.getLong(36);
        if (descriptorSector == 0 || descriptorSectors == 0) {
            return;
        }
        // Sector numbers are unsigned 64-bit: a negative one, or one past the file, is a header no writer makes.
        if (descriptorSector < 0 || descriptorSectors < 0 || descriptorSector > file.size() / 512) {
            throw new Rejection(RULE, "", "the VMDK's header places its embedded descriptor outside the file (sector "
                    + Long.toUnsignedString(descriptorSector) + ", " + Long.toUnsignedString(descriptorSectors) + " sectors)");
        }
        if (descriptorSectors > MAX_VMDK_DESCRIPTOR / 512) {
            throw new Rejection(RULE, "", "the VMDK's embedded descriptor claims " + Long.toUnsignedString(descriptorSectors) + " sectors; kiln reads at most "
                    + MAX_VMDK_DESCRIPTOR + " bytes");
        }
        String descriptor = new String(bytes(read(file, descriptorSector * 512, (int) (descriptorSectors * 512))), StandardCharsets.US_ASCII);
        Matcher createType = VMDK_CREATE_TYPE.matcher(descriptor);
        if (createType.find() && !List.of("monolithicSparse", "streamOptimized").contains(createType.group(1))) {
            throw new Rejection(RULE, "", "the VMDK's descriptor says createType \"" + printable(createType.group(1))
                    + "\": its disk is kept in other files. Publish a monolithic or stream-optimized VMDK");
        }
        Matcher extents = VMDK_EXTENT.matcher(descriptor);
        int count = 0;
        while (extents.find()) {
            count++;
            if (!extents.group(2).equals("SPARSE") || count > 1) {
                throw new Rejection(RULE, "", "the VMDK's descriptor lists an extent of type " + printable(extents.group(2))
                        + printable(extents.group(3)) + ": its disk is kept in other files. Publish a monolithic or stream-optimized VMDK");
            }
        }
    }

    private static void vhd(FileChannel file) throws Rejection, IOException {
        long size = file.size();
        if (size < 512) {
            return;
        }
        // The footer is at the end; a dynamic VHD keeps a copy at the start.
        for (long at : new long[] {size - 512, 0}) {
            ByteBuffer footer = read(file, at, 512);
            if (footer.remaining() == 512 && printable(bytes(footer.duplicate().limit(8))).equals("conectix")
                    && footer.getInt(60) == VHD_DIFFERENCING) {
                throw new Rejection(RULE, "", "the VHD is a differencing disk: a layer over a parent image, not a whole disk. "
                        + "Publish a fixed or dynamic VHD");
            }
        }
    }

    private static ByteBuffer read(FileChannel file, long at, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        if (at < 0 || at >= file.size()) {
            return buffer.flip();
        }
        while (buffer.hasRemaining() && file.read(buffer, at + buffer.position()) > 0) {
            // until full or the end of the file
        }
        return buffer.flip();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static String printable(ByteBuffer buffer) {
        return printable(new String(bytes(buffer), StandardCharsets.ISO_8859_1));
    }

    private static String printable(byte[] bytes) {
        return printable(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Only printable ASCII of what an image says goes into a message (and so into events and logs). */
    private static String printable(String text) {
        String kept = text.replaceAll("[^\\x20-\\x7e]", "").strip();
        return kept.length() > 200 ? kept.substring(0, 200) + "..." : kept;
    }
}
