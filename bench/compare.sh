#!/usr/bin/env bash
# Runs one bench mode against Switchboard (with plain clients, then with batching ones), the SignalR reference, the raw
# Kestrel reference and the Node.js ws reference, one after the other, with the server pinned to CPU 0 and the load
# generator to CPU 1 (taskset), and keeps the JSON and HTML of each run.
#
#   bench/compare.sh fanout       [extra switchboard-bench flags]   # default: 1,000 subscribers, 128 B, rates stepped
#   bench/compare.sh connections  [extra flags]                     # default: 17,000 idle subscribed connections
#   bench/compare.sh cost         [extra flags]                     # CPU per delivery at 50 msgs/s to 1,000 subscribers,
#                                                                   # and RSS per idle connection over 9,000
#   TARGETS="switchboard raw" bench/compare.sh fanout --rate 5000   # a subset of the targets
#
# Targets: switchboard (plain clients: one message per frame), switchboard-batch (clients with ?batch=1), signalr,
# raw, node (bench/NodeReference; needs node, and runs npm ci there once); and, when asked for, topicmanager
# (samples/TopicManager, the handler API with plain clients: subscribers on /ws/{client_id}, POST /api/publish).
#   SWITCHBOARD_ARGS="--Switchboard:InlineScheduling=true" bench/compare.sh fanout   # extra flags for switchboard serve
#
# Results go to bench/results/<time>/ (or $OUT). The script raises the open-file limit for the processes it starts,
# builds in Release first, and stops every server it started.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: bench/compare.sh fanout|connections|rpc|reconnect-storm|cost [flags]}
shift
targets=${TARGETS:-switchboard switchboard-batch signalr raw node}
out=${OUT:-bench/results/$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$out"

dotnet build src/Switchboard -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/Switchboard.Bench -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/SignalRReference -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build bench/RawReference -c Release -nologo -clp:ErrorsOnly >/dev/null
case " $targets " in *" topicmanager "*) dotnet build samples/TopicManager -c Release -nologo -clp:ErrorsOnly >/dev/null ;; esac
case " $targets " in *" node "*) [ -d bench/NodeReference/node_modules ] || (cd bench/NodeReference && npm ci --no-audit --no-fund --silent) ;; esac

# Each connection is a file descriptor on both sides; the default soft limit (often 1,024) stops long before.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 1048576 2>/dev/null || true

switchboard=src/Switchboard/bin/Release/net10.0/switchboard
generator=bench/Switchboard.Bench/bin/Release/net10.0/switchboard-bench
case "$mode" in
  fanout) defaults=(-n 1000 --payload 128 --rate 100,200,500,1000,2000,3000,5000,7500,10000,15000,20000 --duration 10 --warmup 2) ;;
  connections) defaults=(-n 17000 --connect-rate 5000 --hold 10) ;; # 20,000 is the hard open-file limit here; serve caps at 90 % of it
  rpc) defaults=(-n 50 --duration 10 --warmup 2) ;;
  # 1,000 subscribers and 8,000 more idle connections for the memory figure (9,000 in all), then 50 msgs/s to the
  # 1,000: below the rate where any target saturates its core, so the CPU per delivery is not a queueing artefact.
  cost) defaults=(-n 1000 --idle-connections 8000 --connect-rate 5000 --hold 5 --payload 128 --rate 50 --duration 10 --warmup 2) ;;
  *) defaults=(-n 1000 --rate 100 --warmup 3) ;;
esac

# A flag given on the command line replaces the default of the same name.
args=()
i=0
while [ $i -lt ${#defaults[@]} ]; do
  name=${defaults[$i]}; value=${defaults[$((i + 1))]}
  case " $* " in *" $name "*) ;; *) args+=("$name" "$value") ;; esac
  i=$((i + 2))
done
args+=("$@")

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

for target in $targets; do
  case "$target" in
    switchboard|switchboard-batch) port=18000; url=ws://127.0.0.1:$port/ws; cmd=("$switchboard" serve --urls "http://127.0.0.1:$port" ${SWITCHBOARD_ARGS:-}) ;;
    signalr) port=15100; url=ws://127.0.0.1:$port/hub; cmd=(dotnet bench/SignalRReference/bin/Release/net10.0/SignalRReference.dll --urls "http://127.0.0.1:$port") ;;
    raw) port=15200; url=ws://127.0.0.1:$port/ws; cmd=(dotnet bench/RawReference/bin/Release/net10.0/RawReference.dll --urls "http://127.0.0.1:$port") ;;
    topicmanager) port=18100; url=ws://127.0.0.1:$port/ws/bench; cmd=(dotnet samples/TopicManager/bin/Release/net10.0/TopicManager.dll --urls "http://127.0.0.1:$port") ;;
    node) port=15300; url=ws://127.0.0.1:$port/ws; cmd=(node bench/NodeReference/server.js --port "$port") ;;
    *) echo "unknown target $target"; exit 2 ;;
  esac

  taskset -c 0 "${cmd[@]}" >"$out/$target-$mode-server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
  sleep 2 # Let the server finish starting (JIT of the first requests is in the bench's warm-up).

  echo "== $target $mode (server pid $server_pid, load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  taskset -c 1 "$generator" "$mode" --target "$target" --url "$url" --pid "$server_pid" "${args[@]}" \
    --json --report "$out/$target-$mode.html" >"$out/$target-$mode.json" 2>"$out/$target-$mode.log" || true
  grep -v '^ *[0-9]*s ' "$out/$target-$mode.log" | tail -n 30 >&2
  stop_server
done
echo "results in $out" >&2
