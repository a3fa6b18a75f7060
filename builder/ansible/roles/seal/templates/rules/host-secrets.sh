# host-secrets: a secret made for one machine would be the same on every clone. The snakeoil TLS key is made again
# with `make-ssl-cert generate-default-snakeoil` where a service needs it.
# Per-host secrets are removed.
rm -f /var/lib/systemd/credential.secret /etc/krb5.keytab /etc/iscsi/initiatorname.iscsi
rm -f /etc/ssl/private/* /etc/ssl/certs/ssl-cert-snakeoil.pem
