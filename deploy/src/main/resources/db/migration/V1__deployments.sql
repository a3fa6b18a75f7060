-- The deploy service's own record, in its own schema (deploy): what is declared, what the registry published, moved
-- and revoked (from its events), which events were handled (once each), the rollouts and their instances, and the
-- events to send (an outbox, so a state change and its event are committed together).

create table deployment (
    name text primary key,
    image text not null,
    format text not null,
    spec text not null,                  -- the declaration, as JSON
    declaration_id text not null,        -- the id of the declaration: the cause of the rollouts it starts itself
    running_version text,                -- what the fleet runs; null before its first launch or after a stop
    failed_version text,                 -- the last version whose rollout failed: not tried again until something changes
    pending_cause text,                  -- an event that may change what the fleet should run, not yet acted on
    pending_trigger text,
    deleted boolean not null default false  -- deleted by the API: retired, then forgotten
);

create table published (
    image text not null,
    version text not null,
    format text not null,
    location text not null,
    sha256 text not null,
    release text not null,               -- the Release, as JSON
    primary key (image, version, format)
);

create table channel_move (
    image text not null,
    channel text not null,
    version text not null,
    moved_at bigint not null,
    primary key (image, channel, moved_at)
);

create table revoked (
    image text not null,
    version text not null,
    reason text not null,
    primary key (image, version)
);

create table handled_event (
    id text primary key,
    type text not null,
    handled_at timestamptz not null default now()
);

create table rollout (
    id bigserial primary key,
    deployment text not null,
    version text not null,
    previous_version text,
    trigger text not null,
    cause_id text not null,
    state text not null check (state in ('running', 'completed', 'failed')),
    reason text,
    started_at timestamptz not null default now(),
    finished_at timestamptz
);
create unique index one_running_rollout on rollout (deployment) where state = 'running';

create sequence instance_number;

create table instance (
    id text primary key,
    deployment text not null,
    version text not null,
    rollout_id bigint not null references rollout (id),
    state text not null check (state in ('starting', 'healthy', 'retired')),
    directory text not null,
    forwarded_port int,
    started_at timestamptz not null default now(),
    healthy_millis bigint,
    retired_at timestamptz,
    retire_reason text
);

create table outbox (
    id bigserial primary key,
    type text not null,
    payload text not null,
    sent_at timestamptz
);
