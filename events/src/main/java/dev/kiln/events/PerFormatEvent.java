package dev.kiln.events;

/** An event about one format of a release; keyed by image, version and format. */
public interface PerFormatEvent extends KilnEvent {
    String format();

    @Override
    default String key() {
        return release().key() + "/" + format();
    }
}
