package dev.kiln.builder;

import dev.kiln.disk.Trees;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.KilnFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * packer-build: {@code packer validate}, then {@code packer build} of the repository's template with the release's
 * values as {@code -var} arguments (never through a shell) and SOURCE_DATE_EPOCH set to the commit time. The
 * template boots the verified upstream image, runs kiln's playbook and leaves one sealed raw disk.
 */
final class PackerBuildStep implements BuildStep {
    /** The short temporary directories of builds (sockets' paths must be short), swept by a starting builder when abandoned. */
    static final String TMP_PREFIX = "kiln-packer-";
    private Path tmp;
    private dev.kiln.disk.DirectoryClaim tmpClaim;
    private Optional<BuildUser> user = Optional.empty();
    /** How much of a failed build's guest console goes into the build log. */
    private static final int CONSOLE_LINES = 40;


    @Override
    public void run(BuildContext build) throws Exception {
        KilnFile kiln = build.kilnFile();
        Path output = build.workspace().resolve("out");
        // Packer's plugin sockets and Ansible's SSH control sockets live under TMPDIR and HOME, and a unix socket
        // path may not exceed 107 bytes: both go in a short directory of their own, not the (deep) workspace.
        Path tmp = Files.createTempDirectory(TMP_PREFIX);
        this.tmp = tmp;
        this.tmpClaim = dev.kiln.disk.DirectoryClaim.claim(tmp);
        Path home = Files.createDirectories(tmp.resolve("h"));
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("image_name", kiln.image());
        vars.put("version", build.release().version());
        vars.put("commit", build.release().commit());
        vars.put("source_date_epoch", Long.toString(build.tagged().sourceDateEpoch()));
        vars.put("upstream_image", build.upstreamImage().toString());
        vars.put("upstream_sha256", kiln.upstream().sha256());
        vars.put("output_dir", output.toString());
        vars.put("ssh_username", kiln.upstream().sshUsername());
        if (kiln.upstream().sshPrivateKeyFile() != null) {
            vars.put("ssh_private_key_file", buildKey(build, kiln.upstream().sshPrivateKeyFile(), tmp).toString());
        }
        vars.put("playbook_file", build.sitePlaybook().toString());
        Path roles = KilnRoles.readable(build.config().ansibleRoles());
        vars.put("kiln_roles_dir", roles.toString());
        vars.put("accelerator", build.config().accelerator().name());
        List<String> varArgs = new ArrayList<>();
        vars.forEach((name, value) -> {
            varArgs.add("-var");
            varArgs.add(name + "=" + value);
        });
        // An allow-list: the repository's template and playbook see these and nothing of the builder's own environment
        // (lookup('env', ...) finds no store credential, no token).
        Map<String, String> env = Map.ofEntries(
                Map.entry("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                Map.entry("LANG", "C.UTF-8"),
                Map.entry("SOURCE_DATE_EPOCH", Long.toString(build.tagged().sourceDateEpoch())),
                Map.entry("CHECKPOINT_DISABLE", "1"),
                Map.entry("PACKER_CACHE_DIR", build.workspace().resolve("packer_cache").toString()),
                Map.entry("HOME", home.toString()),
                Map.entry("TMPDIR", tmp.toString()),
                Map.entry("ANSIBLE_HOME", home.resolve(".ansible").toString()),
                Map.entry("ANSIBLE_LOCAL_TEMP", tmp.toString()),
                // One SSH round trip per task instead of four (mkdir, upload, run, clean up); Debian's sudo allows it.
                Map.entry("ANSIBLE_PIPELINING", "True"));
        Path dir = build.template().getParent();
        String template = build.template().toString();
        if (build.config().isolateNetwork()) {
            user = BuildUser.forBuilder(build.config().buildUser());
            for (BuildUser account : user.stream().toList()) {
                account.own(build.workspace(), tmp);
                account.requireReachable(build.workspace(), tmp, build.config().upstreamCache(), roles);
            }
        }

        List<String> validate = new ArrayList<>(List.of("packer", "validate"));
        validate.addAll(varArgs);
        validate.add(template);
        build.log("$ packer validate " + kiln.build().template());
        ToolProcess.Result validated = untrusted(build, validate, dir, env, Duration.ofMinutes(2));
        if (!validated.ok()) {
            throw new BuildFailure("the Packer template " + kiln.build().template() + " is invalid: "
                    + firstError(validated.output()).orElse("packer validate exited with " + validated.exitCode()));
        }

        // What the template builds, as Packer itself parses it: QEMU sources only, Ansible as the only provisioner (it
        // runs kiln's playbook), no post-processor (host-side code kiln would not see).
        List<String> inspect = new ArrayList<>(List.of("packer", "inspect"));
        inspect.addAll(varArgs);
        inspect.add(template);
        ToolProcess.Result inspected = untrusted(build, inspect, dir, env, Duration.ofMinutes(2));
        Optional<String> refused = TemplatePlan.refusal(inspected.output());
        if (!inspected.ok() || refused.isPresent()) {
            throw new BuildFailure("the Packer template " + kiln.build().template() + " is refused: "
                    + refused.orElse("packer inspect exited with " + inspected.exitCode()));
        }
        // Given only to a template that declares it: Packer refuses a -var the template does not declare.
        Path consoleFile = build.workspace().resolve("guest-console.log");
        boolean consoleWritten = TemplatePlan.of(inspected.output()).variables().contains(GuestConsole.VARIABLE);
        if (consoleWritten) {
            varArgs.add("-var");
            varArgs.add(GuestConsole.VARIABLE + "=" + consoleFile);
        }

        // Each line of the build log stamped with its time (UTC), so a slow build shows which of its parts was slow.
        List<String> command = new ArrayList<>(List.of("packer", "build", "-color=false", "-timestamp-ui", "-on-error=cleanup"));
        command.addAll(varArgs);
        command.add(template);
        Duration timeout = kiln.build().timeoutDuration();
        build.log("$ packer build " + kiln.build().template() + " (timeout " + kiln.build().timeout() + ")");
        ToolProcess.Result result = untrusted(build, command, dir, env, timeout);
        if (result.timedOut() || result.exitCode() != 0) {
            String console = consoleWritten ? showConsole(build, consoleFile) : "";
            // Once the guest answered, Packer's and Ansible's lines say what failed; before, only the console can.
            String lastWords = result.output().stream().anyMatch(line -> line.contains("Connected to SSH!")) ? "" : console;
            if (result.timedOut()) {
                throw new BuildFailure("the build passed its timeout of " + kiln.build().timeout()
                        + " and was stopped; raise build.timeout in kiln.yaml if the image needs longer" + lastWords);
            }
            throw new BuildFailure("packer build failed (exit " + result.exitCode() + "): "
                    + firstError(result.output()).orElse("see the build log") + lastWords);
        }
        Path disk = output.resolve("disk.raw");
        if (!Files.exists(disk, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure("the template wrote no " + disk.getFileName() + " into output_dir; set format = \"raw\" and vm_name = \"disk.raw\" in its qemu source");
        }
        build.rawDisk(SandboxOutput.file(build.workspace(), disk));
    }

    /**
     * A failed build's guest console, its end copied into the build log; returns its last line for the reason, which
     * is what a guest that never answered SSH was doing (a panic, a hung unit, a login prompt with no network).
     */
    private static String showConsole(BuildContext build, Path console) {
        try {
            List<String> tail = GuestConsole.tail(build.workspace(), console, CONSOLE_LINES);
            if (tail.isEmpty()) {
                build.log("the guest's serial console is empty (" + GuestConsole.VARIABLE + "): the guest never started, or never wrote to ttyS0");
                return "";
            }
            build.log("the guest's serial console, its last " + tail.size() + " lines:");
            tail.forEach(line -> build.log("  console| " + line));
            String last = tail.get(tail.size() - 1);
            return "; the guest's console ended with: " + dev.kiln.events.Capped.text(last, 200);
        } catch (IOException | BuildFailure e) {
            build.log("the guest's serial console could not be shown: " + e.getMessage());
            return "";
        }
    }

    /**
     * The upstream's build key, copied for this build: kiln.yaml may only name a key kiln's upstream cache holds
     * ({@code kiln.builder.build-keys}), never another file of the builder host, and the copy is the build user's.
     */
    private static Path buildKey(BuildContext build, String named, Path tmp) throws IOException, BuildFailure {
        Path keys = build.config().buildKeys().toAbsolutePath().normalize();
        Path key;
        try {
            key = Path.of(named).toRealPath();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new BuildFailure("upstream.ssh_private_key_file " + named + " does not exist on the builder");
        }
        Path realKeys = Files.isDirectory(keys) ? keys.toRealPath() : keys;
        if (!key.startsWith(realKeys) || !Files.isRegularFile(key)) {
            throw new BuildFailure("upstream.ssh_private_key_file must be a build key under " + keys
                    + " (kiln.builder.build-keys), not " + named + ": a repository cannot point the build at other files of the builder");
        }
        Path copy = tmp.resolve("build_key");
        Files.createFile(copy, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        // Written into the 0600 file made above (a copy with REPLACE_EXISTING would make a new file, world-readable).
        Files.write(copy, Files.readAllBytes(key));
        return copy;
    }

    /**
     * Runs Packer on the repository's template: its environment is the allow-list; with isolation on (the default) it
     * runs in the build sandbox, where it sees only what the build needs and has a network of its own.
     */
    private ToolProcess.Result untrusted(BuildContext build, List<String> command, Path dir, Map<String, String> env, Duration timeout)
            throws Exception {
        if (!build.config().isolateNetwork()) {
            return ToolProcess.run(command, dir, env, false, timeout, build::log, process -> { });
        }
        BuilderConfig config = build.config();
        List<Path> readable = new ArrayList<>(List.of(KilnRoles.readable(config.ansibleRoles()), config.upstreamCache().toAbsolutePath()));
        // Where a resolver configuration lives under /run (systemd-resolved), the sandbox still needs to read it.
        Path resolv = Path.of("/etc/resolv.conf");
        if (Files.isSymbolicLink(resolv)) {
            readable.add(resolv.toRealPath().getParent());
        }
        List<Path> hidden = new ArrayList<>(List.of(config.workspaces(), config.store().directory()));
        String state = System.getenv("KILN_STATE");
        if (state != null && !state.isBlank()) {
            hidden.add(Path.of(state));
        }
        List<String> sandboxed = BuildSandbox.wrap(command, List.of(build.workspace(), tmp), readable, hidden, dir, user);
        // bubblewrap failing to set the sandbox up (it says "bwrap: ..." before the tool ever runs, or dies before its
        // first process; seen once as "loopback: Failed RTM_NEWADDR" with two builds starting together) is the builder's
        // hiccup, not the template's fault: start it again, a few times.
        for (int attempt = 1; ; attempt++) {
            String notStarted;
            try (BuildSandbox sandbox = new BuildSandbox()) {
                Path log = build.workspace().resolve("slirp4netns.log");
                ToolProcess.Result result = ToolProcess.run(sandboxed, dir, env, false, timeout, build::log, process -> sandbox.attach(process, log));
                if (attempt == SANDBOX_ATTEMPTS || !BuildSandbox.failedToStart(result.output())) {
                    return result;
                }
                notStarted = result.output().get(result.output().size() - 1);
            } catch (IllegalStateException e) {
                if (attempt == SANDBOX_ATTEMPTS) {
                    throw e;
                }
                notStarted = e.getMessage();
            }
            build.log("the build sandbox did not start (" + notStarted + "); starting it again");
            Thread.sleep(1000L * attempt);
        }
    }

    private static final int SANDBOX_ATTEMPTS = 3;

    @Override
    public void cleanup(BuildContext build) {
        if (tmp != null) {
            try {
                Trees.delete(tmp);
                tmpClaim.close();
            } catch (java.io.IOException e) {
                build.log("could not remove " + tmp + ": " + e.getMessage());
            }
            tmp = null;
        }
    }

    /**
     * The line that says what went wrong: an Ansible task failure first, then Packer's verdict on the build ("Build
     * 'qemu.image' errored after 10 minutes 2 seconds: Timeout waiting for SSH."), then any other error line.
     */
    static Optional<String> firstError(List<String> output) {
        for (String marker : List.of("fatal: [", "ERROR!", "Build '", "Error:", "error:")) {
            for (String line : output) {
                int at = line.indexOf(marker);
                if (at >= 0 && (!marker.equals("Build '") || line.indexOf("' errored", at) > 0)) {
                    String text = line.substring(at).trim();
                    return Optional.of(text.length() > 600 ? text.substring(0, 600) + "…" : text);
                }
            }
        }
        return Optional.empty();
    }
}
