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
        return new Verification(Duration.ofSeconds(1), "login:", false, VerifierConfig.Accelerator.fromEnvironment())
                .verify(raw, new Verification.Claim("raw", null, null, EXPECTED, policy), workspace);
    }

    @Test
    void aWellSealedImagePassesEveryRuleInSeconds() throws Exception {
        Path raw = TestImages.disk(TestImages.sealedTree(temp.resolve("tree")), temp.resolve("disk.raw"));

        VerificationReport report = inspect(raw, STRICT, temp.resolve("ws"));

        assertEquals(List.of(), report.findings());
        assertTrue(report.verified());
        assertEquals(SealingRules.all().stream().map(SealingRule::id).toList(), List.copyOf(report.rulesChecked().keySet()));
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
                Arguments.of("build-credentials", "root/.ssh/authorized_keys", "ssh-ed25519 AAAAC3Nza build@kiln\n"),
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

    @Test
    void aRelaxedRuleIsReportedWithItsReasonAndDoesNotReject() throws Exception {
        Path tree = TestImages.sealedTree(temp.resolve("tree"));
        TestImages.write(tree, "var/log/app/seed.log", "shipped on purpose\n");
        Path raw = TestImages.disk(tree, temp.resolve("disk.raw"));
        KilnFile.Verify policy = new KilnFile.Verify(List.of(new KilnFile.Relaxation("logs", "the app ships a seed log")));

        VerificationReport report = inspect(raw, policy, temp.resolve("ws"));

        assertTrue(report.verified(), report.findings().toString());
        assertEquals(1, report.relaxed().size());
        Finding relaxed = report.relaxed().get(0);
        assertEquals("logs", relaxed.rule());
        assertEquals("/var/log/app/seed.log", relaxed.path());
        assertTrue(relaxed.message().contains("the app ships a seed log"), relaxed.message());
    }
}
