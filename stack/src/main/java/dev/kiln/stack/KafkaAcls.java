package dev.kiln.stack;

import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;

/** The ACL bindings that allow a {@link KafkaAccount} what it lists, and nothing else. */
final class KafkaAcls {
    private KafkaAcls() {
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
