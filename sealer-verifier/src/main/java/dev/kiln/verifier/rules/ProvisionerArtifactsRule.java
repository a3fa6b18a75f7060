package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** provisioner-artifacts: nothing Packer or Ansible uploaded or left behind. */
final class ProvisionerArtifactsRule implements SealingRule {
    @Override
    public String id() {
        return "provisioner-artifacts";
    }

    @Override
    public String why() {
        return "Packer and Ansible upload scripts, playbooks and modules to the guest; left behind they leak how the image "
                + "was built (sometimes with secrets in variables) and waste space in every clone.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String dir : List.of("/tmp", "/var/tmp")) {
            for (String entry : image.list(dir)) {
                findings.add(finding(entry, "left in " + dir + " by the build"));
            }
        }
        for (String home : image.homes()) {
            if (image.exists(home + "/.ansible")) {
                findings.add(finding(home + "/.ansible", "Ansible's temporary files and uploaded modules"));
            }
        }
        if (image.exists("/usr/local/sbin/kiln-seal-final")) {
            findings.add(finding("/usr/local/sbin/kiln-seal-final", "the seal's last step did not run (it deletes itself)"));
        }
        for (String sudoers : image.list("/etc/sudoers.d")) {
            if (sudoers.contains("packer")) {
                findings.add(finding(sudoers, "sudo rule written by a Packer provisioner"));
            }
        }
        return findings;
    }
}
