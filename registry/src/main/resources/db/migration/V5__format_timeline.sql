-- When each step of a format's journey reached the registry: the console's timeline (tagged is the release's created_at).
alter table release_format add column built_at timestamptz;
alter table release_format add column judged_at timestamptz;
alter table release_format add column failed_at timestamptz;
