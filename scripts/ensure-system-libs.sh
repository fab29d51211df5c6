#!/usr/bin/env bash
# Installs the shared libraries Qt needs (even offscreen) when they are missing.
# Only acts on Debian-like systems as root; elsewhere it names what is missing and goes on.
set -euo pipefail

declare -A package_for=(
  [libEGL.so.1]=libegl1
  [libGL.so.1]=libgl1
  [libfontconfig.so.1]=libfontconfig1
  [libxkbcommon.so.0]=libxkbcommon0
  [libdbus-1.so.3]=libdbus-1-3
  [libglib-2.0.so.0]=libglib2.0-0
  [libfreetype.so.6]=libfreetype6
)

missing=()
for lib in "${!package_for[@]}"; do
  if ! ldconfig -p 2>/dev/null | grep -q "$lib"; then
    missing+=("${package_for[$lib]}")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system libraries for Qt: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" fonts-dejavu-core
else
  echo "warning: Qt may need these system packages: ${missing[*]}" >&2
fi
