#!/usr/bin/env bash
# Fan-out of one Switchboard node with the memory broker, then with the Redis broker (issue 12's ratio), back to back
# with bench/compare.sh's pinning: the server on CPU 0, the load generator on CPU 1, and redis-server (started here,
# no persistence, stopped at the end) on CPU 1 too, since a 2-core machine has no third core to give it.
#
#   bench/redis-compare.sh [RESULTS_DIRECTORY] [extra bench flags]    # default: batching clients, rates stepped
#   TARGETS=switchboard bench/redis-compare.sh out --rate 100,200     # plain clients instead
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/redis-$(date -u +%Y%m%d-%H%M%S)}
shift || true
port=${REDIS_PORT:-16399}
command -v redis-server >/dev/null || { echo "redis-server is not installed (test.sh installs it)"; exit 2; }

mkdir -p "$out"
taskset -c 1 redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >"$out/redis-server.log" 2>&1 &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

export TARGETS=${TARGETS:-switchboard-batch}
OUT="$out/memory" bench/compare.sh fanout "$@"
OUT="$out/redis" SWITCHBOARD_ARGS="--Switchboard:Redis:Configuration=127.0.0.1:$port" bench/compare.sh fanout "$@"
echo "results in $out/memory and $out/redis" >&2
