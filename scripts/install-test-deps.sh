#!/usr/bin/env bash
# Installs the system packages the test suite uses, only when something is missing.
set -euo pipefail

packages=(git python3 bash coreutils util-linux procps)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The pinned toolchain (rust-toolchain.toml) with rustfmt and clippy.
rustup show active-toolchain >/dev/null
