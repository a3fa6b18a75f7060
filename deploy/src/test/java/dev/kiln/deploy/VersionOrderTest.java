package dev.kiln.deploy;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VersionOrderTest {
    @Test
    void versionsSortAsPeopleReadThem() {
        List<String> versions = new ArrayList<>(List.of("1.0.0", "0.10.0", "0.9.1", "1.0.0-rc1", "0.9.10", "1.0.0-rc2", "0.9.1+build.2", "2026.11.27"));
        versions.sort(VersionOrder.INSTANCE);
        assertEquals(List.of("0.9.1", "0.9.1+build.2", "0.9.10", "0.10.0", "1.0.0-rc1", "1.0.0-rc2", "1.0.0", "2026.11.27"), versions);
    }

    @Test
    void leadingZerosDoNotMakeAVersionNewer() {
        assertEquals(0, VersionOrder.INSTANCE.compare("1.01", "1.1"));
        assertEquals(-1, Integer.signum(VersionOrder.INSTANCE.compare("1.9", "1.010")));
    }
}
