package dev.kiln.verifier.rules;

/**
 * What the image is supposed to be: the release it was built for and the login its build used.
 *
 * @param image     image name (IMAGE= in /etc/release); null when not known, then only its presence is checked
 * @param version   version string (VERSION=); null likewise
 * @param commit    tagged commit (COMMIT=); null likewise
 * @param buildUser the build login that sealing removes (upstream.ssh_username in kiln.yaml)
 */
public record Expectations(String image, String version, String commit, String buildUser) {
}
