#!/usr/bin/env bash
# Tries deploy/haproxy/haproxy.cfg on loopback: two TLS garbler replicas
# behind HAProxy, the loadgen example through it, and one replica stopped
# (SIGTERM: it drains) in the middle of the run. Prints loadgen's JSON line
# and what each replica did. Installs haproxy if missing (Debian, as root).
# Everything it starts is stopped on exit.
#
# Environment: SESSIONS (200), CONCURRENCY (20), COMPUTATIONS (2), KILL (0.1),
# STOP_AFTER seconds before the SIGTERM (1), NO_BUILD=1 to skip the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

SESSIONS=${SESSIONS:-200}
CONCURRENCY=${CONCURRENCY:-20}
COMPUTATIONS=${COMPUTATIONS:-2}
KILL=${KILL:-0.1}
STOP_AFTER=${STOP_AFTER:-1}
RESERVE=35
BIDS='[10, 50, 20, 40, 30, 5, 50, 1]'

if ! command -v haproxy >/dev/null; then
    apt-get update && apt-get install -y haproxy
fi
if [ -z "${NO_BUILD:-}" ]; then
    cargo build --release -q -p cli -p mpcc
    cargo build --release -q -p evaluator --example loadgen
fi
bin=target/release
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

# The garbler certificate names the host evaluators dial through HAProxy.
"$bin/mpcc" certs "$work/certs" --garbler-name localhost >/dev/null
c=$work/certs

start_replica() { # N SESSION_PORT METRICS_PORT
    "$bin/garbler" --serve --listen "127.0.0.1:$2" --metrics "127.0.0.1:$3" \
        --tls-cert "$c/garbler.pem" --tls-key "$c/garbler.key" --tls-ca "$c/ca.pem" \
        --program examples/first_price.mpc --max-computations-per-peer 100000000 \
        --drain-timeout 30 "$RESERVE" >/dev/null 2>"$work/garbler$1.log" &
    pids+=($!)
}
start_replica 1 17601 17611
g1=${pids[-1]}
start_replica 2 17602 17612
haproxy -f "$here/haproxy.cfg" -db 2>"$work/haproxy.log" &
pids+=($!)

# Both replicas up and seen healthy by HAProxy.
for _ in $(seq 100); do
    if curl -sf http://127.0.0.1:17611/readyz >/dev/null &&
        curl -sf http://127.0.0.1:17612/readyz >/dev/null; then
        break
    fi
    sleep 0.1
done
sleep 1.5

"$bin/examples/loadgen" --connect localhost:17600 \
    --tls-cert "$c/evaluator.pem" --tls-key "$c/evaluator.key" --tls-ca "$c/ca.pem" \
    --program examples/first_price.mpc --garbler-input "$RESERVE" \
    --sessions "$SESSIONS" --concurrency "$CONCURRENCY" \
    --computations "$COMPUTATIONS" --kill-fraction "$KILL" "$BIDS" \
    >"$work/load.json" 2>"$work/load.log" &
lpid=$!
pids+=($lpid)
sleep "$STOP_AFTER"
echo "try: SIGTERM to replica 1 (pid $g1)" >&2
kill -TERM "$g1"
set +e
wait "$lpid"
load_rc=$?
wait "$g1"
set -e

cat "$work/load.log" >&2
for n in 1 2; do
    echo "--- replica $n:" >&2
    grep -E "draining|drained|drain timeout|error" "$work/garbler$n.log" | sort | uniq -c | head -20 >&2 || true
done
echo "--- haproxy:" >&2
grep -iE "DOWN|UP|retry|redispatch" "$work/haproxy.log" | head -20 >&2 || true
echo "--- replica 2 metrics:" >&2
curl -s http://127.0.0.1:17612/metrics | grep -E '^garbler_sessions_(finished|failed)' >&2 || true
cat "$work/load.json"
exit "$load_rc"
