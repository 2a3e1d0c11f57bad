#!/bin/sh
# Installs the Debian packages named as arguments that are not installed yet.
# Quick and offline when everything is present. Needs root or sudo otherwise.
set -eu

missing=""
for p in "$@"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (https://rustup.rs) and retry" >&2; exit 1
fi
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install with your package manager:$missing" >&2; exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
for attempt in 1 2 3; do
  # --no-install-recommends: recommends pull in ~150 desktop packages.
  if $sudo apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null &&
     $sudo apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 $missing >/dev/null; then
    exit 0
  fi
  echo "apt-get failed (attempt $attempt), retrying" >&2
  sleep $((attempt * 5))
done
echo "could not install:$missing" >&2
exit 1
