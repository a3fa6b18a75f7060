package dev.kiln.verifier;

/** The image cannot be verified at all (corrupt, unknown format, no file system, never boots): why, for a person. */
public final class Rejection extends Exception {
    private final String check;
    private final String path;

    /**
     * @param check the check that failed, used as the finding's rule id: {@code artifact}, {@code decode},
     *              {@code filesystem}, {@code boot}, {@code policy}
     */
    public Rejection(String check, String path, String reason) {
        super(reason);
        this.check = check;
        this.path = path;
    }

    public String check() {
        return check;
    }

    public String path() {
        return path;
    }
}
