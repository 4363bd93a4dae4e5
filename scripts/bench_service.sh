#!/usr/bin/env bash
# The service under load, on loopback: wrk on GET /v1/jobs/{id} while a training job runs,
# upload throughput of a 1 GiB cube with `curl -T`, and the server's peak memory.
# Usage: scripts/bench_service.sh [BIN=.build/release/cubeseg]   (needs wrk and curl)
set -uo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-.build/release/cubeseg}"
command -v wrk >/dev/null || { echo "(wrk not installed: apt-get install wrk) service benchmark skipped"; exit 0; }
work=$(mktemp -d /tmp/cubeseg-svc-bench.XXXXXX)
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
# Warnings only: one log line per request would measure the terminal, not the server.
"$BIN" serve --port 0 --data-dir "$work/data" --log-level warning > "$work/server.out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
base=$(grep -o "http://[0-9.]*:[0-9]*" "$work/server.out" | head -1)
[ -n "$base" ] || { echo "the server did not start"; cat "$work/server.out"; exit 1; }
hwm() { awk '/VmHWM/ {print int($2 / 1024)}' /proc/$server/status; }

"$BIN" synth maxrf "$work/cube.npy" --size 128 --channels 1024 --seed 1 > /dev/null
cube=$(curl -s -T "$work/cube.npy" "$base/v1/cubes?name=bench" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
job=$(curl -s -H 'Content-Type: application/json' -d "{\"cube_id\":\"$cube\",\"params\":{\"epochs\":400,\"early_stopping_patience\":0}}" \
  "$base/v1/jobs" | sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p')
sleep 1
state=$(curl -s "$base/v1/jobs/$job" | sed -n 's/.*"state" *: *"\([^"]*\)".*/\1/p')
echo "== wrk: GET /v1/jobs/{id} for 10 s, 2 threads, 32 connections, while job $job is $state"
wrk -t2 -c32 -d10s --latency "$base/v1/jobs/$job" | tee "$work/wrk.txt" | grep -E "Requests/sec|99%|50%|Non-2xx"
rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
curl -s -X POST "$base/v1/jobs/$job/cancel" > /dev/null

echo "== upload: 1 GiB float32 cube with curl -T"
head -c $((1024 * 1024 * 1024)) /dev/zero > "$work/zeros.bin"
python3 -c "
import sys
h = \"{'descr': '<f4', 'fortran_order': False, 'shape': (512, 512, 1024), }\"
h = h + ' ' * (128 - 10 - len(h) - 1) + '\n'
sys.stdout.buffer.write(b'\x93NUMPY\x01\x00' + len(h).to_bytes(2, 'little') + h.encode())" > "$work/big.npy"
cat "$work/zeros.bin" >> "$work/big.npy"; rm "$work/zeros.bin"
before=$(hwm)
t0=$(date +%s.%N)
code=$(curl -s -o "$work/upload.json" -w "%{http_code}" -T "$work/big.npy" "$base/v1/cubes?name=big")
t1=$(date +%s.%N)
after=$(hwm)
mbps=$(python3 -c "print(round(1024 / ($t1 - $t0), 1))")
echo "upload: HTTP $code in $(python3 -c "print(round($t1 - $t0, 2))") s = $mbps MiB/s; server peak RSS $before -> $after MiB"
echo "{\"bench\": \"service\", \"wrk_requests_per_s\": ${rps:-null}, \"wrk_p99\": \"${p99:-}\", \"upload_mib_per_s\": $mbps, \"upload_status\": $code, \"server_peak_rss_mib_before_upload\": $before, \"server_peak_rss_mib_after_upload\": $after}"
