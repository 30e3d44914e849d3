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

step "forbidden words"
if grep -rnE '\b(dbg!|todo!|unimplemented!)\(' --include='*.rs' crates bins tests; then
  echo "remove the debugging leftovers above" >&2
  exit 1
fi

step "cargo test --workspace"
cargo test --workspace

for extra in scripts/check-flake.sh oci/test-image.sh; do
  if [ -x "$extra" ]; then
    step "$extra"
    "$extra"
  fi
done

echo
echo "all checks passed"
