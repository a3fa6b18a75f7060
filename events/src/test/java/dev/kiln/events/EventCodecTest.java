package dev.kiln.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventCodecTest {

    @Test
    void everyEventSurvivesEncodeAndDecode() {
        for (KilnEvent event : SampleEvents.oneOfEach()) {
            assertEquals(event, EventCodec.decode(event.getClass(), EventCodec.encode(event)));
        }
    }

    @Test
    void unknownFieldsAreIgnoredSoProducersCanAddFields() {
        String json = EventCodec.encode(SampleEvents.oneOfEach().get(0))
                .replaceFirst("\\{", "{\"addedInV2\":{\"anything\":[1,2]},");
        assertEquals(SampleEvents.oneOfEach().get(0), EventCodec.decode(ReleaseTagged.class, json));
    }

    @Test
    void aMissingNestedFieldIsNamedWithItsPath() {
        String json = EventCodec.encode(SampleEvents.oneOfEach().get(0)).replace("\"commit\":\"" + SampleEvents.COMMIT + "\",", "");
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> EventCodec.decode(ReleaseTagged.class, json));
        assertEquals("release.commit", e.field());
        assertEquals("malformed dev.kiln.release.tagged.v1 payload: field 'release.commit' is missing", e.getMessage());
    }

    @Test
    void aValueOfTheWrongShapeIsNamed() {
        String json = EventCodec.encode(SampleEvents.oneOfEach().get(2)).replace("\"size\":123456789", "\"size\":\"big\"");
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> EventCodec.decode(ImageBuilt.class, json));
        assertEquals("artifact.size", e.field());
    }

    @Test
    void aBadDigestIsRefusedWithWhatWasExpected() {
        String json = EventCodec.encode(SampleEvents.oneOfEach().get(2)).replace(SampleEvents.RAW, "not-a-digest");
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> EventCodec.decode(ImageBuilt.class, json));
        assertEquals("artifact.rawSha256", e.field());
        assertTrue(e.getMessage().contains("lowercase hex sha256"), e.getMessage());
    }

    @Test
    void somethingThatIsNotJsonIsRefused() {
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> EventCodec.decode(ImageBuilt.class, "{oops"));
        assertTrue(e.getMessage().startsWith("malformed dev.kiln.image.built.v1 payload: is not valid JSON"), e.getMessage());
        assertThrows(MalformedEventException.class, () -> EventCodec.decode(ImageBuilt.class, ""));
    }

    @Test
    void keysKeepAReleaseOnOnePartitionAndSplitPerFormatEvents() {
        assertEquals("debian-web/0.1.0", SampleEvents.oneOfEach().get(0).key());
        assertEquals("debian-web/0.1.0", SampleEvents.oneOfEach().get(1).key());
        assertEquals("debian-web/0.1.0/qcow2", SampleEvents.oneOfEach().get(2).key());
        assertEquals("debian-web/0.1.0/vhd", SampleEvents.oneOfEach().get(3).key());
    }

    @Test
    void unsafeImageNamesCannotBeMade() {
        InvalidField e = assertThrows(InvalidField.class,
                () -> new Release("../etc", "0.1.0", "release-0.1.0", "repo", SampleEvents.COMMIT));
        assertEquals("image", e.field());
    }
}
