package dev.kiln.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes a {@link KafkaAccount} real on a broker through an administrator's connection: its SCRAM user, the topics
 * it reads and writes, and the ACL bindings that allow what it lists and nothing else. Used on the broker this
 * project runs ({@link KafkaBroker#provision}) and on any other (compose's, an operator's), by the same code.
 */
public final class KafkaAcls {
    private KafkaAcls() {
    }

    /**
     * Safe to repeat: the user's password is set (so rotating it is one more call), topics that exist are kept,
     * and an ACL binding that exists is not duplicated.
     */
    public static void apply(Map<String, Object> adminConfig, KafkaAccount account, String password) {
        Map<String, Object> config = new HashMap<>(adminConfig);
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(config)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(account.user(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
            Set<String> topics = new TreeSet<>(account.readTopics());
            topics.addAll(account.writeTopics());
            createMissingTopics(admin, topics);
            admin.createAcls(of(account)).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot provision the Kafka account " + account.user() + ": " + cause.getMessage(), e);
        }
    }

    /**
     * Creates those of {@code topics} the broker lacks, with its default partitions and replicas; one created meanwhile
     * by another caller is fine.
     */
    static void createMissingTopics(Admin admin, Set<String> topics) throws Exception {
        Set<String> missing = new TreeSet<>(topics);
        missing.removeAll(admin.listTopics().names().get(30, TimeUnit.SECONDS));
        if (missing.isEmpty()) {
            return;
        }
        try {
            admin.createTopics(missing.stream().map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList())
                    .all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    static List<AclBinding> of(KafkaAccount account) {
        List<AclBinding> acls = new ArrayList<>();
        String principal = "User:" + account.user();
        for (String topic : account.readTopics()) {
            allow(acls, principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String topic : account.writeTopics()) {
            allow(acls, principal, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        for (String group : account.groups()) {
            allow(acls, principal, ResourceType.GROUP, group, PatternType.LITERAL, AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String prefix : account.groupPrefixes()) {
            allow(acls, principal, ResourceType.GROUP, prefix, PatternType.PREFIXED, AclOperation.READ, AclOperation.DESCRIBE);
        }
        for (String prefix : account.ownedTopicPrefixes()) {
            allow(acls, principal, ResourceType.TOPIC, prefix, PatternType.PREFIXED, AclOperation.CREATE, AclOperation.READ,
                    AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS);
        }
        for (String prefix : account.transactionalIdPrefixes()) {
            allow(acls, principal, ResourceType.TRANSACTIONAL_ID, prefix, PatternType.PREFIXED, AclOperation.WRITE, AclOperation.DESCRIBE);
        }
        return acls;
    }

    private static void allow(List<AclBinding> acls, String principal, ResourceType type, String name, PatternType pattern,
                              AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    // Any host: the broker listens on loopback only, so the host says nothing about who is calling.
                    new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW)));
        }
    }
}
