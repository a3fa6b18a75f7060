# package-caches: downloaded packages and index lists are large and stale; a clone fetches fresh ones.
# Package caches and lists are removed.
if command -v apt-get >/dev/null; then apt-get clean; fi
rm -rf /var/lib/apt/lists/* /var/cache/dnf/* /var/cache/yum/*
