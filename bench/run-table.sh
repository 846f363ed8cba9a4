#!/usr/bin/env bash
# The run behind docs/performance.md's results table: fan-out, idle connections, request/response and the cost of a
# delivery and of an idle connection (cost) against every target (Switchboard with plain and with batching clients,
# SignalR, raw Kestrel, Node ws), one after the other with bench/compare.sh's pinning, into one directory, then the
# tables printed by bench/table.py.
#
#   bench/run-table.sh docs/performance-results/2026-11-30
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: bench/run-table.sh RESULTS_DIRECTORY}
mkdir -p "$out"
uptime | tee "$out/uptime-start.txt"
OUT=$out bench/compare.sh fanout --rate 100,200,500,1000,1500,2000,3000,5000
OUT=$out bench/compare.sh connections
OUT=$out bench/compare.sh rpc
OUT=$out bench/compare.sh cost
uptime | tee "$out/uptime-end.txt"
python3 bench/table.py "$out" | tee "$out/tables.md"
