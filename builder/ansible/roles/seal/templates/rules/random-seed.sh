# random-seed: a shared seed makes clones start their random number generators alike.
# Random seeds are removed.
rm -f /var/lib/systemd/random-seed /var/lib/urandom/random-seed
