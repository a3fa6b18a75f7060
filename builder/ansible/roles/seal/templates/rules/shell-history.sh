# shell-history: what was typed during the build, tokens on command lines included, stays out of the image.
# Shell and tool histories are removed from every home.
for home in /root /home/*; do
  rm -f "$home/.bash_history" "$home/.zsh_history" "$home/.sh_history" "$home/.python_history" \
        "$home/.mysql_history" "$home/.psql_history" "$home/.lesshst" "$home/.viminfo" "$home/.wget-hsts"
done
