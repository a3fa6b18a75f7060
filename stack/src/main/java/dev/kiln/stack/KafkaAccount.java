package dev.kiln.stack;

import java.util.Set;
import java.util.TreeSet;

/**
 * What one client of the broker may do, in the broker's own terms (topics, consumer groups, transactional ids):
 * {@link KafkaBroker#provision} turns it into a SCRAM user and its ACLs. Everything not listed is denied.
 * Built with named steps, e.g. {@code KafkaAccount.named("kiln-builder").reads(t).writes(u).inGroup("kiln-builder")}.
 */
public record KafkaAccount(String user, Set<String> readTopics, Set<String> writeTopics, Set<String> groups,
                           Set<String> groupPrefixes, Set<String> ownedTopicPrefixes, Set<String> transactionalIdPrefixes) {

    public KafkaAccount {
        if (!user.matches("[a-z][a-z0-9-]{1,62}")) {
            throw new IllegalArgumentException("a Kafka user name is lower-case letters, digits and '-': " + user);
        }
        readTopics = Set.copyOf(readTopics);
        writeTopics = Set.copyOf(writeTopics);
        groups = Set.copyOf(groups);
        groupPrefixes = Set.copyOf(groupPrefixes);
        ownedTopicPrefixes = Set.copyOf(ownedTopicPrefixes);
        transactionalIdPrefixes = Set.copyOf(transactionalIdPrefixes);
    }

    /** An account that may do nothing yet. */
    public static KafkaAccount named(String user) {
        return new KafkaAccount(user, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of());
    }

    public KafkaAccount reads(java.util.Collection<String> topics) {
        return new KafkaAccount(user, union(readTopics, topics), writeTopics, groups, groupPrefixes, ownedTopicPrefixes, transactionalIdPrefixes);
    }

    public KafkaAccount writes(java.util.Collection<String> topics) {
        return new KafkaAccount(user, readTopics, union(writeTopics, topics), groups, groupPrefixes, ownedTopicPrefixes, transactionalIdPrefixes);
    }

    /** Joins (and commits offsets in) exactly this consumer group. */
    public KafkaAccount inGroup(String group) {
        return new KafkaAccount(user, readTopics, writeTopics, union(groups, Set.of(group)), groupPrefixes, ownedTopicPrefixes, transactionalIdPrefixes);
    }

    /** Any consumer group whose name starts so (a subscriber's own, throw-away groups). */
    public KafkaAccount inGroupsStartingWith(String prefix) {
        return new KafkaAccount(user, readTopics, writeTopics, groups, union(groupPrefixes, Set.of(prefix)), ownedTopicPrefixes, transactionalIdPrefixes);
    }

    /** Creates, reads and writes the topics whose names start so (a service's private state, such as a ledger). */
    public KafkaAccount ownsTopicsStartingWith(String prefix) {
        return new KafkaAccount(user, readTopics, writeTopics, groups, groupPrefixes, union(ownedTopicPrefixes, Set.of(prefix)), transactionalIdPrefixes);
    }

    /** Writes transactionally with ids starting so. */
    public KafkaAccount transactsAs(String prefix) {
        return new KafkaAccount(user, readTopics, writeTopics, groups, groupPrefixes, ownedTopicPrefixes, union(transactionalIdPrefixes, Set.of(prefix)));
    }

    private static Set<String> union(Set<String> a, java.util.Collection<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
