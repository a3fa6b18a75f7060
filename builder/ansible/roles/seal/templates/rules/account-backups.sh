# account-backups: shadow-utils keeps the previous account files as /etc/passwd- and so on; removing a login leaves it
# there. The backups are made equal to the files now, and again by kiln-seal-final after it removes the build login.
# Account file backups are refreshed from the current files.
for f in passwd shadow group gshadow; do
  if [ -f "/etc/$f" ]; then cp -p "/etc/$f" "/etc/$f-"; fi
done
rm -f /etc/passwd.bak /etc/shadow.bak /etc/group.bak /etc/gshadow.bak /etc/passwd.OLD /etc/shadow.OLD
