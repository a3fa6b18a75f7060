-- kiln rebuild: one row per request to rebuild a released tag from scratch, and its verdict when a builder answers.
create table rebuild (
    id              char(36)     primary key,
    release_id      bigint       not null references release (id),
    verdict         varchar(16)  not null,
    builder         text,
    formats         text,
    differences     text,
    reason          text,
    report_location text,
    requested_at    timestamptz  not null default now(),
    completed_at    timestamptz
);
create index rebuild_of_release on rebuild (release_id, requested_at desc);
