-- An outbox entry that fails to send is retried with backoff; after kiln.registry.outbox-max-attempts (or at once
-- when it can never be sent) it is parked, so the entries after it go on. Parked entries are listed by the API.
alter table outbox add column attempts integer not null default 0;
alter table outbox add column last_error text;
alter table outbox add column next_attempt_at timestamptz;
alter table outbox add column parked_at timestamptz;
