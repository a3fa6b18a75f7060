package dev.kiln.verifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.disk.ToolProcess;
import dev.kiln.events.SitePlaybook;
import dev.kiln.stack.UpstreamGuest;
import dev.kiln.stack.UpstreamImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seal and the check, live: the upstream image boots, gets one leak per sealing rule (some where only sshd's
 * configuration says to look: seal-role-leaks.sh), kiln's release-stamp and seal roles run in it with Ansible as a build
 * runs them, it powers off with kiln-seal-final as a build's shutdown command does, and {@code kiln verify-image}
 * passes the disk on every rule. Without the stamp and seal (checked by hand: planted, then powered off) the same disk
 * fails 17 of the 19 rules: all but filesystem and hypervisor-agent, whose agents the upstream image does not have.
 */
class SealRoleTest {
    private static final Path ROLES = Path.of(System.getProperty("kiln.repo.root", "..")).resolve("builder/ansible/roles");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void everyPlantedLeakIsSealedAndTheDiskPassesEveryRule() throws Exception {
        UpstreamImage upstream = UpstreamImage.buildOrReuse();
        Path disk = temp.resolve("disk.qcow2");
        run(List.of("qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", upstream.image().toString(), disk.toString()));
        try (UpstreamGuest guest = UpstreamGuest.boot(upstream, disk, false, temp)) {
            // One connection, kept open: once the seal removes the host keys, sshd takes no new one (Packer, too, runs the
            // shutdown command over the connection it opened first).
            List<String> login = guest.ssh(List.of("-o", "ControlMaster=auto", "-o", "ControlPath=" + temp.resolve("ssh-master"),
                    "-o", "ControlPersist=15m"));
            guest.awaitSsh(login, "true", Duration.ofMinutes(5));

            Path leaks = temp.resolve("seal-role-leaks.sh");
            try (InputStream script = SealRoleTest.class.getResourceAsStream("seal-role-leaks.sh")) {
                Files.copy(script, leaks);
            }
            Path inventory = Files.writeString(temp.resolve("inventory"), "image ansible_host=127.0.0.1 ansible_port=" + guest.sshPort()
                    + " ansible_user=" + UpstreamGuest.BUILD_USER + " ansible_ssh_private_key_file=" + upstream.buildKey() + "\n");
            // The repository's playbook here plants the leaks; the site playbook around it is the one every build runs.
            Path leakPlay = Files.writeString(temp.resolve("leaks.yml"), """
                    - name: Leaks a playbook could leave
                      hosts: all
                      become: true
                      gather_facts: false
                      tasks:
                        - name: Plant one leak per sealing rule
                          ansible.builtin.script: %s
                    """.formatted(JSON.writeValueAsString(leaks.toString())));
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("kiln_image", TestImages.IMAGE);
            vars.put("kiln_version", TestImages.VERSION);
            vars.put("kiln_commit", TestImages.COMMIT);
            vars.put("kiln_source_date_epoch", 1764000000L);
            Path site = Files.writeString(temp.resolve("site.yml"), SitePlaybook.of(leakPlay, ROLES, vars));
            Instant started = Instant.now();
            ToolProcess.Result played = ToolProcess.run(List.of("ansible-playbook", "-i", inventory.toString(), site.toString()), temp,
                    Map.of("ANSIBLE_HOST_KEY_CHECKING", "False", "ANSIBLE_PIPELINING", "True", "ANSIBLE_NOCOLOR", "True"),
                    Duration.ofMinutes(10), line -> { });
            assertTrue(played.ok(), "ansible-playbook:\n" + played.text());
            System.out.printf("SealRoleTest: leaks, stamp and seal played in %d s%n", Duration.between(started, Instant.now()).toSeconds());

            // A build's shutdown command: it removes the build login and powers the machine off, so the session ends with it.
            ToolProcess.Result halted = ToolProcess.run(UpstreamGuest.running(login, "sudo -n /usr/local/sbin/kiln-seal-final"), temp, Map.of(), Duration.ofMinutes(3), line -> { });
            assertTrue(guest.poweredOffWithin(Duration.ofMinutes(3)), "the machine did not power off after kiln-seal-final ("
                    + halted.text() + "):\n" + guest.console());
        } finally {
            ToolProcess.run(List.of("ssh", "-o", "ControlPath=" + temp.resolve("ssh-master"), "-O", "exit", "x"), temp, Map.of(),
                    Duration.ofSeconds(10), line -> { });
        }

        Path raw = temp.resolve("disk.raw");
        run(List.of("qemu-img", "convert", "-f", "qcow2", "-O", "raw", disk.toString(), raw.toString()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = VerifyCommand.run(new String[] {raw.toString(), "--format", "raw", "--no-boot", "--image", TestImages.IMAGE,
                "--version", TestImages.VERSION, "--commit", TestImages.COMMIT, "--build-user", UpstreamGuest.BUILD_USER},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String report = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, exit, report);
        assertTrue(report.contains("VERIFIED") && report.contains("net-hwaddr") && report.contains("release-stamp"), report);
    }

    private void run(List<String> command) throws Exception {
        ToolProcess.check(command, temp, Duration.ofMinutes(5), line -> { });
    }
}
