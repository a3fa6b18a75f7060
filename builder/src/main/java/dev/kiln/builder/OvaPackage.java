package dev.kiln.builder;

import dev.kiln.events.Sha256;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/**
 * An OVA as VMware and VirtualBox import it: a tar of the OVF 1.0 descriptor, a manifest of SHA256 digests and the
 * streamOptimized VMDK, in that order. Entry times are SOURCE_DATE_EPOCH and owners root, so the wrapping adds
 * nothing that differs between two builds of the same disk.
 */
final class OvaPackage {
    private OvaPackage() {
    }

    /**
     * Packs {@code vmdk} (whose sha256 is {@code vmdkSha256}) under its own file name: a streamOptimized VMDK's
     * descriptor names its file, so the OVA's disk is the VMDK format's file unchanged.
     */
    static void write(Path ova, Path vmdk, String vmdkSha256, String name, long virtualSize, long sourceDateEpoch, String description) throws IOException {
        String diskName = vmdk.getFileName().toString();
        String ovfName = name + ".ovf";
        byte[] ovf = descriptor(name, diskName, Files.size(vmdk), virtualSize, description).getBytes(StandardCharsets.UTF_8);
        String manifest = "SHA256(" + ovfName + ")= " + sha256(ovf) + "\n"
                + "SHA256(" + diskName + ")= " + vmdkSha256 + "\n";
        FileTime time = FileTime.from(Instant.ofEpochSecond(sourceDateEpoch));
        try (OutputStream file = Files.newOutputStream(ova); TarArchiveOutputStream tar = new TarArchiveOutputStream(file)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            add(tar, ovfName, ovf, time);
            add(tar, name + ".mf", manifest.getBytes(StandardCharsets.UTF_8), time);
            TarArchiveEntry disk = entry(diskName, Files.size(vmdk), time);
            tar.putArchiveEntry(disk);
            Files.copy(vmdk, tar);
            tar.closeArchiveEntry();
            tar.finish();
        }
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content, FileTime time) throws IOException {
        tar.putArchiveEntry(entry(name, content.length, time));
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static TarArchiveEntry entry(String name, long size, FileTime time) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        entry.setLastModifiedTime(time);
        entry.setMode(0644);
        entry.setUserId(0);
        entry.setGroupId(0);
        entry.setUserName("root");
        entry.setGroupName("root");
        return entry;
    }

    private static String sha256(byte[] content) throws IOException {
        return Sha256.copy(new java.io.ByteArrayInputStream(content), OutputStream.nullOutputStream());
    }

    static String descriptor(String name, String diskName, long diskFileSize, long virtualSize, String description) {
        String text = xml(description == null ? name : description);
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope vmw:buildId="kiln" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:cim="http://schemas.dmtf.org/wbem/wscim/1/common" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <References>
                    <File ovf:href="%2$s" ovf:id="file1" ovf:size="%3$d"/>
                  </References>
                  <DiskSection>
                    <Info>Virtual disk information</Info>
                    <Disk ovf:capacity="%4$d" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
                  </DiskSection>
                  <NetworkSection>
                    <Info>The list of logical networks</Info>
                    <Network ovf:name="nat">
                      <Description>The nat network</Description>
                    </Network>
                  </NetworkSection>
                  <VirtualSystem ovf:id="%1$s">
                    <Info>%5$s</Info>
                    <Name>%1$s</Name>
                    <OperatingSystemSection ovf:id="96">
                      <Info>The kind of installed guest operating system</Info>
                      <Description>Debian 64-bit</Description>
                    </OperatingSystemSection>
                    <VirtualHardwareSection>
                      <Info>Virtual hardware requirements</Info>
                      <System>
                        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                        <vssd:InstanceID>0</vssd:InstanceID>
                        <vssd:VirtualSystemIdentifier>%1$s</vssd:VirtualSystemIdentifier>
                        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
                      </System>
                      <Item>
                        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                        <rasd:Description>Number of Virtual CPUs</rasd:Description>
                        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
                        <rasd:InstanceID>1</rasd:InstanceID>
                        <rasd:ResourceType>3</rasd:ResourceType>
                        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                        <rasd:Description>Memory Size</rasd:Description>
                        <rasd:ElementName>2048MB of memory</rasd:ElementName>
                        <rasd:InstanceID>2</rasd:InstanceID>
                        <rasd:ResourceType>4</rasd:ResourceType>
                        <rasd:VirtualQuantity>2048</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:Address>0</rasd:Address>
                        <rasd:Description>SCSI Controller</rasd:Description>
                        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
                        <rasd:InstanceID>3</rasd:InstanceID>
                        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
                        <rasd:ResourceType>6</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AddressOnParent>0</rasd:AddressOnParent>
                        <rasd:ElementName>Hard disk 1</rasd:ElementName>
                        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
                        <rasd:InstanceID>4</rasd:InstanceID>
                        <rasd:Parent>3</rasd:Parent>
                        <rasd:ResourceType>17</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AddressOnParent>7</rasd:AddressOnParent>
                        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                        <rasd:Connection>nat</rasd:Connection>
                        <rasd:Description>VmxNet3 ethernet adapter on "nat"</rasd:Description>
                        <rasd:ElementName>Network adapter 1</rasd:ElementName>
                        <rasd:InstanceID>5</rasd:InstanceID>
                        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                        <rasd:ResourceType>10</rasd:ResourceType>
                      </Item>
                    </VirtualHardwareSection>
                  </VirtualSystem>
                </Envelope>
                """.formatted(xml(name), xml(diskName), diskFileSize, virtualSize, text);
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
