-- One row per release (image + version): where it came from and whether it was revoked.
create table release (
    id              bigserial primary key,
    image           varchar(63)  not null,
    version         varchar(128) not null,
    tag             varchar(256) not null,
    repository      text         not null,
    commit_sha      char(40)     not null,
    revoked_reason  text,
    revoked_at      timestamptz,
    created_at      timestamptz  not null default now(),
    constraint release_image_version unique (image, version)
);

-- One row per format of a release and where it is in building -> built -> verified/rejected -> published.
create table release_format (
    id               bigserial primary key,
    release_id       bigint       not null references release (id),
    format           varchar(16)  not null,
    state            varchar(16)  not null,
    artifact_location text,
    sha256           char(64),
    size_bytes       bigint,
    virtual_size     bigint,
    raw_sha256       char(64),
    provenance       text,
    build_log        text,
    verified_sha256  char(64),
    verification     text,
    report_location  text,
    findings         text,
    failure_stage    varchar(64),
    failure_reason   text,
    updated_at       timestamptz  not null default now(),
    published_at     timestamptz,
    row_version      integer      not null default 0,
    constraint release_format_once unique (release_id, format)
);

-- Named pointers to a version, like HCP Packer channels (e.g. production).
create table channel (
    id          bigserial primary key,
    image       varchar(63)  not null,
    name        varchar(63)  not null,
    version     varchar(128) not null,
    updated_at  timestamptz  not null default now(),
    constraint channel_image_name unique (image, name)
);

-- Transactional outbox: ImagePublished is written with the state change and sent afterwards, once per key.
create table outbox (
    id          bigserial primary key,
    event_key   varchar(256) not null,
    event_type  varchar(128) not null,
    payload     text         not null,
    created_at  timestamptz  not null default now(),
    sent_at     timestamptz,
    constraint outbox_once unique (event_type, event_key)
);
create index outbox_unsent on outbox (id) where sent_at is null;
