#!/usr/bin/env bash
# Builds the responses-api-proxy OCI image from a static musl binary, runs it, sends a request
# through it to a mock upstream on the host, stops it with SIGTERM, and exports and validates
# the OCI layout. Needs root (podman with a private store) and Debian's apt for its tools.
#
# Usage: oci/test-image.sh            (from anywhere in the repository)
# Env:   CARGO_TARGET_DIR             where cargo builds (default: <repo>/target)
#        KEEP_TMP=1                   keep the temporary directory for inspection
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
image=localhost/codex-responses-api-proxy:test
key=sk-image-test_KEY-123
step() { printf '== %s\n' "$*" >&2; }
fail() { printf 'oci image test FAILED: %s\n' "$*" >&2; exit 1; }

# --- tools (idempotent) -----------------------------------------------------------------------
packages=(podman buildah skopeo umoci runc slirp4netns uidmap musl-tools curl)
command -v python3 >/dev/null || packages+=(python3)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- static binary ----------------------------------------------------------------------------
musl=x86_64-unknown-linux-musl
if rustup target list --installed 2>/dev/null | grep -qx "$musl" || rustup target add "$musl" >/dev/null 2>&1; then
    step "building the proxy for $musl"
    (cd "$root" && cargo build --release -p responses-api-proxy --target "$musl")
    bin=$target_dir/$musl/release/codex-responses-api-proxy
else
    step "the musl target is unavailable; building a static glibc binary instead"
    (cd "$root" && RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --release -p responses-api-proxy --target x86_64-unknown-linux-gnu)
    bin=$target_dir/x86_64-unknown-linux-gnu/release/codex-responses-api-proxy
fi
[[ -x $bin ]] || fail "no binary at $bin"
if ldd "$bin" 2>&1 | grep -q '=>'; then fail "$bin is dynamically linked"; fi
step "binary: $bin ($(du -k "$bin" | cut -f1) KiB, static)"

# --- private podman store ---------------------------------------------------------------------
tmp=$(mktemp -d /tmp/proxy-oci.XXXXXX)
podman_() {
    podman --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs \
        --cgroup-manager cgroupfs --events-backend file "$@"
}
upstream_pid= proxy_client_pid=
cleanup() {
    [[ -n $proxy_client_pid ]] && kill "$proxy_client_pid" 2>/dev/null || true
    podman_ rm -f -t 0 proxy-oci-test >/dev/null 2>&1 || true
    [[ -n $upstream_pid ]] && kill "$upstream_pid" 2>/dev/null || true
    podman_ system reset -f >/dev/null 2>&1 || true
    if [[ ${KEEP_TMP:-} == 1 ]]; then echo "kept $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

step "building $image"
mkdir -p "$tmp/context"
cp "$bin" "$tmp/context/codex-responses-api-proxy"
cp "$root/oci/Containerfile.responses-api-proxy" "$tmp/context/Containerfile"
podman_ build --quiet --network none -t "$image" "$tmp/context" >/dev/null

# --- mock upstream on the host's loopback -----------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
upstream_port=$(free_port)
proxy_port=$(free_port)
cat >"$tmp/upstream.py" <<'PY'
import http.server, sys
log = open(sys.argv[2], "a")
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        log.write(f"{self.path} {self.headers.get('authorization')} {body.decode()}\n"); log.flush()
        out = b'event: response.completed\ndata: {"type":"response.completed"}\n\n'
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$tmp/upstream.py" "$upstream_port" "$tmp/upstream.log" &
upstream_pid=$!

# --- run --------------------------------------------------------------------------------------
# slirp4netns reaches the host's loopback as 10.0.2.2 and publishes on the host's loopback only.
step "running the image (proxy on 127.0.0.1:$proxy_port, upstream on 127.0.0.1:$upstream_port)"
printf '%s\n' "$key" | podman_ run -i --rm --name proxy-oci-test \
    --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1000:1000 \
    --network slirp4netns:allow_host_loopback=true,port_handler=slirp4netns \
    -p "127.0.0.1:$proxy_port:8080" \
    "$image" --upstream-url "http://10.0.2.2:$upstream_port/v1/responses" \
    >"$tmp/proxy.out" 2>"$tmp/proxy.err" &
proxy_client_pid=$!

for _ in $(seq 1 100); do
    grep -q 'listening on' "$tmp/proxy.err" 2>/dev/null && break
    kill -0 "$proxy_client_pid" 2>/dev/null || fail "the container exited: $(cat "$tmp/proxy.err")"
    sleep 0.1
done
grep -q 'listening on 0.0.0.0:8080' "$tmp/proxy.err" || fail "no start-up line: $(cat "$tmp/proxy.err")"

step "sending requests through the container"
reply=""
for _ in $(seq 1 50); do
    reply=$(curl -sS --max-time 5 -X POST "http://127.0.0.1:$proxy_port/v1/responses" \
        -H 'Authorization: Bearer client-key' -H 'Content-Type: application/json' \
        -d '{"model":"m"}' 2>/dev/null) && break
    sleep 0.1
done
[[ $reply == *response.completed* ]] || fail "unexpected reply: $reply"
grep -qx "/v1/responses Bearer $key {\"model\":\"m\"}" "$tmp/upstream.log" \
    || fail "upstream saw: $(cat "$tmp/upstream.log")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$proxy_port/v1/responses")
[[ $code == 403 ]] || fail "GET /v1/responses gave $code, expected 403"
user=$(podman_ inspect -f '{{.Config.User}}' proxy-oci-test)
[[ $user == 65534:65534 ]] || fail "container user is $user"

step "stopping with SIGTERM (the proxy is PID 1)"
start=$(date +%s%N)
podman_ stop -t 10 proxy-oci-test >/dev/null
wait "$proxy_client_pid" && status=0 || status=$?
proxy_client_pid=
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
((status == 0)) || fail "container exit status $status: $(cat "$tmp/proxy.err")"
((elapsed_ms < 5000)) || fail "SIGTERM took ${elapsed_ms} ms (was it ignored?)"
grep -q 'stopping: SIGTERM' "$tmp/proxy.err" || fail "no SIGTERM line: $(cat "$tmp/proxy.err")"
if grep -q "$key" "$tmp/proxy.out" "$tmp/proxy.err"; then fail "the key appeared in the container output"; fi

# --- export and validate the OCI layout -------------------------------------------------------
step "exporting to an OCI layout and validating it"
layout=$tmp/oci-layout
podman_ push --quiet "$image" "oci:$layout:test"
[[ -f $layout/oci-layout && -f $layout/index.json ]] || fail "no OCI layout in $layout"
skopeo inspect "oci:$layout:test" >"$tmp/inspect.json"
skopeo inspect --config "oci:$layout:test" >"$tmp/config.json"
python3 - "$tmp/inspect.json" "$tmp/config.json" <<'PY' || fail "image metadata check"
import json, sys
inspect, config = (json.load(open(p)) for p in sys.argv[1:3])
assert inspect["Architecture"] == "amd64" and inspect["Os"] == "linux", inspect
assert len(inspect["Layers"]) == 1, inspect["Layers"]
c = config["config"]
assert c["User"] == "65534:65534", c
assert "8080/tcp" in c["ExposedPorts"], c
assert c["Entrypoint"][0] == "/codex-responses-api-proxy", c
PY
umoci stat --image "$layout:test" >"$tmp/umoci-stat.txt" || fail "umoci stat"
umoci unpack --rootless --image "$layout:test" "$tmp/bundle" >/dev/null || fail "umoci unpack"
[[ -x $tmp/bundle/rootfs/codex-responses-api-proxy ]] || fail "binary missing from the unpacked rootfs"
files=$(find "$tmp/bundle/rootfs" -mindepth 1 | wc -l)
((files == 1)) || fail "rootfs holds $files entries, expected only the binary"

printf 'oci image test: OK (image %s, layer %s KiB, stop %s ms)\n' \
    "$image" "$(du -k "$tmp/bundle/rootfs/codex-responses-api-proxy" | cut -f1)" "$elapsed_ms"
