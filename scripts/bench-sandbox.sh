#!/usr/bin/env bash
# Startup cost of a sandboxed command: `codex-linux-sandbox ... -- true` with the full
# confinement (namespaces, read-only view, Landlock, seccomp, no capabilities, a supervising
# init) against
# - the floor: a static do-nothing wrapper that only execs `true` (the cost of "one more
#   exec"), and
# - bubblewrap: `bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc
#   true`.
# - the namespaces alone: a static program that makes new mount, PID and IPC namespaces,
#   makes its mounts private (as `unshare -m` does) and runs `true` as the namespace's first
#   process (no read-only view, no Landlock, no seccomp, no capability drops): what the kernel
#   charges for the isolation the sandbox needs before any of our own work, a floor under
#   any sandbox of this design. Needs root, like the helper's namespaces here.
# Prints the median of many runs of each, and the ratios ("x floor" against the exec-only
# wrapper). Targets: within 1.5x of the exec-only floor,
# under 0.6x of that bwrap command.
#
# Usage: scripts/bench-sandbox.sh [RUNS]   (default 1000; hyperfine if installed, else a loop)
# Installs hyperfine and bubblewrap with apt-get when they are missing and we are root.
#
# The helper is measured twice: as the default (dynamically linked) release build, which is
# what `cargo build`, `cargo install` and the Nix package produce, and as a static-pie build
# (`+crt-static`), which saves the dynamic loader's work (mapping libc, relocations) on every
# command. Set STATIC=0 to skip the second build.
set -euo pipefail

runs="${1:-1000}"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

cargo build --release --quiet -p codex-linux-sandbox
target_dir="${CARGO_TARGET_DIR:-$root/target}"
sandbox="$target_dir/release/codex-linux-sandbox"
static_sandbox=""
if [[ "${STATIC:-1}" != 0 ]]; then
  host="$(rustc -vV | sed -n 's/^host: //p')"
  # --target keeps build scripts dynamic; a separate target dir keeps the normal build cached.
  RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --quiet \
    -p codex-linux-sandbox --target "$host" --target-dir "$target_dir/static"
  static_sandbox="$target_dir/static/$host/release/codex-linux-sandbox"
fi
true_bin="$(command -v true)"
if [[ "$true_bin" != /* ]]; then true_bin=/usr/bin/true; fi

# The floor: static, no runtime work, one execve.
floor_dir="$target_dir/bench-floor"
mkdir -p "$floor_dir"
cat >"$floor_dir/floor.rs" <<'RS'
use std::os::unix::process::CommandExt;
fn main() {
    let mut args = std::env::args_os().skip(1);
    if let Some(program) = args.next() {
        let _ = std::process::Command::new(program).args(args).exec();
    }
    std::process::exit(127);
}
RS
rustc -O -C target-feature=+crt-static -C panic=abort -o "$floor_dir/floor" "$floor_dir/floor.rs"
floor="$floor_dir/floor"

# The namespaces floor: static, unshare + private mounts + one child, nothing else.
cat >"$floor_dir/namespaces.rs" <<'RS'
use std::ffi::c_char;
use std::ptr::null;
unsafe extern "C" {
    fn unshare(flags: i32) -> i32;
    fn mount(src: *const c_char, target: *const c_char, fstype: *const c_char, flags: u64, data: *const u8) -> i32;
}
const CLONE_NEWNS: i32 = 0x0002_0000;
const CLONE_NEWIPC: i32 = 0x0800_0000;
const CLONE_NEWPID: i32 = 0x2000_0000;
const MS_REC: u64 = 0x4000;
const MS_PRIVATE: u64 = 1 << 18;
fn main() {
    // SAFETY: plain syscalls with constant arguments and a NUL-terminated path.
    let ok = unsafe {
        unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID) == 0
            && mount(null(), c"/".as_ptr(), null(), MS_REC | MS_PRIVATE, null()) == 0
    };
    if !ok {
        eprintln!("namespaces: {}", std::io::Error::last_os_error());
        std::process::exit(125);
    }
    let mut args = std::env::args_os().skip(1);
    let program = args.next().expect("a program to run");
    let status = std::process::Command::new(program).args(args).status();
    std::process::exit(status.ok().and_then(|s| s.code()).unwrap_or(127));
}
RS
rustc --edition 2024 -O -C target-feature=+crt-static -C panic=abort -o "$floor_dir/namespaces" "$floor_dir/namespaces.rs"

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v bwrap >/dev/null || missing+=(bubblewrap)
if ((${#missing[@]})) && [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    echo "note: could not install ${missing[*]}; continuing without" >&2
fi

# Outside /tmp, like a real project: a cwd under /tmp would make /tmp (a root too) be
# enumerated child by child to carve out the cwd's `.git`.
work="$(mktemp -d "$target_dir/bench-sandbox.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A realistic policy: a repository as the cwd (so `.git` gets its read-only mount), temp dirs,
# no network.
mkdir -p "$work/repo/src"
git init -q "$work/repo"
policy='{"mode":"workspace-write","writable_roots":[],"network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":false}'

names=("floor (exec only)" "sandbox (dynamic)")
commands=(
  "$floor $true_bin"
  "$sandbox --sandbox-policy-cwd $work/repo --sandbox-policy '$policy' -- $true_bin"
)
if [[ -n "$static_sandbox" ]]; then
  names+=("sandbox (static)")
  commands+=("$static_sandbox --sandbox-policy-cwd $work/repo --sandbox-policy '$policy' -- $true_bin")
fi
if why="$("$floor_dir/namespaces" "$true_bin" 2>&1)"; then
  names+=("namespaces alone")
  commands+=("$floor_dir/namespaces $true_bin")
else
  echo "note: skipping the namespaces floor: ${why%%$'\n'*}" >&2
fi
if command -v bwrap >/dev/null; then
  names+=("bwrap")
  commands+=("bwrap --unshare-all --die-with-parent --ro-bind / / --dev /dev --proc /proc $true_bin")
else
  echo "note: bwrap not installed; skipping it" >&2
fi

# Sanity: the sandboxed command really is sandboxed (writes outside the roots fail).
if "$sandbox" --sandbox-policy-cwd "$work/repo" --sandbox-policy "$policy" -- \
  sh -c "echo x > $work/outside" 2>/dev/null; then
  echo "error: the sandbox let a write outside its roots through" >&2
  exit 1
fi

medians="$work/medians"
if command -v hyperfine >/dev/null; then
  hyperfine --shell=none --warmup 50 --runs "$runs" --style none \
    --export-json "$work/h.json" "${commands[@]}" >/dev/null
  python3 - "$work/h.json" >"$medians" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(r["median"] * 1000)
PY
else
  python3 - "$runs" "${commands[@]}" >"$medians" <<'PY'
import shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
for command in sys.argv[2:]:
    argv = shlex.split(command)
    for _ in range(50):
        subprocess.run(argv, check=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True)
        samples.append(time.perf_counter() - start)
    print(statistics.median(samples) * 1000)
PY
fi

mapfile -t ms <"$medians"
last=$((${#ms[@]} - 1))
printf '%-20s %10s %8s %8s\n' "command" "median ms" "x floor" "x bwrap"
for i in "${!ms[@]}"; do
  vs_bwrap="-"
  if [[ "${names[$last]}" == bwrap ]]; then
    vs_bwrap="$(python3 -c "print(f'{${ms[$i]}/${ms[$last]}:.2f}')")"
  fi
  printf '%-20s %10.3f %8.2f %8s\n' "${names[$i]}" "${ms[$i]}" \
    "$(python3 -c "print(${ms[$i]}/${ms[0]})")" "$vs_bwrap"
done
