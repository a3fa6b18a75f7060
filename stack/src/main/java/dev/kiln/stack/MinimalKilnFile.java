package dev.kiln.stack;

/** The smallest valid kiln.yaml, for tests that need a repository to hold one and do not build from it. */
public final class MinimalKilnFile {
    private MinimalKilnFile() {
    }

    /** A kiln.yaml naming {@code image}, with a placeholder upstream and the example's template and playbook paths. */
    public static String naming(String image) {
        return """
                image: %s
                upstream:
                  url: https://cloud.example.org/debian-12.qcow2
                  sha256: %s
                build:
                  template: packer/image.pkr.hcl
                  playbook: ansible/playbook.yml
                """.formatted(image, "b".repeat(64));
    }
}
