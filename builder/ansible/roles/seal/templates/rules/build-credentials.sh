# build-credentials: the build login is removed last, by kiln-seal-final, the build's shutdown command (it cannot
# remove itself while Ansible still uses it): the login, its home, group and sudo rule.
# The last step, run as the build's shutdown command.
set -e
umask 077
cat > /usr/local/sbin/kiln-seal-final <<'KILN_SEAL_FINAL'
{{ lookup('ansible.builtin.template', 'kiln-seal-final.j2') }}
KILN_SEAL_FINAL
chmod 0700 /usr/local/sbin/kiln-seal-final
