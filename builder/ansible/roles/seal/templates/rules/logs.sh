# logs: the build machine's logs would appear in every clone's history (kiln-seal-final removes the journal last).
# Logs are emptied, rotated ones removed.
find /var/log -type f \( -name '*.gz' -o -name '*.[0-9]' -o -name '*.old' \) -delete
find /var/log -type f -exec truncate -s 0 {} +
