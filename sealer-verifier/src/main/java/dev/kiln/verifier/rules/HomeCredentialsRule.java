package dev.kiln.verifier.rules;

import dev.kiln.events.Finding;
import dev.kiln.verifier.ImageTree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * home-credentials: no credential file that common tools leave in a home (Git, cloud CLIs, container registries,
 * netrc, Kubernetes, package registries, private SSH and GPG keys), in any account's home.
 */
final class HomeCredentialsRule implements SealingRule {
    /** Path in a home → what it holds. */
    static final Map<String, String> FILES = Map.ofEntries(
            Map.entry(".git-credentials", "Git credentials"),
            Map.entry(".netrc", "netrc logins"),
            Map.entry(".pgpass", "PostgreSQL passwords"),
            Map.entry(".my.cnf", "MySQL client credentials"),
            Map.entry(".aws/credentials", "AWS access keys"),
            Map.entry(".azure/accessTokens.json", "Azure CLI tokens"),
            Map.entry(".azure/msal_token_cache.json", "Azure CLI tokens"),
            Map.entry(".config/gcloud/credentials.db", "Google Cloud credentials"),
            Map.entry(".config/gcloud/access_tokens.db", "Google Cloud tokens"),
            Map.entry(".config/gcloud/application_default_credentials.json", "Google Cloud credentials"),
            Map.entry(".docker/config.json", "container registry logins"),
            Map.entry(".kube/config", "Kubernetes credentials"),
            Map.entry(".npmrc", "npm registry tokens"),
            Map.entry(".pypirc", "PyPI credentials"),
            Map.entry(".config/gh/hosts.yml", "GitHub CLI tokens"),
            Map.entry(".vault-token", "a Vault token"),
            Map.entry(".terraform.d/credentials.tfrc.json", "Terraform Cloud tokens"));

    @Override
    public String id() {
        return "home-credentials";
    }

    @Override
    public String why() {
        return "Tokens and keys a build used (to fetch code, packages or artifacts) would give every clone, and whoever "
                + "gets one, the build's access to those systems.";
    }

    @Override
    public List<Finding> check(ImageTree image, Expectations expected) throws IOException {
        List<Finding> findings = new ArrayList<>();
        for (String home : image.homes()) {
            for (Map.Entry<String, String> file : new java.util.TreeMap<>(FILES).entrySet()) {
                String path = home + "/" + file.getKey();
                if (image.isFile(path) && image.size(path) > 0) {
                    findings.add(finding(path, file.getValue() + " shipped in the image"));
                }
            }
            for (String path : image.list(home + "/.ssh")) {
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (name.startsWith("id_") && !name.endsWith(".pub") && image.isFile(path)) {
                    findings.add(finding(path, "a private SSH key shipped in the image"));
                }
            }
            for (String path : image.filesUnder(home + "/.gnupg/private-keys-v1.d")) {
                findings.add(finding(path, "a private GPG key shipped in the image"));
            }
        }
        return findings;
    }
}
