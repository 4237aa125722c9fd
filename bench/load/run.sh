#!/usr/bin/env bash
# Load test: the secured /v1 predict path (TLS + API key + rate limiter + validation + signed model + audit) against a
# bare HTTPS + ONNX Runtime endpoint, in the same run on the same machine, and prints the ratio.
# With --token, also the same secured path authenticated by a Bearer access token (a user created and signed in
# through the API for the run), so API key and token are compared in one run.
# Usage: bench/load/run.sh [--token] [duration=15s] [connections=16] [threads=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
WITH_TOKEN=0
if [ "${1:-}" = "--token" ]; then WITH_TOKEN=1; shift; fi
DURATION="${1:-15s}"
CONNECTIONS="${2:-16}"
THREADS="${3:-2}"

if ! command -v wrk >/dev/null; then
  echo "wrk is not installed; installing it (Debian: apt-get install -y wrk)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

dotnet build -c Release src/Bulwark.Cli -v quiet -nologo >/dev/null
dotnet build -c Release bench/load/BareOnnx -v quiet -nologo >/dev/null

WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SECURED_PORT="$(free_port)"
# The benchmark measures the secured path's cost, not its rate limiter: lift the per-key and global limits so every
# request is served (the limiter itself still runs on every request).
BULWARK_Bulwark__RateLimits__PerKeyTokensPerSecond=1000000 \
BULWARK_Bulwark__RateLimits__PerKeyBurst=1000000 \
BULWARK_Bulwark__RateLimits__GlobalPermitsPerSecond=10000000 \
  dotnet src/Bulwark.Cli/bin/Release/net10.0/Bulwark.Cli.dll demo --data-dir "$WORK/demo" --port "$SECURED_PORT" --runtime onnx \
  >"$WORK/demo.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 600); do [ -f "$WORK/demo/demo.json" ] && grep -q "Press Ctrl+C" "$WORK/demo.log" && break; sleep 0.2; done
[ -f "$WORK/demo/demo.json" ] || { echo "demo did not start:" >&2; cat "$WORK/demo.log" >&2; exit 1; }

BARE_PORT="$(free_port)"
dotnet bench/load/BareOnnx/bin/Release/net10.0/BareOnnx.dll --port "$BARE_PORT" \
  --cert "$WORK/demo/tls/cert.pem" --key "$WORK/demo/tls/key.pem" --data data/breast-cancer-wisconsin.csv >"$WORK/bare.log" 2>&1 &
PIDS+=($!)

export BULWARK_API_KEY="$(jq -r .apiKey "$WORK/demo/demo.json")"
export BULWARK_BODY="$(python3 - <<'PY'
import csv
with open("data/breast-cancer-wisconsin.csv") as f:
    rows = csv.reader(f); header = next(rows); row = next(rows)
print('{"instances":[{' + ",".join(f'"{h}":{v}' for h, v in zip(header, row) if h != "diagnosis") + '}]}')
PY
)"
SECURED_URL="https://127.0.0.1:$SECURED_PORT/v1/models/breast-cancer:predict"
BARE_URL="https://127.0.0.1:$BARE_PORT/predict"

for _ in $(seq 1 300); do curl -sf --cacert "$WORK/demo/tls/cert.pem" -H 'Content-Type: application/json' -d "$BULWARK_BODY" "$BARE_URL" >/dev/null && break; sleep 0.2; done
# Both must answer 200 before measuring, or the numbers would be for error pages.
curl -sf --cacert "$WORK/demo/tls/cert.pem" -H "Authorization: ApiKey $BULWARK_API_KEY" -H 'Content-Type: application/json' -d "$BULWARK_BODY" "$SECURED_URL" >/dev/null
curl -sf --cacert "$WORK/demo/tls/cert.pem" -H 'Content-Type: application/json' -d "$BULWARK_BODY" "$BARE_URL" >/dev/null

run_wrk() { # name url
  wrk -t1 -c4 -d3s -s bench/load/predict.lua "$2" >/dev/null # warm-up: JIT, connection pools, ONNX Runtime
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s bench/load/predict.lua "$2" | tee "$WORK/$1.txt" >&2
  grep '^requests/s:' "$WORK/$1.txt" | awk '{print $2}'
}

echo "== secured: $SECURED_URL" >&2
SECURED_RPS="$(run_wrk secured "$SECURED_URL")"
NAMES="secured"
if [ "$WITH_TOKEN" = 1 ]; then
  # Access tokens live 10 minutes: sign in right before this run; durations beyond ~9 minutes would outlive it.
  DEMO_URL="https://127.0.0.1:$SECURED_PORT"
  ADMIN_KEY="$(jq -r .adminApiKey "$WORK/demo/demo.json")"
  PASSWORD="$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')"
  USER_JSON="$(jq -n --arg p "$PASSWORD" '{login:"load-bench",displayName:"Load benchmark",password:$p,roles:[{project:"default",role:"service"}]}')"
  curl -sf --cacert "$WORK/demo/tls/cert.pem" -H "Authorization: ApiKey $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "$USER_JSON" "$DEMO_URL/api/v1/users" >/dev/null
  BULWARK_ACCESS_TOKEN="$(curl -sf --cacert "$WORK/demo/tls/cert.pem" -H 'Content-Type: application/json' \
    -d "$(jq -n --arg p "$PASSWORD" '{login:"load-bench",password:$p}')" "$DEMO_URL/api/v1/auth/login" | jq -r .accessToken)"
  curl -sf --cacert "$WORK/demo/tls/cert.pem" -H "Authorization: Bearer $BULWARK_ACCESS_TOKEN" -H 'Content-Type: application/json' \
    -d "$BULWARK_BODY" "$SECURED_URL" >/dev/null
  echo "== secured with a Bearer access token: $SECURED_URL" >&2
  TOKEN_RPS="$(BULWARK_ACCESS_TOKEN="$BULWARK_ACCESS_TOKEN" run_wrk token "$SECURED_URL")"
  NAMES="secured token"
fi
echo "== bare: $BARE_URL" >&2
BARE_RPS="$(BULWARK_API_KEY='' run_wrk bare "$BARE_URL")"
for name in $NAMES bare; do
  if ! grep -q '^non-2xx: 0$' "$WORK/$name.txt"; then echo "warning: $name had non-2xx responses" >&2; fi
done

echo
echo "machine: $(nproc) cores, $(uname -sr); wrk -t$THREADS -c$CONNECTIONS -d$DURATION (keep-alive)"
printf 'secured /v1 predict: %s requests/s\n' "$SECURED_RPS"
if [ "$WITH_TOKEN" = 1 ]; then printf 'secured, Bearer token: %s requests/s\n' "$TOKEN_RPS"; fi
printf 'bare ONNX endpoint:  %s requests/s\n' "$BARE_RPS"
awk -v s="$SECURED_RPS" -v b="$BARE_RPS" 'BEGIN { printf "ratio secured/bare: %.2f\n", s / b }'
if [ "$WITH_TOKEN" = 1 ]; then
  awk -v t="$TOKEN_RPS" -v b="$BARE_RPS" 'BEGIN { printf "ratio token/bare: %.2f\n", t / b }'
  awk -v t="$TOKEN_RPS" -v s="$SECURED_RPS" 'BEGIN { printf "ratio token/API key: %.2f\n", t / s }'
fi
