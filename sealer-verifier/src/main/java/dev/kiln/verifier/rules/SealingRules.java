package dev.kiln.verifier.rules;

import java.util.List;

/** Every sealing rule, in the order reports list them. */
public final class SealingRules {
    private SealingRules() {
    }

    public static List<SealingRule> all() {
        return List.of(
                new SshHostKeysRule(),
                new MachineIdRule(),
                new NetHwaddrRule(),
                new HypervisorAgentRule(),
                new ProvisionerArtifactsRule(),
                new BuildCredentialsRule(),
                new AuthorizedKeysRule(),
                new AccountBackupsRule(),
                new HomeCredentialsRule(),
                new HostSecretsRule(),
                new BuildSpoolsRule(),
                new CrashDumpsRule(),
                new PackageCachesRule(),
                new ShellHistoryRule(),
                new LogsRule(),
                new DhcpLeasesRule(),
                new RandomSeedRule(),
                new ReleaseStampRule());
    }
}
