package dev.kiln.deploy;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeploymentSpecTest {
    @Test
    void aDeclarationsFileGetsItsDefaults() {
        List<DeploymentSpec> specs = DeploymentSpec.parseFile("""
                deployments:
                  - name: web
                    image: debian-web
                    channel: latest
                  - name: db
                    image: debian-db
                    version: 1.2.3
                    format: raw
                    instances: 3
                    health: {port: 22, timeout: 90s}
                    onRevoked: stop
                """);
        DeploymentSpec web = specs.get(0);
        assertEquals("qcow2", web.format());
        assertEquals(1, web.instances());
        assertEquals(DeploymentSpec.LOCAL_QEMU, web.target());
        assertEquals("login:", web.health().marker());
        assertEquals(Duration.ofMinutes(5), web.health().timeoutDuration());
        assertEquals("replace", web.onRevoked());
        DeploymentSpec db = specs.get(1);
        assertTrue(db.pinned());
        assertEquals(Duration.ofSeconds(90), db.health().timeoutDuration());
        assertEquals(db, DeploymentSpec.fromJson(db.json()), "a declaration reads back as written");
    }

    @Test
    void everyProblemOfADeclarationIsNamed() {
        String message = assertThrows(DeploymentSpec.InvalidDeployment.class, () -> DeploymentSpec.parseFile("""
                deployments:
                  - name: Web Server
                    image: debian-web
                    channel: stable
                    version: 1.0
                    format: ova
                    instances: 0
                    target: ec2
                    health: {marker: "(", port: 22, timeout: forever}
                    onRevoked: ignore
                """)).getMessage();
        for (String expected : List.of("name must be", "exactly one of channel", "format must be one QEMU runs directly", "instances must be 1-16",
                "target 'ec2' is not available", "health needs exactly one of marker", "health.marker is not a regular expression",
                "health.timeout 'forever' is not a duration", "onRevoked must be replace")) {
            assertTrue(message.contains(expected), expected + " in: " + message);
        }
    }

    @Test
    void unknownKeysAndDuplicatesAreRefused() {
        assertTrue(assertThrows(DeploymentSpec.InvalidDeployment.class, () -> DeploymentSpec.parseFile("""
                deployments:
                  - {name: web, image: debian-web, channel: latest, replicas: 2}
                """)).getMessage().contains("unknown key 'replicas'"));
        assertTrue(assertThrows(DeploymentSpec.InvalidDeployment.class, () -> DeploymentSpec.parseFile("""
                deployments:
                  - {name: web, image: debian-web, channel: latest}
                  - {name: web, image: debian-web, channel: stable}
                """)).getMessage().contains("names a deployment twice"));
        assertTrue(assertThrows(DeploymentSpec.InvalidDeployment.class, () -> DeploymentSpec.parseFile("images: []\n"))
                .getMessage().contains("unknown key 'images'"));
    }
}
