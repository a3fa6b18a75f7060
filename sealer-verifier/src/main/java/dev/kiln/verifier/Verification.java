package dev.kiln.verifier;

import dev.kiln.disk.SparseSha256;
import dev.kiln.events.DiskFormat;
import dev.kiln.events.Finding;
import dev.kiln.events.KilnFile;
import dev.kiln.verifier.rules.Expectations;
import dev.kiln.verifier.rules.SealingRule;
import dev.kiln.verifier.rules.SealingRules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks of one image file, in order: its digest, its decoding to raw (and the raw digest), every sealing rule
 * on its root file system, then the boot test (a raw file's boot starts with the others and counts only after them:
 * {@link BootAhead}). The service and the command line both run this; each phase is timed.
 * What identical bytes prove is proven once ({@link Proofs}): a disk file is decoded and inspected once (the OVA's disk
 * is the VMDK format's file), a decoded disk booted once (every format of a release carries the same disk).
 */
public final class Verification {
    /** What the image is claimed to be; null digests are not checked (a local image checked by hand). */
    public record Claim(String format, String sha256, String rawSha256, Expectations expected, KilnFile.Verify policy) {
    }

    private final BootTest boot;
    private final boolean bootEnabled;
    private final OperatorPolicy operator;
    private final ImageLimits limits;
    private final Proofs<String, BootProof> booted = new Proofs<>();
    private final Proofs<DiskKey, DiskProof> inspected = new Proofs<>();

    public Verification(java.time.Duration bootTimeout, String bootMarker, boolean bootEnabled,
                        dev.kiln.disk.QemuAccelerator accelerator, OperatorPolicy operator) {
        this(new BootTest(bootTimeout, java.util.regex.Pattern.compile(bootMarker), accelerator), bootEnabled, operator, ImageLimits.defaults());
    }

    private Verification(BootTest boot, boolean bootEnabled, OperatorPolicy operator, ImageLimits limits) {
        this.boot = boot;
        this.bootEnabled = bootEnabled;
        this.operator = operator;
        this.limits = limits;
    }

    /** The same verification with other limits than {@link ImageLimits#defaults()}. */
    public Verification limitedTo(ImageLimits limits) {
        return new Verification(boot, bootEnabled, operator, limits);
    }

    /** One boot of a disk: the format it was booted as, how long to the marker, and when. */
    record BootProof(String format, long bootMillis, Instant at) {
    }

    /** What decoding and inspecting one disk file found, for every artifact that carries that very file. */
    record DiskProof(String format, String rawSha256, List<Finding> findings, List<Finding> relaxed, Map<String, String> rulesChecked,
                     long decodeMillis, long inspectMillis, Instant at) {
    }

    /** The same file, judged against the same expectations and policy, is judged the same. */
    private record DiskKey(DiskFormat format, String sha256, Expectations expected, KilnFile.Verify policy) {
    }

    public VerificationReport verify(Path artifact, Claim claim, Path workspace) throws IOException, InterruptedException {
        Map<String, Long> phases = new LinkedHashMap<>();
        Map<String, String> rulesChecked = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        List<Finding> relaxed = new ArrayList<>();
        String sha256 = null;
        String rawSha256 = null;
        long bootMillis = 0;
        Expectations expected = claim.expected();
        Files.createDirectories(workspace);
        try (BootAhead ahead = bootAhead(artifact, claim, workspace)) {
            long t = System.nanoTime();
            sha256 = SparseSha256.of(artifact);
            if (claim.sha256() != null && !claim.sha256().equals(sha256)) {
                throw new Rejection("artifact", "", "the file's sha256 is " + sha256 + " but the event says " + claim.sha256()
                        + "; it changed or was damaged after it was built");
            }
            DecodedImage.DiskFile disk = DecodedImage.diskOf(artifact, claim.format(), sha256, workspace, limits);
            phases.put("digest", millisSince(t));

            t = System.nanoTime();
            // The OVA's disk is the VMDK format's file: whichever of the two comes second is judged by the first's decoding.
            Proofs.Outcome<DiskProof> checked = inspected.once(new DiskKey(disk.format(), disk.sha256(), expected, claim.policy()),
                    () -> decodeAndInspect(disk, claim, workspace));
            DiskProof proof = checked.proof();
            rawSha256 = proof.rawSha256();
            findings.addAll(proof.findings());
            relaxed.addAll(proof.relaxed());
            rulesChecked.putAll(proof.rulesChecked());
            if (checked.madeHere()) {
                phases.put("decode", proof.decodeMillis());
                phases.put("inspect", proof.inspectMillis());
            } else {
                rulesChecked.put(DiskImage.RULE, rulesChecked.get(DiskImage.RULE) + " This " + claim.format() + "'s disk is the "
                        + disk.format().id() + " file (sha256 " + disk.sha256() + ") decoded and inspected as " + proof.format() + " at "
                        + proof.at() + ", byte for byte, so it was not decoded again: its findings are that file's.");
                phases.put("same-disk-file", millisSince(t));
            }
            if (claim.rawSha256() != null && !claim.rawSha256().equals(rawSha256)) {
                throw new Rejection("decode", "", "the decoded disk's sha256 is " + rawSha256 + " but the release's disk is "
                        + claim.rawSha256() + ": this " + claim.format() + " does not carry the same disk as its sibling formats");
            }

            if (bootEnabled && findings.isEmpty()) {
                t = System.nanoTime();
                Proofs.Outcome<BootProof> boot = ahead != null ? ahead.diskProven()
                        : booted.once(rawSha256, () -> bootOf(disk.file(), disk.format(), claim, workspace));
                BootProof first = boot.proof();
                bootMillis = first.bootMillis();
                if (boot.madeHere()) {
                    rulesChecked.put("boot", ahead == null ? BOOT_WHY : BOOT_WHY + " This raw file, its own disk, was booted beside its "
                            + "digest and inspection, and the boot counted once they showed it is the release's disk.");
                    // Power-on to the marker: with a boot ahead, most of it passed during the other phases.
                    phases.put("boot", first.bootMillis());
                } else {
                    rulesChecked.put("boot", BOOT_WHY + " This disk (decoded sha256 " + rawSha256 + ") booted as " + first.format()
                            + " at " + first.at() + " in " + first.bootMillis() + " ms; QEMU reads this " + claim.format()
                            + " through the driver that decoded it to those same bytes, so it was not booted again.");
                    phases.put("boot-wait", millisSince(t));
                }
            }
        } catch (Rejection e) {
            findings.add(new Finding(e.check(), e.path(), e.getMessage()));
        }
        String verdict = findings.isEmpty() ? VerificationReport.VERIFIED : VerificationReport.REJECTED;
        return new VerificationReport(expected.image(), expected.version(), claim.format(), expected.commit(), sha256, rawSha256,
                verdict, findings, relaxed, rulesChecked, phases, bootMillis);
    }

    private BootProof bootOf(Path diskFile, DiskFormat format, Claim claim, Path workspace) throws Rejection, IOException, InterruptedException {
        return new BootProof(claim.format(), boot.boot(diskFile, format.qemuFormat(), workspace), Instant.now());
    }

    /**
     * The boot of a raw file said to be the release's disk, started now ({@link BootAhead}); null for any other file, or
     * when nothing says which disk it should be, or when it is larger than this verifier decodes.
     */
    private BootAhead bootAhead(Path artifact, Claim claim, Path workspace) throws IOException {
        boolean raw = DiskFormat.find(claim.format()).orElse(null) == DiskFormat.RAW;
        if (!bootEnabled || !raw || claim.rawSha256() == null || !claim.rawSha256().equals(claim.sha256())
                || !Files.isRegularFile(artifact, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || limits.oversize("the disk", Files.size(artifact)).isPresent()) {
            return null;
        }
        return new BootAhead(booted, claim.rawSha256(), () -> bootOf(artifact, DiskFormat.RAW, claim, workspace));
    }

    /** The disk file decoded to raw (its digest taken) and every sealing rule run on it; the decoded copy is not kept. */
    private DiskProof decodeAndInspect(DecodedImage.DiskFile disk, Claim claim, Path workspace) throws Rejection, IOException, InterruptedException {
        Map<String, String> rulesChecked = new LinkedHashMap<>();
        List<Finding> findings = new ArrayList<>();
        List<Finding> relaxed = new ArrayList<>();
        long t = System.nanoTime();
        DecodedImage decoded;
        try {
            decoded = DecodedImage.decode(disk, workspace, limits);
        } catch (RuntimeException onThisImage) {
            // What the file holds broke the reading of it: a refusal, never a retry that would fail again.
            throw new Rejection("decode", "", "the " + claim.format() + " file could not be read (" + describe(onThisImage) + ")");
        }
        // A raw disk file is its own decoded disk: its digest, already taken, is the disk's.
        String rawSha256 = decoded.raw().equals(disk.file()) ? disk.sha256() : SparseSha256.of(decoded.raw());
        long decodeMillis = millisSince(t);

        t = System.nanoTime();
        List<SealingRule> rules = SealingRules.all();
        findings.addAll(operator.refused(claim.policy(), rules.stream().map(SealingRule::id).toList()));
        try (DiskImage image = DiskImage.open(decoded.raw(), workspace.resolve("fs"))) {
            rulesChecked.put(DiskImage.RULE, "Every file system the image mounts is inspected; one kiln cannot read (LVM, LUKS, "
                    + "XFS, btrfs) would ship unchecked, so it is refused unless the operator allows it.");
            for (Finding finding : image.uninspectable()) {
                (operator.allowUninspectable() ? relaxed : findings).add(operator.allowUninspectable()
                        ? new Finding(finding.rule(), finding.path(), finding.message() + " (allowed by kiln.verifier.allow-uninspectable)")
                        : finding);
            }
            ImageTree tree = image.tree();
            tree.drainProblems();
            for (SealingRule rule : rules) {
                rulesChecked.put(rule.id(), rule.why());
                List<Finding> found = new ArrayList<>();
                try {
                    found.addAll(rule.check(tree, claim.expected()));
                } catch (RuntimeException onThisImage) {
                    // The image's content made the rule fail: that image is not shown clean. Retrying would only fail again.
                    found.add(new Finding(rule.id(), "", "cannot be inspected: the rule failed on what the image holds ("
                            + describe(onThisImage) + ")"));
                }
                // A path the rule reads that leads out of the image, or in a loop, is not a pass.
                for (ImageTree.Problem problem : tree.drainProblems()) {
                    found.add(new Finding(rule.id(), problem.path(), "cannot be inspected: " + problem.message()));
                }
                for (Finding finding : found) {
                    String reason = operator.mayRelax(rule.id()) ? claim.policy().reasonFor(rule.id()).orElse(null) : null;
                    if (reason == null) {
                        findings.add(finding);
                    } else {
                        relaxed.add(new Finding(finding.rule(), finding.path(), finding.message() + " (relaxed by kiln.yaml: " + reason + ")"));
                    }
                }
            }
        }
        long inspectMillis = millisSince(t);
        if (!decoded.raw().equals(disk.file())) {
            // Not needed past the inspection (the boot reads the disk file itself): a format waiting for its disk's boot
            // holds no decoded copy meanwhile.
            Files.deleteIfExists(decoded.raw());
        }
        return new DiskProof(claim.format(), rawSha256, List.copyOf(findings), List.copyOf(relaxed), java.util.Collections.unmodifiableMap(rulesChecked),
                decodeMillis, inspectMillis, Instant.now());
    }

    private static final String BOOT_WHY = "An image that does not boot from its own disk is no image; the boot marker proves it came up.";

    private static String describe(RuntimeException failure) {
        return failure.getClass().getSimpleName() + ": " + failure.getMessage();
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static void clean(Path workspace) {
        try {
            dev.kiln.disk.Trees.delete(workspace);
        } catch (IOException e) {
            org.jboss.logging.Logger.getLogger(Verification.class).warnf("could not remove %s: %s", workspace, e.getMessage());
        }
    }

}
