package dev.kiln.builder;

import dev.kiln.events.Sha256;
import dev.kiln.stack.S3Server;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The S3 store against a real S3-compatible server (s3proxy) started on loopback. */
class S3ArtifactStoreTest {
    private static final String BUCKET = "kiln-images";
    private static S3Client s3;

    @TempDir
    Path temp;

    @BeforeAll
    static void server() {
        S3Server server = S3Server.shared();
        s3 = S3ArtifactStore.client(Optional.of(server.endpoint()), "us-east-1", Optional.of(S3Server.ACCESS_KEY), Optional.of(S3Server.SECRET_KEY));
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(BUCKET))) {
            s3.createBucket(r -> r.bucket(BUCKET));
        }
    }

    @Test
    void aMultiPartImageIsStoredContentAddressedAndReadsBackIdentical() throws Exception {
        // Three parts: two whole 64 MiB parts and a short one, mostly sparse with random blocks.
        Path image = temp.resolve("disk.qcow2");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(2 * S3ArtifactStore.PART_SIZE + 5_000_000);
            Random random = new Random(42);
            byte[] block = new byte[1 << 16];
            for (long at = 0; at < file.length(); at += 7 << 20) {
                random.nextBytes(block);
                file.seek(at);
                file.write(block);
            }
        }
        String sha256 = Sha256.of(image);
        S3ArtifactStore store = new S3ArtifactStore(s3, BUCKET, "test/");

        String location = store.put("debian-web/1.0.0/debian-web-1.0.0.qcow2", image, sha256);

        assertEquals("s3://" + BUCKET + "/test/sha256/" + sha256, location);
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(r -> r.bucket(BUCKET).key("test/sha256/" + sha256))) {
            assertEquals(Files.size(image), object.response().contentLength());
            assertEquals("debian-web/1.0.0/debian-web-1.0.0.qcow2", object.response().metadata().get("kiln-name"));
            assertEquals(sha256, Sha256.copy(object, OutputStream.nullOutputStream()));
        }
        // Stored once: the same bytes again are found, not uploaded again.
        assertEquals(location, store.put("debian-web/1.0.1/debian-web-1.0.1.qcow2", image, sha256));
        assertTrue(s3.listMultipartUploads(r -> r.bucket(BUCKET)).uploads().isEmpty(), "no upload is left half-done");
    }

    @Test
    void aMissingBucketIsAClearError() throws Exception {
        Path file = Files.writeString(temp.resolve("build.log"), "log");
        S3ArtifactStore store = new S3ArtifactStore(s3, "no-such-bucket", "");
        IOException e = assertThrows(IOException.class, () -> store.put("x/1/build.log", file, Sha256.of(file)));
        assertTrue(e.getMessage().contains("no-such-bucket"), e.getMessage());
    }
}
