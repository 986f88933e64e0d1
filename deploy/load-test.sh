#!/usr/bin/env bash
# Load test of `garbler --serve` on loopback.
#
# Starts one garbler on examples/first_price.mpc and runs the loadgen example
# against it twice (SESSIONS sessions, CONCURRENCY at once, COMPUTATIONS
# each, a fraction KILL of them cut on purpose): a warm-up run, then the
# measured one. The garbler's open file descriptors, threads and resident
# memory are recorded when it starts (cold), after the warm-up has settled
# (before) and after the measured run has settled (after). The first load
# of a fresh process grows its memory once (allocator arenas for the
# session threads, buffers sized to the circuit), so a leak shows as a
# difference between before and after. Prints the figures and loadgen's
# JSON lines. Fails if a session failed or a figure leaked (fds or threads
# not back to where they were, resident memory more than 20% above).
#
# Usage: deploy/load-test.sh            # plaintext
#        TLS=1 deploy/load-test.sh      # TLS, certificates from `mpcc certs`
# Environment: SESSIONS (200), CONCURRENCY (200), COMPUTATIONS (2),
# KILL (0.1), PORT (17400), METRICS_PORT (17401), SETTLE seconds (3),
# NO_BUILD=1 to use the release binaries as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

SESSIONS=${SESSIONS:-200}
CONCURRENCY=${CONCURRENCY:-200}
COMPUTATIONS=${COMPUTATIONS:-2}
KILL=${KILL:-0.1}
PORT=${PORT:-17400}
METRICS_PORT=${METRICS_PORT:-17401}
SETTLE=${SETTLE:-3}
TLS=${TLS:-0}
RESERVE=35
BIDS='[10, 50, 20, 40, 30, 5, 50, 1]'

if [ -z "${NO_BUILD:-}" ]; then
    cargo build --release -q -p cli -p mpcc
    cargo build --release -q -p evaluator --example loadgen
fi
bin=target/release
work=$(mktemp -d)
gpid=
cleanup() {
    if [ -n "$gpid" ] && kill -0 "$gpid" 2>/dev/null; then
        kill -TERM "$gpid" 2>/dev/null || true
        wait "$gpid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ "$TLS" = 1 ]; then
    "$bin/mpcc" certs "$work/certs" >/dev/null
    c=$work/certs
    gflags=(--tls-cert "$c/garbler.pem" --tls-key "$c/garbler.key" --tls-ca "$c/ca.pem")
    eflags=(--tls-cert "$c/evaluator.pem" --tls-key "$c/evaluator.key" --tls-ca "$c/ca.pem")
    host=localhost
else
    gflags=(--insecure-plaintext)
    eflags=(--insecure-plaintext)
    host=127.0.0.1
fi

# Every session comes from the same peer: its budget must cover the run.
"$bin/garbler" --serve --listen "127.0.0.1:$PORT" --metrics "127.0.0.1:$METRICS_PORT" \
    "${gflags[@]}" --program examples/first_price.mpc \
    --max-sessions $((CONCURRENCY + 56)) --max-computations-per-peer 100000000 \
    "$RESERVE" >/dev/null 2>"$work/garbler.log" &
gpid=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/garbler.log" && break
    sleep 0.1
done
grep -q "listening on" "$work/garbler.log" || { cat "$work/garbler.log" >&2; exit 1; }

figures() {
    local fds threads rss
    fds=$(ls "/proc/$gpid/fd" | wc -l)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$gpid/status")
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$gpid/status")
    echo "$fds $threads $rss"
}

load() {
    "$bin/examples/loadgen" --connect "$host:$PORT" "${eflags[@]}" \
        --program examples/first_price.mpc --garbler-input "$RESERVE" \
        --sessions "$SESSIONS" --concurrency "$CONCURRENCY" \
        --computations "$COMPUTATIONS" --kill-fraction "$KILL" "$BIDS"
}

sleep 1
read -r fdsc threadsc rssc < <(figures)
load >"$work/warmup.json" 2>"$work/warmup.log" || { cat "$work/warmup.log" >&2; exit 1; }
sleep "$SETTLE"
read -r fds0 threads0 rss0 < <(figures)
start=$(date +%s.%N)
set +e
load >"$work/load.json" 2>"$work/load.log"
load_rc=$?
set -e
end=$(date +%s.%N)
sleep "$SETTLE"
read -r fds1 threads1 rss1 < <(figures)

cat "$work/load.log" >&2
echo "warm-up: $(cat "$work/warmup.json")"
echo "loadgen: $(cat "$work/load.json")"
echo "run: $(echo "$end - $start" | bc) s, tls=$TLS"
echo "garbler fds:     cold $fdsc before $fds0 after $fds1"
echo "garbler threads: cold $threadsc before $threads0 after $threads1"
echo "garbler VmRSS:   cold ${rssc} kB before ${rss0} kB after ${rss1} kB"
curl -s "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null \
    | grep -E '^garbler_(sessions_(started|finished|failed)|busy_refusals|tls_handshake_failures|active_sessions|handshakes_pending)' || true

status=0
[ "$load_rc" = 0 ] || { echo "FAIL: loadgen exited $load_rc" >&2; status=1; }
[ "$fds0" = "$fds1" ] || { echo "FAIL: open fds changed" >&2; status=1; }
[ "$threads0" = "$threads1" ] || { echo "FAIL: threads changed" >&2; status=1; }
[ "$rss1" -le $((rss0 * 12 / 10)) ] || { echo "FAIL: VmRSS grew more than 20%" >&2; status=1; }
exit $status
