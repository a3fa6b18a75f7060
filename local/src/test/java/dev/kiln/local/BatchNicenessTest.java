package dev.kiln.local;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** KILN_BATCH_NICENESS as an operator sets it: unset is the default, 0 to 19 is taken, anything else stops the start with why. */
class BatchNicenessTest {

    @Test
    void unsetOrBlankIsTheDefaultAndZeroToNineteenAreTaken() {
        assertEquals(KilnServices.DEFAULT_BATCH_NICENESS, KilnServices.batchNiceness(null));
        assertEquals(KilnServices.DEFAULT_BATCH_NICENESS, KilnServices.batchNiceness(" "));
        assertEquals(0, KilnServices.batchNiceness("0"));
        assertEquals(19, KilnServices.batchNiceness(" 19\n"));
    }

    @Test
    void aValueNiceCannotTakeIsRefusedWithTheRange() {
        for (String bad : new String[] {"-1", "20", "five", "5.5", "0x5"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> KilnServices.batchNiceness(bad), bad);
            assertTrue(refused.getMessage().contains("KILN_BATCH_NICENESS is '" + bad + "'")
                    && refused.getMessage().contains("whole number from 0") && refused.getMessage().contains("to 19"), refused.getMessage());
        }
    }
}
