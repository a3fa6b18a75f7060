package dev.kiln.builder;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the re-master takes from dumpe2fs, and what it refuses. */
class Ext4RemasterTest {
    private static final String DUMPE2FS = """
            Filesystem volume name:   kiln-root
            Filesystem UUID:          6b696c6e-0000-4000-8000-000000000001
            Filesystem features:      has_journal ext_attr resize_inode dir_index filetype extent 64bit flex_bg sparse_super large_file huge_file dir_nlink extra_isize metadata_csum orphan_file
            Inode count:              122880
            Block count:              491264
            Block size:               4096
            Flex block group size:    16
            Inode size:               256
            Directory Hash Seed:      1b2c5a9e-4d6f-4a57-9d8e-5f2a3b4c5d6e
            Journal size:             32M
            """;

    @Test
    void theSameFileSystemIsDescribedAgain() throws Exception {
        Ext4Remaster.Parameters p = Ext4Remaster.parameters(DUMPE2FS);
        assertEquals("6b696c6e-0000-4000-8000-000000000001", p.uuid());
        assertEquals("kiln-root", p.label());
        assertEquals(4096, p.blockSize());
        assertEquals(491264, p.blockCount());
        assertEquals(122880, p.inodeCount());
        assertEquals("32", p.journalSize());
        assertTrue(p.features().contains("metadata_csum") && p.features().contains("orphan_file"), p.features().toString());
    }

    @Test
    void aFileSystemWhoseJournalNeedsRecoveryIsRefused() {
        BuildFailure failure = assertThrows(BuildFailure.class,
                () -> Ext4Remaster.parameters(DUMPE2FS.replace("has_journal ", "has_journal needs_recovery ")));
        assertTrue(failure.getMessage().contains("not unmounted cleanly"), failure.getMessage());
    }

    @Test
    void aUuidThatIsNotOneIsRefused() {
        assertThrows(BuildFailure.class, () -> Ext4Remaster.parameters(DUMPE2FS.replace("6b696c6e-0000-4000-8000-000000000001", "$(reboot)")));
    }
}
