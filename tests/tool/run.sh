#!/usr/bin/env bash
# The switchboard .NET tool as a user installs it: packs src/Switchboard (Switchboard.Cli) into a local folder,
# installs it into a temporary tool path from there, and runs `switchboard --version` and a short serve round trip
# (serve on a free port, sub waits for one message, pub sends it), then packs each library package and checks its
# contents (its own README, icon, addresses, RollForward for the tool). Prints "N passed, N failed" as its last line.
# Expects the Release build test.sh made (packs with --no-build when SWITCHBOARD_NO_BUILD=1).
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work=$(mktemp -d)
serve_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() { # name, then the command; counts and reports
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}

build_flag=()
[ "${SWITCHBOARD_NO_BUILD:-0}" = 1 ] && build_flag=(--no-build)
if ! dotnet pack "$root/src/Switchboard/Switchboard.csproj" -c Release "${build_flag[@]}" -nologo -clp:ErrorsOnly -o "$work/feed" >"$work/pack.log" 2>&1; then
  cat "$work/pack.log"; echo "0 passed, 1 failed"; exit 1
fi
package=$(ls "$work/feed"/Switchboard.Cli.*.nupkg | grep -v '\.symbols\.' | head -1)
version=$(basename "$package" .nupkg); version=${version#Switchboard.Cli.}
if ! dotnet tool install Switchboard.Cli --version "$version" --tool-path "$work/bin" --add-source "$work/feed" >"$work/install.log" 2>&1; then
  cat "$work/install.log"; echo "0 passed, 1 failed"; exit 1
fi
sb="$work/bin/switchboard"

version_is_printed() { "$sb" --version | tee "$work/version.txt" | grep -qF "${version%%+*}"; }
check "switchboard --version prints $version" version_is_printed

round_trip() {
  "$sb" serve --urls http://127.0.0.1:0 >"$work/serve.log" 2>&1 &
  serve_pid=$!
  local url=""
  for _ in $(seq 1 600); do # up to 60 s for the first start on a busy machine
    url=$(grep -oE 'listening on http://127\.0\.0\.1:[0-9]+' "$work/serve.log" | head -1 | sed 's/listening on http/ws/')
    [ -n "$url" ] && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$work/serve.log"; return 1; }
  "$sb" sub tool.check --url "$url/ws" --count 1 >"$work/sub.out" 2>"$work/sub.err" &
  local sub_pid=$!
  for _ in $(seq 1 600); do grep -q "subscribed to tool.check" "$work/sub.err" && break; sleep 0.1; done
  "$sb" pub tool.check '{"text":"from the installed tool"}' --url "$url/ws" || return 1
  for _ in $(seq 1 300); do kill -0 "$sub_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$sub_pid" 2>/dev/null
  kill -TERM "$serve_pid"; wait "$serve_pid"; serve_pid="" # SIGTERM: a background job of a script ignores SIGINT
  grep -q '"from the installed tool"' "$work/sub.out" || { cat "$work/sub.out" "$work/sub.err"; return 1; }
}
check "the installed switchboard serves a pub/sub round trip" round_trip

# A package's own README (titled with its id, absolute links only: nuget.org shows it without the repository around
# it), its icon, and the project and repository addresses in its nuspec.
metadata_is_complete() {
  local nupkg=$1 id=$2
  python3 - "$nupkg" "$id" <<'PY' || return 1
import re, sys, zipfile
package, package_id = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(package)
readme = z.read("README.md").decode("utf-8")
spec = z.read(next(n for n in z.namelist() if n.endswith(".nuspec"))).decode("utf-8")
problems = []
if not readme.startswith(f"# {package_id}\n"):
    problems.append(f"README.md is not the package's own (it starts {readme.splitlines()[0]!r})")
relative = [link for link in re.findall(r"\]\(([^)]+)\)", readme) if not link.startswith(("https://", "http://"))]
if relative:
    problems.append(f"README.md has relative links, broken on nuget.org: {relative}")
for element in ("<readme>README.md</readme>", "<icon>icon.png</icon>", "<projectUrl>https://", '<repository type="git" url="https://'):
    if element not in spec:
        problems.append(f"the nuspec lacks {element}")
for problem in problems:
    print(f"{package_id}: {problem}")
sys.exit(1 if problems else 0)
PY
}

cli_package_is_complete() {
  metadata_is_complete "$package" Switchboard.Cli || return 1
  python3 -c 'import json, sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); name = next(n for n in z.namelist() if n.endswith("switchboard.runtimeconfig.json")); sys.exit(0 if json.loads(z.read(name))["runtimeOptions"].get("rollForward") == "Major" else 1)' "$package" \
    || { echo "Switchboard.Cli: switchboard.runtimeconfig.json does not roll forward to later major runtimes"; return 1; }
}
check "Switchboard.Cli packs with its own README, the icon, the project and repository addresses, and RollForward Major" cli_package_is_complete

# The library packages, as `dotnet pack -c Release` at the root makes them: each with the README, the licence, XML
# docs beside the assembly, a symbols package, and the commit SourceLink needs in its nuspec.
libraries=(Switchboard.Protocol Switchboard.Abstractions Switchboard.Server Switchboard.Redis Switchboard.Nats Switchboard.Client Switchboard.Conformance Switchboard.Testing)
library_is_complete() {
  local name=$1
  dotnet pack "$root/src/$name/$name.csproj" -c Release "${build_flag[@]}" -nologo -clp:ErrorsOnly -o "$work/libs" >"$work/pack-$name.log" 2>&1 || { cat "$work/pack-$name.log"; return 1; }
  local nupkg
  nupkg=$(ls "$work/libs/$name".[0-9]*.nupkg 2>/dev/null | grep -v '\.symbols\.' | head -1)
  [ -n "$nupkg" ] && [ -f "${nupkg%.nupkg}.snupkg" ] || { echo "no $name package with symbols"; return 1; }
  local listing
  listing=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$nupkg")
  for entry in README.md LICENSE icon.png "lib/net10.0/$name.dll" "lib/net10.0/$name.xml"; do
    grep -qxF "$entry" <<<"$listing" || { echo "$name: $entry missing from the package"; return 1; }
  done
  metadata_is_complete "$nupkg" "$name" || return 1
  python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); spec = next(n for n in z.namelist() if n.endswith(".nuspec")); sys.exit(0 if b"commit=" in z.read(spec) else 1)' "$nupkg" \
    || { echo "$name: no repository commit in the nuspec (SourceLink)"; return 1; }
}
for library in "${libraries[@]}"; do
  check "$library packs with its own README, licence, icon, XML docs, symbols and SourceLink" library_is_complete "$library"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
