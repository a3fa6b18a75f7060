package dev.kiln.verifier;

import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.verifier.rules.Expectations;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code kiln verify-image}: the sealer-verifier's checks on any local image file, for images built elsewhere.
 * Exit 0 when it passes, 1 with findings, 2 on a usage or runtime error.
 */
public final class VerifyCommand {
    static final String USAGE = """
            usage: kiln verify-image IMAGE_FILE --format raw|qcow2|vhd|vhdx|vmdk|ova [options]
              --version V        expected VERSION in /etc/release
              --image NAME       expected IMAGE in /etc/release
              --commit SHA       expected COMMIT in /etc/release
              --build-user NAME  the build login that must be gone (default kiln-build)
              --kiln-yaml FILE   take the build login and the relaxed rules from this kiln.yaml
              --relaxable-rules R[,R]  the rules a kiln.yaml may relax, as the operator's kiln.verifier.relaxable-rules
                                 (default none; ssh-hostkeys and build-credentials never)
              --allow-uninspectable    pass file systems kiln cannot read (LVM, LUKS, XFS, btrfs)
              --no-boot          inspect offline only
              --boot-timeout D   e.g. 5m (default), 90s
              --accelerator A    kvm or tcg (default: KILN_QEMU_ACCELERATOR, else tcg)
              --json             print the report as JSON
            exit: 0 verified, 1 rejected (findings printed), 2 error""";

    private VerifyCommand() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> rest = new ArrayList<>(Arrays.asList(args));
        try {
            String format = option(rest, "--format");
            String version = option(rest, "--version");
            String image = option(rest, "--image");
            String commit = option(rest, "--commit");
            String buildUser = option(rest, "--build-user");
            String kilnYaml = option(rest, "--kiln-yaml");
            String bootTimeout = option(rest, "--boot-timeout");
            String accelerator = option(rest, "--accelerator");
            String relaxable = option(rest, "--relaxable-rules");
            boolean allowUninspectable = rest.remove("--allow-uninspectable");
            boolean boot = !rest.remove("--no-boot");
            boolean json = rest.remove("--json");
            if (rest.size() != 1 || format == null || rest.get(0).startsWith("--")) {
                err.println(USAGE);
                return 2;
            }
            Path file = Path.of(rest.get(0));
            if (!Files.isRegularFile(file)) {
                err.println("kiln verify-image: no such file: " + file);
                return 2;
            }
            KilnFile.Verify policy = new KilnFile.Verify(List.of());
            if (kilnYaml != null) {
                KilnFile kiln = KilnFile.parse(Files.readString(Path.of(kilnYaml)));
                policy = kiln.verify();
                buildUser = buildUser == null ? kiln.upstream().sshUsername() : buildUser;
                image = image == null ? kiln.image() : image;
            }
            Expectations expected = new Expectations(image, version, commit, buildUser == null ? dev.kiln.events.KilnFile.Upstream.DEFAULT_SSH_USERNAME : buildUser);
            Duration timeout = bootTimeout == null ? Duration.ofMinutes(5) : Duration.parse("PT" + bootTimeout.toUpperCase());
            Path workspace = Files.createTempDirectory("kiln-verify-");
            VerificationReport report;
            try {
                report = new Verification(timeout, "login:", boot, accelerator == null
                        ? dev.kiln.disk.QemuAccelerator.fromEnvironment() : dev.kiln.disk.QemuAccelerator.parse(accelerator),
                        new OperatorPolicy(relaxable == null ? java.util.Set.of() : java.util.Set.of(relaxable.split(",")), allowUninspectable))
                        .verify(file, new Verification.Claim(format, null, null, expected, policy), workspace);
            } finally {
                Verification.clean(workspace);
            }
            if (json) {
                out.println(ReportStore.JSON.writeValueAsString(report));
            } else {
                print(report, file, out);
            }
            return report.verified() ? 0 : 1;
        } catch (Exception e) {
            err.println("kiln verify-image: " + e.getMessage());
            return 2;
        }
    }

    private static void print(VerificationReport report, Path file, PrintStream out) {
        out.println(file + " (" + report.format() + "): " + report.verdict().toUpperCase());
        for (Finding finding : report.findings()) {
            out.println("  FAIL  " + finding.rule() + "  " + finding.path() + ": " + finding.message());
        }
        for (Finding finding : report.relaxed()) {
            out.println("  RELAXED  " + finding.rule() + "  " + finding.path() + ": " + finding.message());
        }
        out.println("  rules: " + String.join(", ", report.rulesChecked().keySet()));
        StringBuilder phases = new StringBuilder();
        for (Map.Entry<String, Long> phase : report.phaseMillis().entrySet()) {
            phases.append(phases.isEmpty() ? "" : ", ").append(phase.getKey()).append(' ').append(phase.getValue()).append(" ms");
        }
        out.println("  phases: " + phases + (report.bootMillis() > 0 ? "; booted in " + report.bootMillis() + " ms" : ""));
        out.println("  sha256 " + report.sha256() + ", decoded raw sha256 " + report.rawSha256());
    }

    private static String option(List<String> args, String name) {
        int at = args.indexOf(name);
        if (at < 0) {
            return null;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String value = args.get(at + 1);
        args.remove(at + 1);
        args.remove(at);
        return value;
    }
}
