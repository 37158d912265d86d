#!/usr/bin/env bash
# Install what sift needs to build and test, from Debian's packages.
# Run as root (or with sudo). Safe to run again.
set -eu
PKGS="build-essential cmake pkg-config libstemmer-dev libutf8proc-dev zlib1g-dev libdeflate-dev libcjson-dev libxml2-dev
      libcmocka-dev time bc python3 valgrind clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi
