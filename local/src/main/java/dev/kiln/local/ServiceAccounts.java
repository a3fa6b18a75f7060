package dev.kiln.local;

import dev.kiln.events.EventType;
import dev.kiln.events.ServiceAccount;
import dev.kiln.stack.KafkaAccount;
import dev.kiln.stack.KafkaBroker;
import dev.kiln.stack.KafkaCredentials;

import java.util.ArrayList;
import java.util.List;

/** The event catalogue's accounts ({@link ServiceAccount}) in the broker's terms, made real on a broker. */
public final class ServiceAccounts {
    private ServiceAccounts() {
    }

    public static KafkaAccount of(ServiceAccount service) {
        List<String> reads = new ArrayList<>(service.consumes().stream().map(EventType::topic).toList());
        List<String> writes = new ArrayList<>(service.produces().stream().map(EventType::topic).toList());
        if (service.readsBackWhatItProduces()) {
            reads.addAll(writes);
        }
        if (service.readsDeadLetters()) {
            reads.add(EventType.DEAD_LETTER_TOPIC);
        }
        if (service.writesDeadLetters()) {
            writes.add(EventType.DEAD_LETTER_TOPIC);
        }
        KafkaAccount account = KafkaAccount.named(service.user()).reads(reads).writes(writes);
        account = service.consumerGroup().map(account::inGroup).orElse(account);
        account = service.consumerGroupPrefix().map(account::inGroupsStartingWith).orElse(account);
        account = service.privateTopicPrefix().map(account::ownsTopicsStartingWith).orElse(account);
        return service.transactionalIdPrefix().map(account::transactsAs).orElse(account);
    }

    /** The account's user, password and ACLs on {@code broker} (the same password on every call for one broker home). */
    public static KafkaCredentials provision(KafkaBroker broker, ServiceAccount service) {
        return broker.provision(of(service));
    }
}
