#!/usr/bin/env bash
# Measures what responses-api-proxy costs against a fast local upstream (a Rust keep-alive
# server, examples/bench_upstream: the Python mock would be the bottleneck), compared with going
# direct and with a plain TCP relay (socat) measured in the same run:
#   - added latency per request: median of sequential keep-alive requests, with an instant
#     upstream (so the overhead is not hidden), for a streamed (chunked SSE) and a sized body;
#   - throughput with 8 concurrent keep-alive clients, as a ratio of socat's: against an upstream
#     with a 5 ms service time (a model server never answers instantly) and against the instant
#     upstream (CPU-bound on this machine); every connection must keep being served (the
#     fewest requests any connection completed, and the longest single wait, are printed; a
#     response that takes 10 s fails the run);
#   - the proxy's resident memory after 100k requests.
# Targets: throughput >= 0.95 of socat's, no stalled connection, RSS <= 16 MiB after 100k
# requests; latency is reported as proxy minus socat.
#
# Throughput runs are interleaved (direct, socat, proxy) three times and the median is kept, so
# that a burst of other work on the machine does not land on one target only.
#
# Usage: scripts/bench-proxy.sh [REQUESTS] [SECONDS]     (defaults: 5000 requests, 3 s per run)
# Env:   CARGO_TARGET_DIR (default <repo>/target)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
requests=${1:-5000}
seconds=${2:-3}
connections=8
service_ms=5
soak=100000

if ! command -v socat >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq socat >/dev/null
fi

(cd "$root" && cargo build --release -q -p responses-api-proxy \
    --bin codex-responses-api-proxy --example bench_upstream --example bench_client)
release=$target_dir/release
client=$release/examples/bench_client

tmp=$(mktemp -d /tmp/proxy-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT

wait_for() { for _ in $(seq 1 200); do [[ -s $1 ]] && return 0; sleep 0.05; done; echo "timeout: $1" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_trio NAME DELAY_MS FRAMING: an upstream, a proxy and a socat relay in front of it.
# Sets up_port, proxy_port, socat_port, proxy_pid.
start_trio() {
    local name=$1
    "$release/examples/bench_upstream" 0 "$2" "$3" >"$tmp/$name.upstream" &
    pids+=($!)
    wait_for "$tmp/$name.upstream"
    up_port=$(cat "$tmp/$name.upstream")
    printf 'sk-bench-key\n' | "$release/codex-responses-api-proxy" \
        --upstream-url "http://127.0.0.1:$up_port/v1/responses" \
        --server-info "$tmp/$name.proxy" 2>>"$tmp/proxy.err" &
    proxy_pid=$!
    pids+=($proxy_pid)
    wait_for "$tmp/$name.proxy"
    proxy_port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$tmp/$name.proxy")
    socat_port=$(free_port)
    socat "TCP-LISTEN:$socat_port,bind=127.0.0.1,fork,reuseaddr" "TCP:127.0.0.1:$up_port,nodelay" &
    pids+=($!)
    for _ in $(seq 1 100); do (echo >/dev/tcp/127.0.0.1/"$socat_port") 2>/dev/null && break; sleep 0.05; done
}

median_of_runs() { # PORT -> the middle of three runs' medians, in microseconds
    for _ in 1 2 3; do "$client" latency "$1" "$requests"; done |
        sed -E 's/.*median_us=([0-9.]+).*/\1/' | sort -n | sed -n 2p
}
# One throughput run; its rps on stdout, its fewest/longest figures appended to $tmp/fairness.
rps() {
    local out
    out=$("$client" throughput "$1" "$connections" "$seconds")
    echo "$2 $out" >>"$tmp/fairness"
    sed -E 's/rps=([0-9]+).*/\1/' <<<"$out"
}
# interleaved_rps LABEL DIRECT SOCAT PROXY -> "direct socat proxy", each the median of three runs
interleaved_rps() {
    local d=() s=() p=()
    for _ in 1 2 3; do
        d+=("$(rps "$2" "$1/direct")"); s+=("$(rps "$3" "$1/socat")"); p+=("$(rps "$4" "$1/proxy")")
    done
    med() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
    echo "$(med "${d[@]}") $(med "${s[@]}") $(med "${p[@]}")"
}
status_kib() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"; }

start_trio sse 0 chunked
sse_pid=$proxy_pid
sse_proxy_port=$proxy_port
idle_start=$(status_kib "$sse_pid" VmRSS)
sse_direct=$(median_of_runs "$up_port")
sse_socat=$(median_of_runs "$socat_port")
sse_proxy=$(median_of_runs "$proxy_port")
read -r cpu_direct cpu_socat cpu_proxy < <(interleaved_rps instant "$up_port" "$socat_port" "$proxy_port")

start_trio sized 0 sized
sized_direct=$(median_of_runs "$up_port")
sized_socat=$(median_of_runs "$socat_port")
sized_proxy=$(median_of_runs "$proxy_port")

start_trio slow "$service_ms" chunked
read -r slow_direct slow_socat slow_proxy < <(interleaved_rps "${service_ms}ms" "$up_port" "$socat_port" "$proxy_port")

# The soak: 100k more requests through the first proxy, then its memory.
"$client" total "$sse_proxy_port" "$connections" "$soak" >/dev/null
sleep 1
rss_after=$(status_kib "$sse_pid" VmRSS)
peak=$(status_kib "$sse_pid" VmHWM)
threads=$(status_kib "$sse_pid" Threads)

line() { # LABEL DIRECT SOCAT PROXY
    awk -v l="$1" -v d="$2" -v s="$3" -v p="$4" 'BEGIN {
        printf "  %-22s direct %6.1f us  socat %6.1f us  proxy %6.1f us  proxy-socat %+6.1f us\n", l, d, s, p, p - s }'
}
tput() { # LABEL DIRECT SOCAT PROXY
    awk -v l="$1" -v d="$2" -v s="$3" -v p="$4" 'BEGIN {
        printf "  %-22s direct %6.0f/s  socat %6.0f/s  proxy %6.0f/s  proxy/socat %.3f %s\n", l, d, s, p, p / s, (p / s >= 0.95 ? "ok" : "BELOW TARGET") }'
}
echo "responses-api-proxy bench: median of $requests sequential keep-alive requests (x3); $connections connections, 3 x $seconds s"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "latency (instant upstream)"
line "streamed SSE (chunked)" "$sse_direct" "$sse_socat" "$sse_proxy"
line "sized body" "$sized_direct" "$sized_socat" "$sized_proxy"
echo "throughput, $connections keep-alive clients (target: proxy >= 0.95 of socat)"
tput "${service_ms} ms service time" "$slow_direct" "$slow_socat" "$slow_proxy"
tput "instant (CPU-bound)" "$cpu_direct" "$cpu_socat" "$cpu_proxy"
echo "fairness over every throughput run (target: every connection served, no long wait)"
awk '{ split($3, f, "="); split($4, w, "="); k = $1;
       if (!(k in fewest) || f[2] < fewest[k]) fewest[k] = f[2];
       if (w[2] > longest[k]) longest[k] = w[2] }
     END { for (k in fewest) printf "  %-16s fewest requests on a connection %6d, longest wait %7.1f ms\n", k, fewest[k], longest[k] }' \
    "$tmp/fairness" | sort
if awk '{ split($3, f, "="); if (f[2] == 0) bad = 1 } END { exit !bad }' "$tmp/fairness"; then
    echo "  STALLED: a connection completed no request in a run" >&2
    exit 1
fi
awk -v a="$idle_start" -v b="$rss_after" -v h="$peak" -v t="$threads" -v n="$soak" 'BEGIN {
    printf "proxy memory (target: RSS <= 16 MiB after %d requests)\n  RSS at start %.1f MiB, after the load and %d more requests %.1f MiB %s, peak %.1f MiB, %d threads\n",
        n, a / 1024, n, b / 1024, (b <= 16 * 1024 ? "ok" : "ABOVE TARGET"), h / 1024, t }'
if grep -q 'sk-bench-key' "$tmp/proxy.err"; then echo "the key appeared on the proxy's stderr" >&2; exit 1; fi
