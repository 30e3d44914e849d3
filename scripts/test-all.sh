#!/usr/bin/env bash
# Runs every check the project has, on a fresh Debian machine or a developer's:
# formatting, lints, the whole test suite, the flake evaluation and the OCI image test.
# Installs what the tests need first (idempotent), so it is safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "installing test dependencies"
scripts/install-test-deps.sh

step "cargo fmt --all --check"
cargo fmt --all --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo shear (every declared dependency is used)"
cargo shear

step "forbidden words"
if grep -rnE '\b(dbg!|todo!|unimplemented!)\(' --include='*.rs' crates bins tests; then
  echo "remove the debugging leftovers above" >&2
  exit 1
fi

step "cargo build --workspace --bins"
# Tests run our binaries as processes (including across packages, e.g. the shim dispatching to
# codex-exec); cargo test alone only builds the binaries of packages that have integration tests.
cargo build --workspace --bins

step "cargo test --workspace"
cargo test --workspace

step "flake evaluation (stand-in nixpkgs) and nix run of the built binaries"
scripts/check-flake.sh --run "${CARGO_TARGET_DIR:-target}/debug"

step "proxy OCI image: build, run, request through it, validate the layout"
oci/test-image.sh

echo
echo "all checks passed"
