package dev.kiln.events;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceAccountTest {
    @Test
    void everyEventHasExactlyOneProducer() {
        for (EventType type : EventType.values()) {
            List<ServiceAccount> producers = Arrays.stream(ServiceAccount.values()).filter(a -> a.produces().contains(type)).toList();
            assertEquals(1, producers.size(), type + " is produced by " + producers);
        }
    }

    @Test
    void theObserverReadsEverythingAndWritesNothing() {
        assertEquals(Set.of(EventType.values()), ServiceAccount.OBSERVER.consumes());
        assertTrue(ServiceAccount.OBSERVER.produces().isEmpty());
        assertTrue(ServiceAccount.OBSERVER.readsDeadLetters());
        assertTrue(ServiceAccount.OBSERVER.consumerGroup().isEmpty());
    }

    @Test
    void consumingServicesHaveTheirOwnGroupAndDeadLetters() {
        for (ServiceAccount account : ServiceAccount.values()) {
            if (account != ServiceAccount.OBSERVER) {
                assertEquals(!account.consumes().isEmpty(), account.consumerGroup().isPresent(), account.name());
                assertEquals(account.consumerGroup().isPresent(), account.writesDeadLetters(), account.name());
            }
        }
        Set<String> users = Arrays.stream(ServiceAccount.values()).map(ServiceAccount::user).collect(Collectors.toSet());
        assertEquals(ServiceAccount.values().length, users.size(), "user names are unique");
    }
}
