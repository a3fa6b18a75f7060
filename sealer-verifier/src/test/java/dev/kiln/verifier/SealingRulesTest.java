package dev.kiln.verifier;

import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.verifier.rules.Expectations;
import dev.kiln.verifier.rules.SealingRule;
import dev.kiln.verifier.rules.SealingRules;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offline inspection of real ext4 disk images: each rule rejects exactly the image that breaks it. */
class SealingRulesTest {
    static final Expectations EXPECTED = new Expectations(TestImages.IMAGE, TestImages.VERSION, TestImages.COMMIT, "kiln-build");
    private static final KilnFile.Verify STRICT = new KilnFile.Verify(List.of());

    @TempDir
    Path temp;

    static VerificationReport inspect(Path raw, KilnFile.Verify policy, Path workspace) throws Exception {
        return inspect(raw, policy, OperatorPolicy.strict(), workspace);
    }

    static VerificationReport inspect(Path raw, KilnFile.Verify policy, OperatorPolicy operator, Path workspace) throws Exception {
        return new Verification(Duration.ofSeconds(1), "login:", false, dev.kiln.disk.QemuAccelerator.fromEnvironment(), operator)
                .verify(raw, new Verification.Claim("raw", null, null, EXPECTED, policy), workspace);
    }

    @Test
    void aWellSealedImagePassesEveryRuleInSeconds() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));

        VerificationReport report = inspect(raw, STRICT, temp.resolve("ws"));

        assertEquals(List.of(), report.findings());
        assertTrue(report.verified());
        List<String> checked = new java.util.ArrayList<>(List.of("filesystem"));
        checked.addAll(SealingRules.all().stream().map(SealingRule::id).toList());
        assertEquals(checked, List.copyOf(report.rulesChecked().keySet()));
        assertTrue(report.phaseMillis().get("inspect") < 10_000, "inspection took " + report.phaseMillis());
    }

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("ssh-hostkeys", "etc/ssh/ssh_host_ed25519_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n"),
                Arguments.of("machine-id", "etc/machine-id", "0123456789abcdef0123456789abcdef\n"),
                Arguments.of("net-hwaddr", "etc/network/interfaces", "auto eth0\niface eth0 inet dhcp\n    hwaddress ether 52:54:00:12:34:56\n"),
                Arguments.of("net-hwaddr", "etc/udev/rules.d/70-persistent-net.rules",
                        "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{address}==\"52:54:00:12:34:56\", NAME=\"eth0\"\n"),
                Arguments.of("net-hwaddr", "etc/netplan/50-cloud-init.yaml", "network:\n  ethernets:\n    eth0:\n      match:\n        macaddress: 52:54:00:12:34:56\n"),
                Arguments.of("net-hwaddr", "etc/sysconfig/network-scripts/ifcfg-eth0", "DEVICE=eth0\nHWADDR=52:54:00:12:34:56\n"),
                Arguments.of("hypervisor-agent", "var/lib/cloud/instances/i-0abc/obj.pkl", "state"),
                Arguments.of("hypervisor-agent", "var/lib/waagent/ovf-env.xml", "<Environment/>"),
                Arguments.of("provisioner-artifacts", "tmp/packer-shell123", "#!/bin/sh\n"),
                Arguments.of("provisioner-artifacts", "root/.ansible/tmp/x", "module"),
                Arguments.of("authorized-keys", "root/.ssh/authorized_keys", "ssh-ed25519 AAAAC3Nza build@kiln\n"),
                Arguments.of("build-credentials", "etc/sudoers.d/90-build", "kiln-build ALL=(ALL) NOPASSWD:ALL\n"),
                Arguments.of("build-credentials", "home/kiln-build/.profile", "# the build login's home\n"),
                Arguments.of("account-backups", "etc/passwd-", "root:x:0:0:root:/root:/bin/bash\nkiln-build:x:1000:1000::/home/kiln-build:/bin/bash\n"),
                Arguments.of("account-backups", "etc/shadow-", "root:$6$salt$hash:19000:0:99999:7:::\n"),
                Arguments.of("home-credentials", "root/.aws/credentials", "[default]\naws_secret_access_key = abc\n"),
                Arguments.of("home-credentials", "root/.git-credentials", "https://bot:token@git.example.org\n"),
                Arguments.of("home-credentials", "root/.docker/config.json", "{\"auths\": {\"registry.example.org\": {\"auth\": \"Ym90OnRva2Vu\"}}}\n"),
                Arguments.of("home-credentials", "root/.kube/config", "users:\n- name: admin\n  user:\n    token: abc\n"),
                Arguments.of("home-credentials", "root/.ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n"),
                Arguments.of("host-secrets", "var/lib/systemd/credential.secret", "0123456789abcdef"),
                Arguments.of("host-secrets", "etc/ssl/private/ssl-cert-snakeoil.key", "-----BEGIN PRIVATE KEY-----\n"),
                Arguments.of("build-spools", "var/spool/cron/crontabs/kiln-build", "* * * * * /tmp/build-job\n"),
                Arguments.of("build-spools", "var/mail/kiln-build", "From cron\n"),
                Arguments.of("crash-dumps", "var/crash/_usr_bin_python3.0.crash", "ProblemType: Crash\n"),
                Arguments.of("crash-dumps", "var/lib/systemd/coredump/core.python3.0.zst", "core"),
                Arguments.of("package-caches", "var/cache/apt/archives/chrony_4.3-2_amd64.deb", "!<arch>\n"),
                Arguments.of("package-caches", "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease", "Origin: Debian\n"),
                Arguments.of("build-credentials", "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nkiln-build:x:1000:1000::/home/kiln-build:/bin/bash\n"),
                Arguments.of("build-credentials", "etc/shadow", "root::19000:0:99999:7:::\n"),
                Arguments.of("shell-history", "root/.bash_history", "curl -H 'Authorization: token s3cr3t' ...\n"),
                Arguments.of("logs", "var/log/syslog", "Nov 25 build machine booted\n"),
                Arguments.of("dhcp-leases", "var/lib/dhcp/dhclient.eth0.leases", "lease { fixed-address 10.0.2.15; }\n"),
                Arguments.of("random-seed", "var/lib/systemd/random-seed", "entropy"),
                Arguments.of("release-stamp", "etc/release", "IMAGE=debian-web\nVERSION=0.0.9\nCOMMIT=" + TestImages.COMMIT + "\n"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("violations")
    void anImageBreakingOneRuleIsRejectedByThatRuleOnly(String rule, String path, String content) throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, path, content);
        Path raw = TestImages.disk(tree, temp.resolve("disk.raw"));

        VerificationReport report = inspect(raw, STRICT, temp.resolve("ws"));

        assertEquals(VerificationReport.REJECTED, report.verdict());
        Set<String> rules = report.findings().stream().map(Finding::rule).collect(Collectors.toSet());
        assertEquals(Set.of(rule), rules, report.findings().toString());
        assertTrue(report.findings().stream().anyMatch(f -> f.path().startsWith("/" + path.split("/")[0])), report.findings().toString());
    }

    private static final OperatorPolicy STRICT_OPERATOR = OperatorPolicy.strict();

    @Test
    void aRelaxedRuleIsReportedWithItsReasonAndDoesNotReject() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, "var/log/app/seed.log", "shipped on purpose\n");
        Path raw = TestImages.disk(tree, temp.resolve("disk.raw"));
        KilnFile.Verify policy = new KilnFile.Verify(List.of(new KilnFile.Relaxation("logs", "the app ships a seed log")));

        VerificationReport report = inspect(raw, policy, new OperatorPolicy(Set.of("logs"), false), temp.resolve("ws"));

        assertTrue(report.verified(), report.findings().toString());
        assertEquals(1, report.relaxed().size());
        Finding relaxed = report.relaxed().get(0);
        assertEquals("logs", relaxed.rule());
        assertEquals("/var/log/app/seed.log", relaxed.path());
        assertTrue(relaxed.message().contains("the app ships a seed log"), relaxed.message());
    }

    /** Leaks that hide: each is found by the rule it breaks, through links, configuration and every file system. */
    static Stream<Arguments> hiddenLeaks() {
        return Stream.of(
                Arguments.of("a host key behind a symlinked directory", "ssh-hostkeys", "/opt/ssh/ssh_host_ed25519_key", (Leak) tree -> {
                    TestImages.write(tree, "opt/ssh/sshd_config", "PermitRootLogin no\n");
                    TestImages.write(tree, "opt/ssh/ssh_host_ed25519_key", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
                    TestImages.deleteTree(tree.resolve("etc/ssh"));
                    TestImages.link(tree, "etc/ssh", "/opt/ssh");
                }),
                Arguments.of("a host key sshd is told to use from elsewhere", "ssh-hostkeys", "/var/lib/keys/host_ed25519", (Leak) tree -> {
                    TestImages.write(tree, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n");
                    TestImages.write(tree, "etc/ssh/sshd_config.d/10-keys.conf", "HostKey /var/lib/keys/host_ed25519\n");
                    TestImages.write(tree, "var/lib/keys/host_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
                }),
                Arguments.of("authorized keys where AuthorizedKeysFile puts them", "authorized-keys", "/etc/ssh/authorized/alice", (Leak) tree -> {
                    TestImages.write(tree, "etc/ssh/sshd_config", "AuthorizedKeysFile /etc/ssh/authorized/%u\n");
                    TestImages.write(tree, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home/alice:/bin/bash\n");
                    TestImages.write(tree, "etc/ssh/authorized/alice", "ssh-ed25519 AAAAC3Nza alice@laptop\n");
                }),
                Arguments.of("home directories behind a symlink", "shell-history", "/srv/home/alice/.bash_history", (Leak) tree -> {
                    TestImages.write(tree, "srv/home/alice/.bash_history", "export TOKEN=s3cr3t\n");
                    TestImages.deleteTree(tree.resolve("home"));
                    TestImages.link(tree, "home", "/srv/home");
                }),
                Arguments.of("a credential file in a user's home from /etc/passwd", "home-credentials", "/var/lib/deploy/.netrc", (Leak) tree -> {
                    TestImages.write(tree, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\ndeploy:x:998:998::/var/lib/deploy:/usr/sbin/nologin\n");
                    TestImages.write(tree, "var/lib/deploy/.netrc", "machine git.example.org login bot password s3cr3t\n");
                }),
                Arguments.of("a host key whose link leads out of the image", "ssh-hostkeys", "/etc/ssh/ssh_host_rsa_key", (Leak) tree ->
                        TestImages.link(tree, "etc/ssh/ssh_host_rsa_key", "/run/keys/ssh_host_rsa_key")),
                Arguments.of("a host key behind links that loop", "ssh-hostkeys", "/etc/ssh/ssh_host_ecdsa_key", (Leak) tree -> {
                    TestImages.link(tree, "etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/keys/ecdsa");
                    TestImages.link(tree, "etc/ssh/keys", "/etc/ssh/keys/../keys2");
                    TestImages.link(tree, "etc/ssh/keys2", "/etc/ssh/keys");
                }));
    }

    interface Leak {
        void plant(Path tree) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hiddenLeaks")
    void aLeakThatHidesIsFoundByItsRule(String what, String rule, String path, Leak leak) throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        leak.plant(tree);
        Path raw = TestImages.disk(tree, temp.resolve("disk.raw"));

        VerificationReport report = inspect(raw, STRICT, temp.resolve("ws"));

        assertEquals(VerificationReport.REJECTED, report.verdict(), what);
        assertTrue(report.findings().stream().anyMatch(f -> f.rule().equals(rule) && f.path().equals(path)), report.findings().toString());
    }

    @Test
    void benignConfigurationPasses() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, "etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n");
        TestImages.write(tree, "etc/ssh/sshd_config.d/50-hardening.conf", "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                + "Match User backup\n    ForceCommand /usr/bin/rrsync /srv\n");
        TestImages.write(tree, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\napp:x:999:999::/var/lib/app:/usr/sbin/nologin\n");
        TestImages.write(tree, "etc/shadow", "root:*:19000:0:99999:7:::\napp:!:19000::::::\n");
        TestImages.write(tree, "etc/passwd-", "root:x:0:0:root:/root:/bin/bash\napp:x:999:999::/var/lib/app:/usr/sbin/nologin\n");
        TestImages.write(tree, "var/lib/app/.ssh/known_hosts", "git.example.org ssh-ed25519 AAAAC3Nza\n");
        TestImages.write(tree, "root/.ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3Nza a public key is no secret\n");
        TestImages.link(tree, "etc/resolv.conf", "/run/systemd/resolve/stub-resolv.conf");
        TestImages.link(tree, "etc/systemd/network/99-default.link", "/dev/null");
        TestImages.link(tree, "etc/mtab", "../proc/self/mounts");
        TestImages.write(tree, "etc/systemd/network/10-eth.network", "[Match]\nName=eth0\n[Network]\nDHCP=yes\n");
        java.nio.file.Files.createDirectories(tree.resolve("var/cache/apt/archives/partial"));
        TestImages.write(tree, "var/lib/apt/lists/lock", "");

        VerificationReport report = inspect(TestImages.disk(tree, temp.resolve("disk.raw")), STRICT, temp.resolve("ws"));

        assertEquals(List.of(), report.findings());
    }

    @Test
    void everyFileSystemTheImageMountsIsInspectedAndOneKilnCannotReadIsRefusedUnlessAllowed() throws Exception {
        String homeUuid = "6b696c6e-0000-4000-8000-00000000f00d";
        Path root = TestImages.sealedTree(temp.resolve("root"));
        TestImages.write(root, "etc/fstab", "UUID=6b696c6e-0000-4000-8000-000000000001 / ext4 defaults 0 1\n"
                + "UUID=" + homeUuid + " /home ext4 defaults 0 2\ntmpfs /tmp tmpfs defaults 0 0\n");
        Path home = java.nio.file.Files.createDirectories(temp.resolve("home"));
        TestImages.write(home, "alice/.git-credentials", "https://alice:token@git.example.org\n");

        VerificationReport report = inspect(TestImages.twoFileSystems(root, home, homeUuid, temp.resolve("two.raw"), null), STRICT, temp.resolve("ws"));
        assertEquals(List.of("home-credentials:/home/alice/.git-credentials"),
                report.findings().stream().map(f -> f.rule() + ":" + f.path()).toList(), "the /home file system is read where fstab mounts it");

        java.nio.file.Files.delete(home.resolve("alice/.git-credentials"));
        Path lvm = TestImages.twoFileSystems(root, home, homeUuid, temp.resolve("lvm.raw"), "8e");
        byte[] label = "LABELONE".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (var file = new java.io.RandomAccessFile(lvm.toFile(), "rw")) {
            // An LVM physical volume's label, as pvcreate writes it: kiln cannot look inside.
            file.seek(131072L * 512 + 512);
            file.write(label);
            file.seek(131072L * 512 + 512 + 24);
            file.write("LVM2 001".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        VerificationReport refused = inspect(lvm, STRICT, temp.resolve("ws2"));
        assertEquals(List.of("filesystem"), refused.findings().stream().map(Finding::rule).toList(), refused.findings().toString());
        assertTrue(refused.findings().get(0).message().contains("partition 3"), refused.findings().toString());
        VerificationReport allowed = inspect(lvm, STRICT, new OperatorPolicy(Set.of(), true), temp.resolve("ws3"));
        assertTrue(allowed.verified(), allowed.findings().toString());
        assertTrue(allowed.relaxed().get(0).message().contains("kiln.verifier.allow-uninspectable"), allowed.relaxed().toString());
    }

    @Test
    void relaxationsAreTheOperatorsToAllowAndTwoRulesAreNeverRelaxed() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, "var/log/app/seed.log", "shipped on purpose\n");
        Path raw = TestImages.disk(tree, temp.resolve("disk.raw"));
        KilnFile.Verify logs = new KilnFile.Verify(List.of(new KilnFile.Relaxation("logs", "the app ships a seed log")));

        VerificationReport notAllowed = inspect(raw, logs, STRICT_OPERATOR, temp.resolve("ws1"));
        assertTrue(notAllowed.findings().stream().anyMatch(f -> f.rule().equals("policy") && f.message().contains("kiln.verifier.relaxable-rules")),
                notAllowed.findings().toString());

        KilnFile.Verify hostKeys = new KilnFile.Verify(List.of(new KilnFile.Relaxation("ssh-hostkeys", "we like them")));
        VerificationReport never = inspect(raw, hostKeys, new OperatorPolicy(Set.of("ssh-hostkeys", "logs"), false), temp.resolve("ws2"));
        assertTrue(never.findings().stream().anyMatch(f -> f.rule().equals("policy") && f.message().contains("can never be relaxed")),
                never.findings().toString());
    }
}
