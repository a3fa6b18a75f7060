package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** host-secrets: no secret that belongs to one machine: systemd's credential key, a Kerberos keytab, private TLS keys. */
final class HostSecretsRule implements SealingRule {
    static final Map<String, String> FILES = Map.of(
            "/var/lib/systemd/credential.secret", "systemd's host key for encrypted credentials",
            "/etc/krb5.keytab", "a Kerberos host keytab",
            "/etc/iscsi/initiatorname.iscsi", "this machine's iSCSI initiator name");

    @Override
    public String id() {
        return "host-secrets";
    }

    @Override
    public String why() {
        return "A secret made for one machine (the key systemd encrypts credentials with, a host keytab, a TLS key such as "
                + "the snakeoil one made when ssl-cert is installed) would be the same on every clone: one leaked, all leaked.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<String, String> file : new java.util.TreeMap<>(FILES).entrySet()) {
            if (image.isFile(file.getKey())) {
                findings.add(finding(file.getKey(), file.getValue() + " shipped in the image"));
            }
        }
        for (String key : image.filesUnder("/etc/ssl/private")) {
            findings.add(finding(key, "a private TLS key shipped in the image"));
        }
        return findings;
    }
}
