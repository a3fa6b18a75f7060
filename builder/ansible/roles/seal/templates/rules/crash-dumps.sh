# crash-dumps: a core dump holds a build process's memory, secrets included.
# Crash dumps are removed.
rm -rf /var/crash/* /var/lib/systemd/coredump/* /var/spool/abrt/* /var/lib/apport/coredump/*
