package dev.kiln.disk;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The accelerator as ./kiln writes it (and as an operator may type it), and one QEMU does not have here. */
class QemuAcceleratorTest {
    @Test
    void anAcceleratorIsReadWhateverItsCaseAndSpacing() {
        assertEquals(QemuAccelerator.kvm, QemuAccelerator.parse(" KVM\n"));
        assertEquals(QemuAccelerator.tcg, QemuAccelerator.parse("tcg"));
    }

    @Test
    void anotherAcceleratorIsRefusedNamingTheChoices() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> QemuAccelerator.parse("hvf"));
        assertEquals("QEMU accelerator 'hvf' is not one of kvm, tcg", refused.getMessage());
    }
}
