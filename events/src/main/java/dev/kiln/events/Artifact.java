package dev.kiln.events;

/**
 * One stored image file.
 *
 * @param format      raw, qcow2, vhd, vhdx, vmdk or ova
 * @param location    where the artifact store keeps it (file:// or s3:// URI)
 * @param sha256      digest of the file as stored
 * @param size        bytes of the file as stored
 * @param virtualSize bytes of the disk the guest sees
 * @param rawSha256   digest of the disk decoded to raw: equal across every format of one release
 */
public record Artifact(String format, String location, String sha256, long size, long virtualSize, String rawSha256) {
    public Artifact {
        Require.format(format, "format");
        Require.text(location, "location");
        Require.sha256(sha256, "sha256");
        Require.positive(size, "size");
        Require.positive(virtualSize, "virtualSize");
        Require.sha256(rawSha256, "rawSha256");
    }
}
