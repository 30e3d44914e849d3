#!/usr/bin/env bash
# Installs the system packages the test suite uses, only when something is missing.
set -euo pipefail

packages=(git python3 python3-pip bash coreutils util-linux mount procps strace tmux)
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

# The pinned toolchain (rust-toolchain.toml). Machines that only have it as `stable` get a
# link under the pinned name, which needs no download.
pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup run "$pinned" rustc --version >/dev/null 2>&1; then
  stable_sysroot=$(rustup run stable rustc --print sysroot)
  case "$(rustup run stable rustc --version)" in
    "rustc $pinned "*) rustup toolchain link "$pinned" "$stable_sysroot" ;;
    *) echo "toolchain $pinned is not installed: rustup toolchain install $pinned -c rustfmt -c clippy" >&2; exit 1 ;;
  esac
fi
rustup run "$pinned" cargo clippy --version >/dev/null
rustup run "$pinned" cargo fmt --version >/dev/null

# cargo-shear finds declared dependencies that no code uses. Pinned to a release that
# builds with the pinned toolchain (later ones need a newer rustc).
shear_version=1.9.1
if ! cargo install --list | grep -q "^cargo-shear v$shear_version:"; then
  cargo install cargo-shear --version "=$shear_version" --locked --quiet
fi

# The MCP client tests run real MCP servers written with the official Python SDK (v1 line);
# the codex-mcp server tests use its client.
if ! python3 -c 'import mcp.server.fastmcp' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'mcp>=1,<2' 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages 'mcp>=1,<2'
fi
