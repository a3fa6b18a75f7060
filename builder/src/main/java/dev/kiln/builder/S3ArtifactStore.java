package dev.kiln.builder;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Any S3-compatible object store, through AWS SDK v2: objects keyed {@code <prefix>sha256/<digest>} with the
 * human-readable name as metadata, uploaded in streamed multipart parts (one part's worth of memory at most), and
 * skipped when the object is already there.
 */
final class S3ArtifactStore implements ArtifactStore {
    static final long PART_SIZE = 64L << 20;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    S3ArtifactStore(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    static S3ArtifactStore of(BuilderConfig.S3 config) {
        String bucket = config.bucket().orElseThrow(() -> new IllegalArgumentException(
                "kiln.builder.store.kind=s3 needs kiln.builder.store.s3.bucket"));
        return new S3ArtifactStore(client(config.endpoint(), config.region(), config.accessKey(), config.secretKey()), bucket,
                config.prefix().orElse(""));
    }

    /**
     * A client for AWS or, with an endpoint, any S3-compatible server (path-style addressing, and checksums only where
     * the API requires them: the SDK's default trailing checksums are not understood by every S3-compatible server).
     */
    static S3Client client(Optional<String> endpoint, String region, Optional<String> accessKey, Optional<String> secretKey) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .region(Region.of(region));
        endpoint.ifPresent(url -> builder.endpointOverride(URI.create(url)).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
        if (accessKey.isPresent() && secretKey.isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secretKey.get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return builder.build();
    }

    @Override
    public String put(String name, Path file, String sha256) throws IOException {
        String key = prefix + "sha256/" + sha256;
        try {
            if (exists(key)) {
                return location(key);
            }
            String upload = s3.createMultipartUpload(r -> r.bucket(bucket).key(key)
                    .metadata(Map.of("kiln-name", name, "kiln-sha256", sha256))).uploadId();
            try {
                long size = java.nio.file.Files.size(file);
                List<CompletedPart> parts = new ArrayList<>();
                int number = 1;
                for (long offset = 0; offset < size || number == 1; offset += PART_SIZE, number++) {
                    long length = Math.min(PART_SIZE, size - offset);
                    long start = offset;
                    int partNumber = number;
                    // A fresh stream of just this part each time the SDK asks (signing and retries read it again).
                    RequestBody body = RequestBody.fromContentProvider(() -> range(file, start, length), length, "application/octet-stream");
                    String etag = s3.uploadPart(r -> r.bucket(bucket).key(key).uploadId(upload).partNumber(partNumber)
                            .contentLength(length), body).eTag();
                    parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                }
                s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
            } catch (IOException | RuntimeException e) {
                s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(upload));
                throw e;
            }
            return location(key);
        } catch (S3Exception e) {
            throw new IOException("S3 refused " + name + " in bucket " + bucket + ": " + e.awsErrorDetails().errorMessage(), e);
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            throw new IOException("cannot reach the S3 store for bucket " + bucket + ": " + e.getMessage(), e);
        }
    }

    private static InputStream range(Path file, long start, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(start);
            InputStream whole = Channels.newInputStream(channel);
            return new java.io.FilterInputStream(whole) {
                private long left = length;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int b = super.read();
                    left -= b < 0 ? 0 : 1;
                    return b;
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(buffer, off, (int) Math.min(len, left));
                    left -= Math.max(n, 0);
                    return n;
                }
            };
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public Path local(String location, Path scratch) throws IOException {
        String start = "s3://" + bucket + "/";
        if (!location.startsWith(start) || location.contains("..")) {
            throw new IOException("'" + location + "' is not an object of this store (" + start + ")");
        }
        String key = location.substring(start.length());
        Path file = scratch.resolve(key.substring(key.lastIndexOf('/') + 1));
        try {
            s3.getObject(r -> r.bucket(bucket).key(key), software.amazon.awssdk.core.sync.ResponseTransformer.toFile(file));
        } catch (S3Exception e) {
            throw new IOException("cannot download " + location + ": " + e.getMessage(), e);
        }
        return file;
    }

    private boolean exists(String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private String location(String key) {
        return "s3://" + bucket + "/" + key;
    }
}
