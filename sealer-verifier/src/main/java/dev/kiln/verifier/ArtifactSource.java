package dev.kiln.verifier;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where an artifact is read from: a file:// location in place, an s3:// one streamed into the workspace. */
final class ArtifactSource {
    private final VerifierConfig.S3 s3Config;
    private S3Client s3;

    ArtifactSource(VerifierConfig.S3 s3Config) {
        this.s3Config = s3Config;
    }

    Path fetch(String location, Path workspace) throws Rejection, IOException {
        URI uri;
        try {
            uri = URI.create(location);
        } catch (IllegalArgumentException e) {
            throw new Rejection("artifact", location, "the artifact location is not a URI: " + location);
        }
        if ("file".equals(uri.getScheme())) {
            Path file = Path.of(uri);
            if (!Files.isRegularFile(file)) {
                throw new Rejection("artifact", location, "the artifact is not in the store at " + location);
            }
            return file;
        }
        if ("s3".equals(uri.getScheme())) {
            Path file = workspace.resolve("artifact");
            String key = uri.getPath().substring(1);
            try (InputStream in = client().getObject(r -> r.bucket(uri.getHost()).key(key));
                 OutputStream out = Files.newOutputStream(file)) {
                in.transferTo(out);
            } catch (NoSuchKeyException e) {
                Files.deleteIfExists(file);
                throw new Rejection("artifact", location, "the artifact is not in the store at " + location);
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                Files.deleteIfExists(file);
                throw new IOException("cannot read " + location + " from S3: " + e.getMessage(), e);
            }
            return file;
        }
        throw new Rejection("artifact", location, "kiln reads artifacts from file:// and s3:// locations, not " + location);
    }

    private synchronized S3Client client() {
        if (s3 == null) {
            S3ClientBuilder builder = S3Client.builder().httpClientBuilder(UrlConnectionHttpClient.builder())
                    .region(Region.of(s3Config.region()));
            // The same client settings as the builder's store: S3-compatible servers do not all understand the SDK's
            // default trailing checksums, so they are used only where the API requires them.
            s3Config.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
            builder.credentialsProvider(s3Config.accessKey().isPresent() && s3Config.secretKey().isPresent()
                    ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s3Config.accessKey().get(), s3Config.secretKey().get()))
                    : DefaultCredentialsProvider.builder().build());
            s3 = builder.build();
        }
        return s3;
    }
}
