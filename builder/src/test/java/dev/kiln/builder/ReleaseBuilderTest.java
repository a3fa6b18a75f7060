package dev.kiln.builder;

import dev.kiln.events.DiskFormat;

import dev.kiln.disk.ToolProcess;

import dev.kiln.events.Sha256;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.Artifact;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImageBuilt;
import dev.kiln.events.ImageRebuilt;
import dev.kiln.events.RebuildRequested;
import dev.kiln.events.KilnFile;
import dev.kiln.events.Release;
import dev.kiln.events.ReleaseTagged;
import dev.kiln.local.ServiceKafkaResource;
import io.quarkus.test.common.ResourceArg;
import dev.kiln.stack.UpstreamImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The builder on the real broker, with real Packer, Ansible and QEMU (TCG): a release of examples/ becomes a
 * sealed, stamped image in six formats; each way a build can go wrong ends as BuildFailed with its reason.
 */
@QuarkusTest
@QuarkusTestResource(value = ServiceKafkaResource.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "account", value = "BUILDER"))
@QuarkusTestResource(value = BuilderDirectories.class, restrictToAnnotatedClass = true)
class ReleaseBuilderTest {
    private static final Duration BUILD = Duration.ofMinutes(15);

    @TempDir
    Path temp;

    /**
     * One release build of examples/ with one task added that is not reproducible (it writes the time of the build),
     * then a rebuild of the same tag (kiln rebuild): the report names that file, and nothing else. (The e2e scenario
     * rebuilds the unchanged example and requires every format bit-identical.)
     */
    @Test
    void aReleaseBecomesASealedStampedImageInEveryFormatAndARebuildNamesWhatIsNotReproducible() throws Exception {
        ImageRepository repo = ImageRepository.copyOfExamples(temp.resolve("images"));
        repo.write("ansible/playbook.yml", Files.readString(ImageRepository.EXAMPLES.resolve("ansible/playbook.yml")) + """

                - name: A task that makes the image differ every time
                  hosts: all
                  become: true
                  gather_facts: false
                  tasks:
                    - name: Record when the image was built
                      ansible.builtin.shell: date +%s%N > /etc/build-date
                    - name: A service account, whose password age would be the day of the build
                      ansible.builtin.user:
                        name: app
                        password: "!"
                    - name: Guest agents' state of the build machine, with no agent installed to clean it
                      ansible.builtin.shell: |
                        mkdir -p /var/lib/waagent /var/lib/cloud/instances/i-build /var/lib/cloud/data /var/lib/hyperv
                        echo '<Environment/>' > /var/lib/waagent/ovf-env.xml
                        touch /var/lib/cloud/instances/i-build/boot-finished
                        ln -sfn /var/lib/cloud/instances/i-build /var/lib/cloud/instance
                        echo i-build > /var/lib/cloud/data/instance-id
                        echo pool > /var/lib/hyperv/.kvp_pool_0
                """);
        // Roles of the repository named like kiln's cannot stand in for them (kiln runs its own by path).
        repo.write("ansible/roles/seal/tasks/main.yml", "- name: A look-alike that would leave the image unsealed\n"
                + "  ansible.builtin.debug:\n    msg: not sealing\n");
        repo.write("ansible/roles/release-stamp/tasks/main.yml", "- name: A look-alike stamp\n"
                + "  ansible.builtin.copy:\n    dest: /etc/release\n    content: \"VERSION=forged\\n\"\n");
        ReleaseTagged tagged = repo.release("debian-chrony", "0.1.0");

        var record = BuildResults.send(tagged);
        // While the build is in hand, a member joins the builders' group (as the builder's own second consumer can, a
        // moment after the first, when it starts) and leaves again: the release is still built once, and acknowledged.
        // It leaves while the build is in hand, and the group settles before the build ends: a commit that meets a
        // rebalance is refused, and SmallRye's throttled strategy does not make it again until the partition's next
        // record (its "will be re-attempted" notwithstanding), which this test would wait for in vain.
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.isDirectory(BuilderDirectories.root.resolve("work"))
                        && Files.list(BuilderDirectories.root.resolve("work")).findAny().isPresent());
        int builders = BuildResults.builderMembers();
        try (var joined = BuildResults.joinBuilderGroup()) {
            assertTrue(BuildResults.built(tagged).isEmpty(), "the member joined while the release was being built");
        }
        BuildResults.awaitBuildersStable(builders, Duration.ofMinutes(1));
        assertTrue(BuildResults.built(tagged).isEmpty(), "the member left while the release was being built");
        await().atMost(BUILD).pollInterval(Duration.ofSeconds(5))
                .until(() -> BuildResults.built(tagged).size() + BuildResults.failed(tagged).size() >= 6);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> BuildResults.committedByBuilders(record) > record.offset());
        assertEquals(List.of(), Files.list(BuilderDirectories.root.resolve("work")).toList(),
                "the release is not being built a second time (a rebalance that took the record from the build in hand redelivers it)");

        assertEquals(List.of(), BuildResults.failed(tagged));
        List<ImageBuilt> built = BuildResults.built(tagged);
        assertEquals(Set.copyOf(KilnFile.ALL_FORMATS), built.stream().map(ImageBuilt::format).collect(Collectors.toSet()));
        Set<String> rawDigests = built.stream().map(e -> e.artifact().rawSha256()).collect(Collectors.toSet());
        assertEquals(1, rawDigests.size(), "every format carries the same disk");
        for (ImageBuilt event : built) {
            Artifact artifact = event.artifact();
            Path file = Path.of(URI.create(artifact.location()));
            assertEquals(artifact.sha256(), Sha256.of(file), artifact.format());
            assertEquals(artifact.size(), Files.size(file), artifact.format());
            assertEquals(tagged.release().commit(), event.provenance().commit());
            assertEquals(UpstreamImage.buildOrReuse().sha256(), event.provenance().upstreamSha256());
            assertEquals(tagged.sourceDateEpoch(), event.provenance().sourceDateEpoch());
            assertEquals("1.6.6", event.provenance().tools().get("packer"));
            assertTrue(Files.readString(Path.of(URI.create(event.buildLog()))).contains("$ packer build"));
            if (!artifact.format().equals("ova")) {
                DiskFormat format = DiskFormat.of(artifact.format());
                String info = ToolProcess.check(List.of("qemu-img", "info", "--output=json", "-f", format.qemuFormat(), file.toString()),
                        temp, Duration.ofMinutes(1), l -> { });
                assertEquals(artifact.virtualSize(), new ObjectMapper().readTree(info).path("virtual-size").asLong());
            }
        }
        Path vhd = file(built, "vhd");
        assertEquals(0, artifactOf(built, "vhd").virtualSize() % (1 << 20), "Azure wants whole MiB");
        // A fixed VHD is the raw disk plus a 512-byte footer (which is why qemu-img cannot probe it: say -f vpc).
        assertEquals(artifactOf(built, "vhd").virtualSize() + 512, Files.size(vhd));
        try (java.io.RandomAccessFile footer = new java.io.RandomAccessFile(vhd.toFile(), "r")) {
            byte[] cookie = new byte[8];
            footer.seek(Files.size(vhd) - 512);
            footer.readFully(cookie);
            assertEquals("conectix", new String(cookie, java.nio.charset.StandardCharsets.US_ASCII));
        }
        String ova = ToolProcess.check(List.of("tar", "-tvf", file(built, "ova").toString()), temp, Duration.ofMinutes(1), l -> { });
        assertTrue(ova.matches("(?s).*debian-chrony-0\\.1\\.0\\.ovf.*debian-chrony-0\\.1\\.0\\.mf.*debian-chrony-0\\.1\\.0\\.vmdk.*"), ova);

        Path raw = file(built, "raw");
        assertEquals(rawDigests.iterator().next(), Sha256.of(raw));
        SealedDisk disk = new SealedDisk(raw);
        String release = disk.cat("/etc/release");
        assertTrue(release.contains("VERSION=0.1.0") && release.contains("COMMIT=" + tagged.release().commit())
                && release.contains("IMAGE=debian-chrony"), release);
        assertTrue(disk.exists("/etc/chrony/chrony.conf"), "the repository's playbook ran");
        assertTrue(disk.ls("/etc/ssh").stream().noneMatch(name -> name.startsWith("ssh_host_")), "host keys: " + disk.ls("/etc/ssh"));
        assertEquals("", disk.cat("/etc/machine-id"));
        assertFalse(disk.exists("/home/kiln-build"), "the build login's home (and keys) are gone");
        assertFalse(disk.exists("/etc/sudoers.d/kiln-build"));
        assertFalse(disk.cat("/etc/passwd").contains("kiln-build"));
        for (String agentState : List.of("/var/lib/waagent/ovf-env.xml", "/var/lib/cloud/instance", "/var/lib/cloud/instances/i-build",
                "/var/lib/cloud/data/instance-id", "/var/lib/hyperv/.kvp_pool_0")) {
            assertFalse(disk.exists(agentState), agentState + " (hypervisor-agent) was sealed though no agent was installed to clean it");
        }
        String app = disk.cat("/etc/shadow").lines().filter(line -> line.startsWith("app:")).findFirst().orElseThrow();
        assertEquals(Long.toString(tagged.sourceDateEpoch() / 86400), app.split(":")[2], "password age clamped to the release's day: " + app);
        assertEquals(List.of(), Files.list(BuilderDirectories.root.resolve("work")).toList(), "the workspace is cleaned");

        String id = java.util.UUID.randomUUID().toString();
        BuildResults.send(new RebuildRequested(id, tagged.release(), tagged.sourceDateEpoch(), built.stream().map(ImageBuilt::artifact).toList()));
        await().atMost(BUILD).pollInterval(Duration.ofSeconds(5)).until(() -> !BuildResults.rebuilt(id).isEmpty());
        ImageRebuilt rebuilt = BuildResults.rebuilt(id).get(0);
        assertEquals(ImageRebuilt.DIFFERS, rebuilt.verdict(), rebuilt.toString());
        assertEquals(6, rebuilt.formats().size());
        assertTrue(rebuilt.formats().stream().noneMatch(ImageRebuilt.FormatDigests::identical), "the disk differs, so every format does");
        List<String> paths = rebuilt.differences().stream().filter(line -> line.startsWith("  /")).toList();
        assertEquals(1, paths.size(), "exactly one file differs: " + rebuilt.differences());
        assertTrue(paths.get(0).startsWith("  /etc/build-date: content"), paths.get(0));
        String report = Files.readString(Path.of(URI.create(rebuilt.reportLocation())));
        assertTrue(report.contains("/etc/build-date: content") && report.contains("verdict: differs"), report);
        assertEquals(List.of(), Files.list(BuilderDirectories.root.resolve("work")).toList(), "the rebuild's workspace is cleaned");
    }

    @Test
    void badRepositoriesEndAsBuildFailedWithAReasonAndTheConsumerKeepsGoing() throws Exception {
        ImageRepository repo = ImageRepository.copyOfExamples(temp.resolve("bad"));
        BuildResults.sendRaw("broken/1", "{\"release\": {\"image\": \"broken\"}}");

        assertFails(repo.delete("kiln.yaml").release("debian-chrony", "9.0.1"), "read-kiln-file", "there is no kiln.yaml");
        ReleaseTagged badTimeout = repo.write("kiln.yaml", repo.kilnYaml().replace("timeout: 20m", "timeout: 20 minutes")).release("debian-chrony", "9.0.2");
        assertFails(badTimeout, "read-kiln-file", "'build.timeout' must be a duration");
        String mismatch = repo.kilnYaml().replace(UpstreamImage.buildOrReuse().sha256(), "0".repeat(64));
        assertFails(repo.write("kiln.yaml", mismatch).release("debian-chrony", "9.0.3"), "fetch-upstream", "checksum mismatch");
        // Another digest, so the verified cache cannot stand in for the download.
        String unreachable = repo.kilnYaml().replaceAll("(?m)^  url: .*$", "  url: http://127.0.0.1:9/debian.qcow2")
                .replace(UpstreamImage.buildOrReuse().sha256(), "1".repeat(64));
        assertFails(repo.write("kiln.yaml", unreachable).release("debian-chrony", "9.0.4"), "fetch-upstream", "cannot download the upstream image");
        // A key the repository names elsewhere on the builder (a root-only file here) is refused before Packer runs.
        String foreignKey = repo.kilnYaml().replaceAll("(?m)^  ssh_private_key_file: .*$", "  ssh_private_key_file: /etc/shadow");
        assertFails(repo.write("kiln.yaml", foreignKey).release("debian-chrony", "9.0.7"), "packer-build", "must be a build key under");
        repo.write("kiln.yaml", repo.kilnYaml());
        String template = Files.readString(ImageRepository.EXAMPLES.resolve("packer/image.pkr.hcl"));
        assertFails(repo.write("packer/image.pkr.hcl", template.replace("source \"qemu\" \"image\" {", "source \"qemu\" \"image\" {\n  no_such_option = 1"))
                .release("debian-chrony", "9.0.5"), "packer-build", "template packer/image.pkr.hcl is invalid");
        // A tag on an older commit, whose files differ from the branch tip's: exactly that commit is checked out.
        Release older = badTimeout.release();
        assertFails(new ReleaseTagged(new Release(older.image(), "9.0.6", "release-9.0.6", older.repository(), older.commit()),
                null, badTimeout.tagger(), badTimeout.sourceDateEpoch()), "read-kiln-file", "'build.timeout' must be a duration");
        assertEquals(List.of(), Files.list(BuilderDirectories.root.resolve("work")).toList(), "workspaces are cleaned");
        String reason = BuildResults.deadLetterReason("broken/1").orElseThrow(() -> new AssertionError("the malformed ReleaseTagged is not dead-lettered"));
        assertTrue(reason.contains("release.version"), reason);
    }

    @Test
    void aFailingPlaybookAnOverrunAndADiskSwappedForALinkAreBuildFailedAndLeaveNoQemuBehind() throws Exception {
        ImageRepository repo = ImageRepository.copyOfExamples(temp.resolve("slow"));
        // The guest first tries kiln's broker on this host's loopback (10.0.2.2 is the host in QEMU's user network):
        // the build's own network namespace must keep it out of reach.
        int broker = Integer.parseInt(dev.kiln.stack.KafkaBroker.shared().bootstrapServers().replaceAll(".*:", ""));
        // And a task run on the builder host itself (delegate_to: localhost) looks for a file in kiln's artifact store.
        Path canary = Files.createDirectories(BuilderDirectories.root.resolve("artifacts")).resolve("canary");
        Files.writeString(canary, "kiln's own\n");
        repo.write("ansible/playbook.yml", """
                - name: Configure the image
                  hosts: all
                  become: true
                  gather_facts: false
                  tasks:
                    - name: Try kiln's broker on the builder host
                      ansible.builtin.wait_for:
                        host: 10.0.2.2
                        port: %d
                        timeout: 5
                      register: broker
                      failed_when: false
                    - name: Fail loudly if it answered
                      ansible.builtin.fail:
                        msg: the build guest reached kiln's broker
                      when: "'Timeout' not in (broker.msg | default(''))"
                    - name: Look into kiln's artifact store from the builder host
                      ansible.builtin.stat:
                        path: %s
                      delegate_to: localhost
                      become: false
                      register: store
                    - name: Fail loudly if it was there
                      ansible.builtin.fail:
                        msg: the playbook saw kiln's artifact store
                      when: store.stat.exists
                    - name: Who runs the playbook on the builder host
                      ansible.builtin.command: id -u
                      delegate_to: localhost
                      become: false
                      register: uid
                    - name: Read a file only root may read on the builder host
                      ansible.builtin.slurp:
                        src: /etc/shadow
                      delegate_to: localhost
                      become: false
                      register: shadow
                      failed_when: false
                    - name: Fail loudly if the playbook ran as root or read it
                      ansible.builtin.fail:
                        msg: the playbook ran as root on the builder host
                      when: uid.stdout == '0' or shadow.content is defined
                    - name: A step that breaks
                      ansible.builtin.command: /bin/false
                """.formatted(broker, canary));
        ReleaseTagged breaking = repo.release("debian-chrony", "9.1.0");
        assertFails(breaking, "packer-build", "fatal:");
        for (BuildFailed failed : BuildResults.failed(breaking)) {
            assertTrue(failed.reason().contains("/bin/false"), "the build got past the broker probe: " + failed.reason());
            assertFalse(failed.reason().contains("reached kiln's broker"), failed.reason());
            assertFalse(failed.reason().contains("saw kiln's artifact store"), failed.reason());
            assertFalse(failed.reason().contains("ran as root on the builder host"), failed.reason());
            assertFalse(failed.reason().contains("the guest's console ended with"), "the guest answered SSH, Ansible's line says it: " + failed.reason());
        }
        // The example template writes the guest's serial console where kiln asks (console_log): a failed build's log shows its end.
        List<String> log = Files.readAllLines(Path.of(URI.create(BuildResults.failed(breaking).get(0).buildLog())));
        List<String> console = log.stream().filter(line -> line.contains("console| ")).toList();
        assertTrue(log.stream().anyMatch(line -> line.contains("the guest's serial console, its last")) && console.size() >= 5,
                "the guest's console in the build log:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())));
        assertTrue(console.stream().anyMatch(line -> line.contains("login:")), "a booted guest's console ends at its login prompt: " + console);
        assertTrue(console.stream().noneMatch(line -> line.chars().anyMatch(c -> c == 0x1b || c == '\r')), "escape sequences removed: " + console);

        repo.write("ansible/playbook.yml", Files.readString(ImageRepository.EXAMPLES.resolve("ansible/playbook.yml")))
                .write("kiln.yaml", repo.kilnYaml().replace("timeout: 20m", "timeout: 15s"));
        assertFails(repo.release("debian-chrony", "9.1.1"), "packer-build", "passed its timeout of 15s");

        // A task on the builder host swaps the disk Packer wrote for a link to a file of kiln's (here the store's canary,
        // which the sandbox hides but a link can still name): the builder, outside the sandbox, must not follow it.
        // That play is the whole playbook (kiln's stamp and seal still run after it): the example's would only lengthen the build.
        repo.write("kiln.yaml", repo.kilnYaml().replace("timeout: 15s", "timeout: 20m"))
                .write("ansible/playbook.yml", """
                        - name: Hand the builder another file as the disk
                          hosts: all
                          gather_facts: false
                          tasks:
                            - name: Link out/disk.raw (the workspace is two up from the repository playbook) to the artifact store's canary
                              ansible.builtin.shell: ln -sfn %s {{ playbook_dir }}/../../out/link && mv -fT {{ playbook_dir }}/../../out/link {{ playbook_dir }}/../../out/disk.raw
                              delegate_to: localhost
                              become: false
                        """.formatted(canary));
        assertFails(repo.release("debian-chrony", "9.1.2"), "packer-build", "out/disk.raw in the build's output is not a regular file");
        Process pgrep = new ProcessBuilder("pgrep", "-f", "qemu-system.*" + BuilderDirectories.root).start();
        assertEquals(1, pgrep.waitFor(), "no QEMU of this builder is left running");
    }

    private static void assertFails(ReleaseTagged tagged, String stage, String reason) throws Exception {
        BuildResults.send(tagged);
        await().atMost(BUILD).pollInterval(Duration.ofSeconds(2)).until(() -> BuildResults.failed(tagged).size() >= 6);
        List<BuildFailed> failed = BuildResults.failed(tagged);
        assertEquals(Set.copyOf(KilnFile.ALL_FORMATS), failed.stream().map(BuildFailed::format).collect(Collectors.toSet()));
        for (BuildFailed event : failed) {
            assertEquals(stage, event.stage(), event.reason());
            // The log's last lines in the message: the log itself goes with the test's directory.
            assertTrue(event.reason().contains(reason), "expected '" + reason + "' in: " + event.reason()
                    + "\nthe build log ended:\n" + String.join("\n", event.logTail()));
            assertFalse(event.logTail().isEmpty());
            assertTrue(Files.exists(Path.of(URI.create(event.buildLog()))));
        }
        assertEquals(List.of(), BuildResults.built(tagged));
    }

    private static Artifact artifactOf(List<ImageBuilt> built, String format) {
        return built.stream().filter(e -> e.format().equals(format)).findFirst().orElseThrow().artifact();
    }

    private static Path file(List<ImageBuilt> built, String format) {
        return Path.of(URI.create(artifactOf(built, format).location()));
    }
}
