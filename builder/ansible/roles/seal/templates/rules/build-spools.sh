# build-spools: the build login's crontab and mailbox would outlive it (kiln-seal-final removes them again with the login).
# The build login's crontab and mail are removed.
rm -f /var/spool/cron/crontabs/{{ kiln_build_user | quote }} /var/spool/cron/{{ kiln_build_user | quote }} \
      /var/mail/{{ kiln_build_user | quote }} /var/spool/mail/{{ kiln_build_user | quote }}
