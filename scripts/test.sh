#!/usr/bin/env bash
# Runs every Bulwark test project and ends with one line: "N passed, N failed, N skipped".
# Installs what the tests need when it is missing (Debian 12 with the .NET 10 SDK is assumed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

need_apt=()
# LightGBM's native library links against the GNU OpenMP runtime.
if ! ldconfig -p 2>/dev/null | grep -q 'libgomp.so.1'; then need_apt+=(libgomp1); fi
# Unicode normalisation of passwords and login names (NFKC) uses ICU.
if ! ldconfig -p 2>/dev/null | grep -q 'libicuuc.so'; then need_apt+=(libicu72); fi
# The PKCS#11 key provider is tested against SoftHSM2; its tests create their own token in a temp dir.
if ! command -v softhsm2-util >/dev/null || [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then need_apt+=(softhsm2); fi
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "missing packages: ${need_apt[*]} (install them with apt-get)" >&2
    exit 1
  fi
fi

if ! command -v dotnet >/dev/null; then
  echo "the .NET 10 SDK is required (https://dotnet.microsoft.com/download)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

restore_args=()
if [ "${CI:-}" = "true" ]; then restore_args+=(--locked-mode); fi
dotnet restore Bulwark.slnx "${restore_args[@]}" >/dev/null
dotnet build Bulwark.slnx --no-restore -c Release -nologo -v q

results="$root/TestResults"
rm -rf "$results"
mkdir -p "$results"

status=0
broken=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name"
  if ! dotnet test "$project" --no-build -c Release --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1200000 \
      > "$results/$name.log" 2>&1; then
    status=1
    # A run that fails without a failed test (aborted, timed out, crashed host) still counts as a failure below.
    # (A project without results is counted further down.)
    if [ -e "$results/$name.trx" ] && ! grep -q '<Counters [^>]* failed="[1-9]' "$results/$name.trx"; then
      echo "$name: the test run did not complete (aborted, timed out or crashed); see TestResults/$name.log"
      broken=$((broken + 1))
    fi
  fi
  grep -E "^\s*(Failed|Passed!|Failed!|Skipped) " "$results/$name.log" | grep -vE "^\s*Passed " | tail -40 || true
done

# Sum the TRX counters of every project: CI reads the last line.
passed=0; failed=0; skipped=0; found=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  found=$((found + 1))
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  p=$(get passed); f=$(get failed); e=$(get error); t=$(get timeout); a=$(get aborted); n=$(get notExecuted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
  skipped=$((skipped + ${n:-0}))
done

projects=$(ls tests/*/*.csproj | wc -l)
if [ "$found" -lt "$projects" ]; then
  # A project that crashed before writing results counts as one failure, never as silence.
  failed=$((failed + projects - found))
  status=1
fi
failed=$((failed + broken))
if [ "$failed" -gt 0 ]; then status=1; fi

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
