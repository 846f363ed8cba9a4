#!/usr/bin/env bash
# The Python client's suite, as docs/clients/python.md installs it: a venv on Debian's /usr/bin/python3 that sees the
# Debian packages (python3-websockets 10.4, python3-httpx, python3-pytest), `pip install --no-build-isolation
# ./clients/python` into it, and pytest against the real server (the Release build test.sh made). Then again with the
# newest websockets Debian has (its unstable archive: websockets' other API generation), unpacked, not installed, and
# put first on PYTHONPATH. Prints "N passed, N failed" as its last line; "no test ran" counts as a failure.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
results="${1:-$root/TestResults}"
mkdir -p "$results"
venv="$results/python-venv"
passed=0
failed=0

# junit xml -> counts; a missing file or no test executed is a failure.
count() {
  local xml=$1 counters tests failures errors skipped
  if [ ! -f "$xml" ]; then echo "no results in $xml" >&2; failed=$((failed + 1)); return; fi
  counters=$(grep -o '<testsuite [^>]*>' "$xml" | head -1)
  tests=$(sed -E 's/.* tests="([0-9]+)".*/\1/' <<<"$counters")
  failures=$(sed -E 's/.* failures="([0-9]+)".*/\1/' <<<"$counters")
  errors=$(sed -E 's/.* errors="([0-9]+)".*/\1/' <<<"$counters")
  skipped=$(sed -E 's/.* skipped="([0-9]+)".*/\1/' <<<"$counters")
  local ran=$((tests - skipped))
  if [ "$ran" -le 0 ]; then echo "no test ran ($xml)" >&2; failed=$((failed + 1)); return; fi
  passed=$((passed + ran - failures - errors))
  failed=$((failed + failures + errors))
}

# The install, exactly as the docs say (a venv with the Debian packages, no PyPI needed).
rm -rf "$venv"
if ! { /usr/bin/python3 -m venv --system-site-packages "$venv" && "$venv/bin/pip" install --no-build-isolation "$root/clients/python"; } >"$results/python-install.txt" 2>&1; then
  tail -20 "$results/python-install.txt" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

run_suite() { # name, then extra pytest arguments
  local name=$1; shift
  (cd "$root/tests/python" && "$venv/bin/python" -m pytest -p no:cacheprovider -q -rfE --junitxml="$results/python-$name.xml" "$@") \
    >"$results/python-$name.txt" 2>&1
  grep -E '^(FAILED|ERROR) ' "$results/python-$name.txt" >&2 || true
  tail -1 "$results/python-$name.txt" >&2
  count "$results/python-$name.xml"
}

SWITCHBOARD_EXPECT_WEBSOCKETS=legacy run_suite websockets-debian12

# The newest websockets: Debian's unstable archive, through apt with a private list (the system's sources are not
# touched), from the mirror this machine's Debian sources name. Kept in a cache: one download per machine.
cache="${XDG_CACHE_HOME:-$HOME/.cache}/switchboard/python3-websockets-unstable"
if [ ! -d "$cache/usr/lib/python3/dist-packages/websockets" ]; then
  mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | awk '{print $2}' | head -1)
  apt_dir=$(mktemp -d)
  mkdir -p "$apt_dir/lists/partial" "$cache"
  echo "deb ${mirror:-missing-mirror} sid main" >"$apt_dir/sources.list"
  apt_options=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir")
  if apt-get "${apt_options[@]}" update -qq >"$results/python-websockets-download.txt" 2>&1 \
      && (cd "$apt_dir" && apt-get "${apt_options[@]}" download python3-websockets) >>"$results/python-websockets-download.txt" 2>&1; then
    dpkg-deb -x "$apt_dir"/python3-websockets_*.deb "$cache"
  fi
  rm -rf "$apt_dir"
fi
if [ -d "$cache/usr/lib/python3/dist-packages/websockets" ]; then
  echo "newest websockets: $(PYTHONPATH="$cache/usr/lib/python3/dist-packages" "$venv/bin/python" -c 'import websockets; print(websockets.__version__)')" >&2
  # The other run already checked what does not depend on the WebSocket library (mypy, the HTTP API).
  PYTHONPATH="$cache/usr/lib/python3/dist-packages" SWITCHBOARD_EXPECT_WEBSOCKETS=asyncio SWITCHBOARD_SKIP_MYPY=1 \
    run_suite websockets-newest --ignore=test_server_api.py
else
  echo "could not fetch the newest python3-websockets (see python-websockets-download.txt)" >&2
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
