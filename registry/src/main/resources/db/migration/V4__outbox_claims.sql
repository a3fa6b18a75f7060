-- The relay claims entries (claimed_until) instead of holding row locks while it sends, and notes when an entry's
-- first send began (send_started_at): an entry with that set and no sent_at may already be on the topic (the registry
-- died between the broker's ack and its own commit), so the relay looks for it there before sending it again.
alter table outbox add column send_started_at timestamptz;
alter table outbox add column claimed_until timestamptz;
