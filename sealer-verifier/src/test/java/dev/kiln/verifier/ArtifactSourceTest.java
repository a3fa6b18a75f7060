package dev.kiln.verifier;

import dev.kiln.events.Sha256;
import dev.kiln.stack.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading artifacts the builder stored in S3, from a real S3-compatible server (s3proxy) on loopback. */
class ArtifactSourceTest {
    @TempDir
    Path workspace;

    private static VerifierConfig.S3 settings(S3Server server) {
        return new VerifierConfig.S3() {
            public Optional<String> endpoint() {
                return Optional.of(server.endpoint());
            }

            public String region() {
                return "us-east-1";
            }

            public Optional<String> accessKey() {
                return Optional.of(S3Server.ACCESS_KEY);
            }

            public Optional<String> secretKey() {
                return Optional.of(S3Server.SECRET_KEY);
            }
        };
    }

    @Test
    void anS3ArtifactIsStreamedIntoTheWorkspaceAndAMissingOneIsARejection() throws Exception {
        S3Server server = S3Server.shared();
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        Path original = Files.write(workspace.resolve("original"), bytes);
        try (S3Client s3 = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder()).region(Region.US_EAST_1)
                .endpointOverride(URI.create(server.endpoint())).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3Server.ACCESS_KEY, S3Server.SECRET_KEY)))
                .build()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals("kiln-verify"))) {
                s3.createBucket(r -> r.bucket("kiln-verify"));
            }
            s3.putObject(r -> r.bucket("kiln-verify").key("sha256/abc"), RequestBody.fromFile(original));
        }
        ArtifactSource source = new ArtifactSource(settings(server));
        Path fetched = source.fetch("s3://kiln-verify/sha256/abc", Files.createDirectories(workspace.resolve("one")));

        assertEquals(Sha256.of(original), Sha256.of(fetched));

        Path other = Files.createDirectories(workspace.resolve("two"));
        Rejection missing = assertThrows(Rejection.class, () -> source.fetch("s3://kiln-verify/sha256/nothing-here", other));
        assertTrue(missing.getMessage().contains("not in the store at s3://kiln-verify/sha256/nothing-here"), missing.getMessage());
        try (var left = Files.list(other)) {
            assertFalse(left.findAny().isPresent(), "nothing half-written is left in the workspace");
        }
    }
}
