# home-credentials: tokens and keys the build used (Git, cloud CLIs, registries, netrc, Kubernetes, private keys)
# would give every clone the build's access.
# A file or directory is tested in the shell and a process runs only to remove one that is there: three processes per
# home took 3 s of the build under TCG.
# Credential files are removed from every home.
getent passwd | cut -d: -f6 | sort -u | while IFS= read -r home; do
  [ -n "$home" ] && [ "$home" != "/" ] && [ -d "$home" ] || continue
  for file in .git-credentials .netrc .pgpass .my.cnf .aws/credentials .azure/accessTokens.json \
              .azure/msal_token_cache.json .config/gcloud/credentials.db .config/gcloud/access_tokens.db \
              .config/gcloud/application_default_credentials.json .docker/config.json .kube/config .npmrc .pypirc \
              .config/gh/hosts.yml .vault-token .terraform.d/credentials.tfrc.json; do
    if [ -e "$home/$file" ] || [ -L "$home/$file" ]; then rm -f -- "$home/$file"; fi
  done
  if [ -d "$home/.ssh" ]; then
    find "$home/.ssh" -maxdepth 1 -name 'id_*' ! -name '*.pub' -type f -delete 2>/dev/null
  fi
  if [ -e "$home/.gnupg/private-keys-v1.d" ] || [ -L "$home/.gnupg/private-keys-v1.d" ]; then
    rm -rf -- "$home/.gnupg/private-keys-v1.d"
  fi
done
