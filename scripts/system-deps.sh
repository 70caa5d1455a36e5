#!/bin/sh
# The system tools the end-to-end tests drive (openssl, curl, wget, aria2c, busybox, zstd, chromium,
# shellcheck): installs the missing ones from Debian's registry when it can (root, or sudo without a
# password), else stops at once with the one command that installs them. `npm test` (pretest) and
# .ci/run both run this, so a fresh machine needs nothing else.
set -eu
packages="openssl curl wget aria2 busybox zstd chromium ca-certificates shellcheck"
missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -z "$missing" ] && exit 0
command -v apt-get >/dev/null 2>&1 || {
  echo "system-deps: missing$missing, and there is no apt-get here; install them, then run npm test again" >&2
  exit 1
}
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo"
else
  echo "system-deps: missing$missing; install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "system-deps: installing$missing"
$sudo apt-get update -q
# shellcheck disable=SC2086 # one word a package
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
