#!/usr/bin/env bash
# Runs every Switchboard test suite: installs what is missing, builds in Release, runs each suite, and prints the
# totals as its last line: "N passed, N failed". Exits non-zero when anything failed or no test ran.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

log() { printf '==> %s\n' "$*" >&2; }

# --- install what is missing (as root with apt-get; nothing when already there) ---------------------------------
# Each entry: "command package". Add a line when a suite starts to need a program (redis-server, chromium, ...).
# "py:MODULE package" checks that Debian's /usr/bin/python3 can import MODULE (the samples' seed clients and the
# Python client's suite use it).
required=("redis-server redis-server" "nats-server nats-server" "openssl openssl" "git git" "chromium chromium" "py:websockets python3-websockets" "py:websocket python3-websocket" "py:tenacity python3-tenacity" "nginx nginx"
  "py:ensurepip python3-venv" "py:httpx python3-httpx" "py:pytest python3-pytest" "py:mypy python3-mypy" "py:fastapi python3-fastapi"
  "py:pytest_asyncio python3-pytest-asyncio" "py:uvicorn python3-uvicorn")
missing=()
required+=("promtool prometheus") # promtool checks deploy/prometheus/rules.yml (DashboardMetricsTests)
for entry in "${required[@]}"; do
  check="${entry%% *}"
  case "$check" in
    py:*) /usr/bin/python3 -c "import ${check#py:}" >/dev/null 2>&1 || missing+=("${entry#* }") ;;
    *) command -v "$check" >/dev/null 2>&1 || missing+=("${entry#* }") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    # The packages must not start system services (nginx on port 80, redis on 6379): the tests start their own.
    policy=/usr/sbin/policy-rc.d
    [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1; }
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    status=$?
    [ -z "${own_policy:-}" ] || rm -f "$policy"
    [ "$status" -eq 0 ]
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi || log "could not install ${missing[*]}; the tests that need them will fail"
fi
command -v dotnet >/dev/null 2>&1 || { echo "the .NET 10 SDK is required (dotnet not on PATH)"; echo "0 passed, 1 failed"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0
failed=0
add_counts() { passed=$((passed + $1)); failed=$((failed + $2)); }

# --- build -------------------------------------------------------------------------------------------------------
log "building (Release)"
if ! dotnet build Switchboard.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# --- .NET test projects ------------------------------------------------------------------------------------------
# The bench tests drive the Node.js reference server (npm's ws) too.
(cd bench/NodeReference && { [ -d node_modules ] || npm ci --no-audit --no-fund --silent; }) || log "npm ci failed in bench/NodeReference; the bench tests of the node target will fail"
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  log "running $name"
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" -- RunConfiguration.TestSessionTimeout=900000 \
    | grep -E '^\s*(Failed|Passed|Skipped)!|^\s+Failed |Error Message|Assert\.' || true
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    total=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
    executed=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$counters")
    # Tests that did not run to an outcome (aborted host, timeout) count as failed.
    add_counts "$p" "$((f + total - executed))"
  else
    log "$name produced no results"
    add_counts 0 1
  fi
done

# --- the switchboard .NET tool, packed and installed from a local folder as a user would ------------------------
log "running tool (pack, install into a temporary tool path, --version, serve round trip)"
SWITCHBOARD_NO_BUILD=1 bash tests/tool/run.sh >"$results/tool.txt" 2>&1
grep -E '^not ok' "$results/tool.txt" >&2 || true
tool_counts=$(tail -1 "$results/tool.txt")
if [[ "$tool_counts" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then add_counts "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"; else tail -20 "$results/tool.txt" >&2; add_counts 0 1; fi

# --- the Python client (pytest), installed into a venv as docs/clients/python.md says ---------------------------
log "running python (pip install ./clients/python into a venv; pytest with websockets 10.4, then the newest)"
bash tests/python/run.sh "$results" >"$results/python.txt" 2>&1
python_counts=$(tail -1 "$results/python.txt")
grep -E '^(FAILED|ERROR) |passed|failed|could not' "$results/python.txt" | head -30 >&2 || true
if [[ "$python_counts" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then add_counts "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"; else tail -20 "$results/python.txt" >&2; add_counts 0 1; fi

# --- samples/PythonBackend (pytest): its FastAPI backend under uvicorn beside the built `switchboard serve` ----------
# Debian's python3 as the sample's README runs it (python3-fastapi, python3-uvicorn, python3-httpx, python3-websockets).
log "running python-backend (samples/PythonBackend's pytest: the FastAPI backend beside switchboard serve)"
xml="$results/python-backend.xml"
(cd samples/PythonBackend && PYTHONDONTWRITEBYTECODE=1 SWITCHBOARD_ROOT="$root" /usr/bin/python3 -m pytest -p no:cacheprovider -q -rfE --junitxml="$xml" tests) \
  >"$results/python-backend.txt" 2>&1
grep -E '^(FAILED|ERROR) ' "$results/python-backend.txt" >&2 || true
if [ -f "$xml" ]; then
  counters=$(grep -o '<testsuite [^>]*>' "$xml" | head -1)
  tests=$(sed -E 's/.* tests="([0-9]+)".*/\1/' <<<"$counters")
  bad=$(( $(sed -E 's/.* failures="([0-9]+)".*/\1/' <<<"$counters") + $(sed -E 's/.* errors="([0-9]+)".*/\1/' <<<"$counters") ))
  skipped=$(sed -E 's/.* skipped="([0-9]+)".*/\1/' <<<"$counters")
  ran=$((tests - skipped))
  if [ "$ran" -gt 0 ]; then add_counts "$((ran - bad))" "$bad"; else add_counts 0 1; fi
else
  tail -20 "$results/python-backend.txt" >&2
  add_counts 0 1
fi

# --- JavaScript suites (node:test) -------------------------------------------------------------------------------
for dir in tests/js/*/; do
  [ -f "$dir/package.json" ] || continue
  name=$(basename "$dir")
  log "running js/$name"
  # Installed again when the lock file changed since the last install (a merge that added a dependency).
  (cd "$dir" && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --silent; }) || { add_counts 0 1; continue; }
  out="$results/js-$name.tap"
  if grep -q '"test": "vitest' "$dir/package.json"; then
    # Vitest suites (React hooks): flat TAP, counted by line.
    (cd "$dir" && SWITCHBOARD_ROOT="$root" npx vitest run --reporter=tap-flat >"$out" 2>&1)
    p=$(grep -cE '^ok ' "$out")
    f=$(grep -cE '^not ok ' "$out")
    [ "$p" -gt 0 ] || f=$((f + 1))
  else
    (cd "$dir" && SWITCHBOARD_ROOT="$root" node --test --test-reporter=tap --test-timeout=300000 >"$out" 2>&1)
    p=$(grep -E '^# pass ' "$out" | tail -1 | awk '{print $3}')
    f=$(grep -E '^# fail ' "$out" | tail -1 | awk '{print $3}')
  fi
  grep -E '^not ok|error:' "$out" | head -20 >&2 || true
  add_counts "${p:-0}" "${f:-1}"
done

if [ "$passed" -eq 0 ]; then
  log "no test ran"
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
