#!/bin/sh
# Installs the Debian packages lzscan needs to build, run and test.
# Idempotent; safe to run on a fresh Debian 12 machine as root (or with sudo).
set -eu

PKGS="build-essential cmake pkg-config git ca-certificates
      libyajl-dev libyaml-dev libpcre2-dev libssl-dev libcurl4-openssl-dev
      libncurses-dev libcmocka-dev
      python3 python3-jsonschema python3-rfc3987 jq tmux clang libclang-rt-14-dev
      openssl valgrind chromium"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "setup: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
