package dev.kiln.events;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The format catalogue is the one list of formats: kiln.yaml takes exactly these, and the docs name each. */
class DiskFormatTest {
    private static final Path ROOT = Path.of(System.getProperty("kiln.repo.root", ".."));

    @Test
    void kilnYamlAcceptsExactlyTheCatalogue() {
        assertEquals(DiskFormat.ids(), KilnFile.ALL_FORMATS);
        assertEquals(DiskFormat.values().length, Set.copyOf(DiskFormat.ids()).size(), "ids are unique");
        Set<String> extensions = Arrays.stream(DiskFormat.values()).map(DiskFormat::extension).collect(Collectors.toSet());
        assertEquals(DiskFormat.values().length, extensions.size(), "each format has its own file extension");
        for (DiskFormat format : DiskFormat.values()) {
            assertEquals(format, DiskFormat.of(format.id()));
        }
        assertTrue(DiskFormat.find("iso").isEmpty());
    }

    @Test
    void aFormatMadeOfAnothersFileIsReadAndWrittenAsThatFile() {
        for (DiskFormat format : DiskFormat.values()) {
            DiskFormat container = format.container();
            assertEquals(container, container.container(), format + ": a container is its own");
            assertEquals(container.qemuFormat(), format.qemuFormat(), format + " is read as its container");
            assertEquals(container.createOptions(), format.createOptions(), format + " is written as its container");
            assertEquals(container.checkable(), format.checkable(), format + " is checked as its container");
        }
        assertEquals(DiskFormat.VMDK, DiskFormat.OVA.container());
        assertEquals(java.util.List.of(DiskFormat.VMDK, DiskFormat.OVA),
                Arrays.stream(DiskFormat.values()).filter(DiskFormat::compressed).toList());
    }

    @Test
    void theKilnYamlReferenceNamesEveryFormat() throws Exception {
        String reference = Files.readString(ROOT.resolve("docs/kiln-yaml.md"));
        for (String id : DiskFormat.ids()) {
            assertTrue(reference.contains("`" + id + "`"), "docs/kiln-yaml.md does not name `" + id + "`");
        }
    }
}
